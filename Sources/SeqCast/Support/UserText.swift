// UserText: text from input files (cells, column names, ids, paths) made safe to print on a
// terminal — control characters, escape sequences and bidirectional overrides are shown as
// \u{..} escapes — and clipped to a length that keeps a message on one readable line.

/// True for scalars that a terminal would act on instead of printing: C0 controls (tab and
/// newline included: messages are one line), DEL, C1 controls, and bidirectional overrides.
private func isControl(_ s: Unicode.Scalar) -> Bool {
    let v = s.value
    return v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || (0x202A...0x202E).contains(v)
        || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
}

/// `s` with every control character replaced by a visible `\u{..}` escape.
public func terminalSafe(_ s: String) -> String {
    guard s.unicodeScalars.contains(where: isControl) else { return s }
    var out = String.UnicodeScalarView()
    for u in s.unicodeScalars {
        if isControl(u) { out.append(contentsOf: "\\u{\(String(u.value, radix: 16, uppercase: true))}".unicodeScalars) }
        else { out.append(u) }
    }
    return String(out)
}

/// User text for a message: made terminal-safe and clipped to `limit` characters (with "…" and
/// the full length when clipped), so a 1 MiB cell cannot flood the terminal.
func shown(_ s: String, limit: Int = 80) -> String {
    let safe = terminalSafe(s)
    guard safe.count > limit else { return safe }
    return String(safe.prefix(limit)) + "… (\(s.utf8.count) bytes)"
}

/// Names for a message: each shown(), at most `limit` of them, then how many more.
func shownList(_ names: [String], limit: Int = 40) -> String {
    // A name with a comma in it is quoted, so the list can be read back.
    let head = names.prefix(limit).map { $0.contains(",") ? "'\(shown($0, limit: 40))'" : shown($0, limit: 40) }.joined(separator: ", ")
    return names.count > limit ? head + ", … (\(names.count - limit) more)" : head
}
