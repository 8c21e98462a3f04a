// StoredAsArgument: settings stored (summary.json, model.h5) as the words their flags take — one
// Codable implementation for every such setting.

/// A setting whose stored form is its flag's text: `description` writes it, `init?(storedArgument:)` reads it.
public protocol StoredAsArgument: Codable, CustomStringConvertible {
    init?(storedArgument: String)
}

extension StoredAsArgument {
    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let v = Self(storedArgument: s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(s)' is not a valid \(Self.self)"))
        }
        self = v
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
