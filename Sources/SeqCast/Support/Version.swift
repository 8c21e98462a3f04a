// Version: the seqcast version, written into every output file and printed by --version.

public let seqcastVersion = "0.2.0"
