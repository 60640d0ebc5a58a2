#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File names are bytes; most are UTF-8, and a few are not (`changes/caf\xe9.md`, written
/// in Latin-1). Python reads such a name with `surrogateescape`: each byte that is not
/// UTF-8 becomes a lone surrogate (U+DC80...U+DCFF), which its slug drops, its JSON
/// writes as `\udce9` and a terminal must not be shown raw. A Swift string cannot hold a
/// lone surrogate, so here each such byte becomes a scalar of the last private-use plane,
/// U+10FF80...U+10FFFF, one per byte: the name keeps every byte (it can be shown as
/// `caf\xe9.md`, the file it names), and ids are the same as exo's (slugs keep ASCII only).
public enum RawBytes {
    /// The scalar standing for the byte `byte` (0x80...0xFF) of a name that is not UTF-8.
    @usableFromInline static let base: UInt32 = 0x10_FF00

    /// `bytes` as a string: UTF-8 where they are UTF-8, each other byte as its stand-in.
    @inlinable public static func decode<C: Collection<UInt8>>(_ bytes: C) -> String {
        // Most names are ASCII, which is UTF-8 with nothing to check: the generic check cost
        // a tree of a thousand names a million instructions.
        let ascii = bytes.withContiguousStorageIfAvailable { b in
            b.allSatisfy { $0 < 0x80 } ? String(decoding: b, as: UTF8.self) : nil
        }
        if let ascii = ascii ?? nil { return ascii }
        if let valid = String(validating: bytes, as: UTF8.self) { return valid }
        var out = String.UnicodeScalarView()
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        // The bytes an error spans are read again, one by one, from a second iterator.
        var replay = bytes.makeIterator()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                out.append(Unicode.UTF8.decode(encoded))
                for _ in 0..<encoded.count { _ = replay.next() }
            case .error(let length):
                for _ in 0..<length {
                    let byte = replay.next()!
                    out.append(Unicode.Scalar(base + UInt32(byte))!)
                }
            case .emptyInput:
                return String(out)
            }
        }
    }

    /// Whether `bytes` are UTF-8: ASCII eight bytes at a time, anything else validated (a
    /// kept folder's strings, a staged folder's names: checked by the thousand).
    public static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        if let base = bytes.baseAddress {
            let p = UnsafeRawPointer(base)
            while i + 8 <= bytes.count, p.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
            }
        }
        while i < bytes.count {
            if bytes[i] >= 0x80 { return String(validating: bytes, as: UTF8.self) != nil }
            i += 1
        }
        return true
    }

    /// The NUL-terminated name at `cString`, decoded as `decode` does.
    public static func decode(cString: UnsafePointer<CChar>) -> String {
        let count = strlen(cString)
        return cString.withMemoryRebound(to: UInt8.self, capacity: count + 1) {
            decode(UnsafeBufferPointer(start: $0, count: count))
        }
    }

    /// The byte `scalar` stands for, when it is a stand-in.
    public static func byte(_ scalar: Unicode.Scalar) -> UInt8? {
        scalar.value >= base + 0x80 && scalar.value <= base + 0xFF ? UInt8(scalar.value - base) : nil
    }

    /// The bytes `name` was decoded from: its UTF-8, each stand-in its own byte again.
    public static func encode(_ name: String) -> [UInt8] {
        // A stand-in's UTF-8 starts with 0xF4, as no name's UTF-8 but the last plane's.
        guard name.utf8.contains(0xF4), name.unicodeScalars.contains(where: { byte($0) != nil }) else {
            return Array(name.utf8)
        }
        var out: [UInt8] = []
        for scalar in name.unicodeScalars {
            if let b = byte(scalar) { out.append(b) } else { out += String(scalar).utf8 }
        }
        return out
    }
}
