import ExoModel
import ExoStore

extension CacheCoding {
    /// Reads a cached entry's bytes front to back; every read checks its length against
    /// the bytes left and answers nil past them, so a damaged entry reads as a miss.
    package struct Reader {
        let bytes: ArraySlice<UInt8>
        package private(set) var position: Int
        var depth = 0

        package init(_ bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            position = bytes.startIndex
        }

        /// A reader at `position`, `depth` values deep (for `Skipper`).
        init(_ bytes: ArraySlice<UInt8>, at position: Int, depth: Int) {
            self.bytes = bytes
            self.position = position
            self.depth = depth
        }

        package var atEnd: Bool { position == bytes.endIndex }

        package mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
            guard n >= 0, n <= bytes.endIndex - position else { return nil }
            defer { position += n }
            return bytes[position..<(position + n)]
        }

        package mutating func u32() -> UInt32? {
            guard 4 <= bytes.endIndex - position else { return nil }
            let p = position
            position += 4
            return UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
        }

        /// A count of items, each at least one byte long.
        package mutating func count() -> Int? {
            guard let n = u32(), Int(n) <= bytes.endIndex - position else { return nil }
            return Int(n)
        }

        package mutating func string() -> String? {
            guard let n = u32(), let b = take(Int(n)) else { return nil }
            return b.withUnsafeBufferPointer { raw -> String? in
                var ascii = true
                for byte in raw where byte >= 0x80 {
                    ascii = false
                    break
                }
                // ASCII is valid UTF-8: the fast copy; anything else is validated.
                return ascii ? String(decoding: raw, as: UTF8.self) : String(validating: raw, as: UTF8.self)
            }
        }

        package mutating func strings() -> [String]? {
            guard let n = count() else { return nil }
            var out: [String] = []
            out.reserveCapacity(n)
            for _ in 0..<n {
                guard let s = string() else { return nil }
                out.append(s)
            }
            return out
        }

        /// `Value??`: nil when malformed, `.some(nil)` for an absent value.
        package mutating func optional() -> Value?? {
            guard position < bytes.endIndex else { return nil }
            if bytes[position] == 0xFF {
                position += 1
                return .some(nil)
            }
            guard let v = value() else { return nil }
            return .some(v)
        }

        package mutating func value() -> Value? {
            guard depth < 64, let tag = take(1)?.first else { return nil }
            depth += 1
            defer { depth -= 1 }
            switch tag {
            case 0: return .null
            case 1: return .bool(false)
            case 2: return .bool(true)
            case 3: return string().map { .int($0) }
            case 4:
                guard let b = take(8) else { return nil }
                var bits: UInt64 = 0
                for (i, byte) in b.enumerated() { bits |= UInt64(byte) << (8 * UInt64(i)) }
                return .float(Double(bitPattern: bits))
            case 5: return string().map { .string($0) }
            case 6:
                guard let n = count() else { return nil }
                var items: [Value] = []
                for _ in 0..<n {
                    guard let v = value() else { return nil }
                    items.append(v)
                }
                return .list(items)
            case 7:
                guard let n = count() else { return nil }
                var m = OrderedMap()
                for _ in 0..<n {
                    guard let k = string(), let v = value(), !m.contains(k) else { return nil }
                    m.set(k, v)
                }
                return .map(m)
            default: return nil
            }
        }
    }
}
