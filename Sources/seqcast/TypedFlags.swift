// The long flags typed on the command line. ArgumentParser fills an option's default without saying
// whether it was given, so checks that depend on what the user asked for (--resume's comparison
// with the stored run, two spellings of one flag) read the words themselves.
import Foundation

/// `--name` of every `--name` or `--name=value` word before a `--` terminator, in order.
func typedFlags(_ arguments: [String] = CommandLine.arguments) -> [String] {
    var out: [String] = []
    for a in arguments.dropFirst() {
        if a == "--" { break }
        guard a.hasPrefix("--"), a.count > 2 else { continue }
        out.append(String(a.split(separator: "=", maxSplits: 1)[0]))
    }
    return out
}

/// The values typed for long flag `name` (`--name value` or `--name=value`), in order.
func typedValues(_ name: String, _ arguments: [String] = CommandLine.arguments) -> [String] {
    var out: [String] = [], words = arguments.dropFirst().makeIterator()
    while let a = words.next(), a != "--" {
        if a == name, let v = words.next() { out.append(v) } else if a.hasPrefix(name + "=") { out.append(String(a.dropFirst(name.count + 1))) }
    }
    return out
}
