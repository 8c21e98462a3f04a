// SettingsError: settings (flags, or a request built in code) that cannot be honoured, said the
// way the user can fix them — a value out of range, or settings that do not go together.

public enum SettingsError: Error, Equatable, CustomStringConvertible {
    /// A value outside what the setting takes.
    case outOfRange(String)
    /// Settings that exclude each other, or that this mode or these data cannot honour.
    case incompatible(String)

    public var description: String {
        switch self { case .outOfRange(let m), .incompatible(let m): terminalSafe(m) }
    }
}
