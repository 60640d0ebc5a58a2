import CGit2
import ExoModel
import Testing

@testable import ExoEngine
@testable import ExoGit
@testable import ExoGraph
@testable import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// git's file formats read without libgit2, each against files written here by a small
/// writer that follows gitformat-index(5) and gitformat-loose(5): the index in versions 2, 3
/// and 4, its cache tree, a split index's EWAH bitmaps and merge, and loose objects inflated
/// as far as a frontmatter goes.
@Suite struct GitFormatsTests {
    // MARK: - A writer for index files

    struct Entry {
        var path: String
        var id: [UInt8] = Array(repeating: 7, count: 20)
        var stage = 0
        var mode: UInt32 = 0o100644
        var intentToAdd = false
    }

    static func be32(_ v: Int, into out: inout [UInt8]) {
        for shift in [24, 16, 8, 0] { out.append(UInt8(truncatingIfNeeded: v >> shift)) }
    }

    /// An index file: header, entries (version 4 with prefix-compressed paths), the
    /// extensions given, a checksum of zeros (not verified by the reader).
    static func index(_ entries: [Entry], version: Int, extensions: [(String, [UInt8])] = []) -> [UInt8] {
        var out = Array("DIRC".utf8)
        be32(version, into: &out)
        be32(entries.count, into: &out)
        var previous: [UInt8] = []
        for e in entries {
            let start = out.count
            out += [UInt8](repeating: 0, count: 24)
            be32(Int(e.mode), into: &out)
            out += [UInt8](repeating: 0, count: 12)
            out += e.id
            let path = Array(e.path.utf8)
            let extended = e.intentToAdd
            var flags = (e.stage << 12) | min(path.count, 0xFFF)
            if extended { flags |= 0x4000 }
            out += [UInt8(flags >> 8), UInt8(flags & 0xFF)]
            if extended { out += [0x20, 0] }
            if version == 4 {
                let common = zip(previous, path).prefix { $0 == $1 }.count
                out += varint(previous.count - common)
                out += path[common...]
                out.append(0)
            } else {
                out += path
                let length = out.count - start
                out += [UInt8](repeating: 0, count: 8 - length % 8)  // 1 to 8 NULs
            }
            previous = path
        }
        for (signature, data) in extensions {
            out += Array(signature.utf8)
            be32(data.count, into: &out)
            out += data
        }
        return out + [UInt8](repeating: 0, count: 20)
    }

    /// Version 4's offset encoding of how many bytes to strip from the previous path.
    static func varint(_ value: Int) -> [UInt8] {
        var v = value
        var bytes = [UInt8(v & 127)]
        while v >> 7 != 0 {
            v = (v >> 7) - 1
            bytes.insert(UInt8(128 | (v & 127)), at: 0)
        }
        return bytes
    }

    static func parse(_ bytes: [UInt8]) -> IndexFile.Contents? {
        bytes.withUnsafeBufferPointer { IndexFile.parse($0) }
    }

    static func paths(_ c: IndexFile.Contents) -> [String] {
        c.entries.map { String(decoding: c.paths[$0.path], as: UTF8.self) }
    }

    // MARK: - Index entries and versions

    @Test func everyVersionReadsTheSamePaths() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            // Long names make version 4 strip more than 127 bytes: a varint of two bytes.
            let names = ["a", "ab", "abc", "b", "changes", "x.md", "é.md", "modules", String(repeating: "deep", count: 50)]
            var set: Set<String> = []
            for _ in 0..<Int.random(in: 1...40, using: &rng) {
                set.insert(
                    (0..<Int.random(in: 1...4, using: &rng)).map { _ in names.randomElement(using: &rng)! }.joined(separator: "/")
                )
            }
            let entries = set.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map { Entry(path: $0) }
            for version in 2...4 {
                let parsed = try #require(Self.parse(Self.index(entries, version: version)), "version \(version)")
                #expect(Self.paths(parsed) == entries.map(\.path), "version \(version)")
            }
        }
    }

    /// A hook's index read on another thread while libgit2 loads is what the hook then reads
    /// only when the path it opens is the very file the prefetch read: not another file, not
    /// the file replaced since (as git replaces it), and only once.
    @Test func aPrefetchedIndexIsTakenOnlyForTheFileItRead() throws {
        var template = Array("/tmp/exo-guard-prefetch-XXXXXX".utf8CString)
        let dir = String(cString: mkdtemp(&template)!)
        func write(_ path: String, _ names: [String]) {
            let bytes = Self.index(names.map { Entry(path: $0) }, version: 2)
            let file = fopen(path, "w")!
            _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
        }
        let (a, b) = (dir + "/index", dir + "/other")
        write(a, ["a.md", "changes/x.md"])
        write(b, ["b.md"])
        func names(_ index: IndexFile?) -> [String]? {
            index.map { i in i.items.map { String(decoding: i.paths[$0.start..<$0.end], as: UTF8.self) } }
        }
        // Its own file: taken, once, the same as a read of it.
        IndexFile.Prefetched.start(a)
        let (taken, probes) = Probe.recorded { IndexFile.read(a, gitDir: dir) }
        #expect(names(taken) == ["a.md", "changes/x.md"] && probes[.prefetchedIndex] == 1)
        let (again, second) = Probe.recorded { IndexFile.read(a, gitDir: dir) }
        #expect(names(again) == names(taken) && second[.prefetchedIndex] == 0)
        // Another path: not taken.
        IndexFile.Prefetched.start(a)
        let (other, third) = Probe.recorded { IndexFile.read(b, gitDir: dir) }
        #expect(names(other) == ["b.md"] && third[.prefetchedIndex] == 0)
        // The file replaced after the prefetch read it (a new file renamed over it): not taken.
        IndexFile.Prefetched.start(a)
        IndexFile.Prefetched.finished()
        write(b, ["b.md", "changes/y.md"])  // the same size: only the file differs
        rename(b, a)
        let (replaced, fourth) = Probe.recorded { IndexFile.read(a, gitDir: dir) }
        #expect(names(replaced) == ["b.md", "changes/y.md"] && fourth[.prefetchedIndex] == 0)
    }

    /// An object id made from a cache key holds the key's 20 bytes in order, and back.
    @Test func objectIDsAndCacheKeysAreTheSameBytes() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let bytes = (0..<20).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let key = CacheKey(bytes[...])!
            let id = ObjectID(key)
            #expect(withUnsafeBytes(of: id.raw) { Array($0) } == bytes && id.cacheKey == key && key.bytes == bytes)
        }
    }

    /// A tree entry's mode in octal as git writes it, and names checked as UTF-8 as Swift
    /// checks them.
    @Test func treeObjectsWriteModesAndCheckNamesAsBefore() {
        var rng = SystemRandomNumberGenerator()
        for mode in [0, 0o40000, 0o100644, 0o100755, 0o120000, 0o160000]
            + (0..<200).map({ _ in Int.random(in: 0...0o777777, using: &rng) })
        {
            var out: [UInt8] = []
            IndexFile.octal(UInt32(mode), into: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(mode, radix: 8))
        }
        let names: [[UInt8]] = [
            Array("a.md".utf8), Array("caf\u{e9}-long-name.md".utf8), [0x63, 0x61, 0x66, 0xE9], [],
            Array(repeating: 0x41, count: 17) + [0xFF],
        ]
        for name in names {
            let paths = [0x78, 0x2F] + name
            #expect(
                paths.withUnsafeBufferPointer { RawBytes.isUTF8(UnsafeBufferPointer(rebasing: $0[2...])) }
                    == (String(validating: name, as: UTF8.self) != nil))
        }
    }

    @Test func stagesIntentToAddAndDamageAreSeen() throws {
        let entries = [Entry(path: "a.md", stage: 2), Entry(path: "b.md"), Entry(path: "c.md", intentToAdd: true)]
        let parsed = try #require(Self.parse(Self.index(entries, version: 3)))
        #expect(parsed.entries.map(\.stage) == [2, 0, 0])
        #expect(parsed.entries.map(\.intentToAdd) == [false, false, true])
        // The extended flag needs version 3; a sparse folder entry and unknown required
        // extensions are refused, as is every truncation.
        #expect(Self.parse(Self.index(entries, version: 2)) == nil)
        #expect(Self.parse(Self.index([Entry(path: "dir", mode: 0o040000)], version: 2)) == nil)
        #expect(Self.parse(Self.index([Entry(path: "a")], version: 2, extensions: [("sdir", [])])) == nil)
        #expect(Self.parse(Self.index([Entry(path: "a")], version: 2, extensions: [("UNTR", [1, 2])])) != nil)
        let whole = Self.index(entries, version: 4)
        for cut in 0..<(whole.count - 20) {
            #expect(Self.parse(Array(whole[0..<cut]) + [UInt8](repeating: 0, count: 20)) == nil, "cut at \(cut)")
        }
    }

    // MARK: - The cache tree

    @Test func cacheTreeGivesTheIdsOfValidFolders() throws {
        func node(_ name: String, _ count: Int, _ subtrees: Int, id: UInt8?) -> [UInt8] {
            Array("\(name)\0\(count) \(subtrees)\n".utf8) + (id.map { [UInt8](repeating: $0, count: 20) } ?? [])
        }
        // "" (valid) with a/ (invalid: -1) holding a/b/ (valid), then c/ (valid).
        let data = node("", 3, 2, id: 1) + node("a", -1, 1, id: nil) + node("b", 1, 0, id: 2) + node("c", 1, 0, id: 3)
        let parsed = try #require(Self.parse(Self.index([Entry(path: "x")], version: 2, extensions: [("TREE", data)])))
        let trees = try #require(parsed.trees)
        #expect(Set(trees.keys) == ["", "a/b", "c"])
        #expect(trees["a/b"]?.cacheKey.bytes == [UInt8](repeating: 2, count: 20))
        // Two roots, or a count that is not a number, is a damaged extension.
        let twoRoots = node("", 1, 0, id: 1) + node("", 1, 0, id: 1)
        #expect(Self.parse(Self.index([Entry(path: "x")], version: 2, extensions: [("TREE", twoRoots)])) == nil)
        let bad = Array("\u{0}x 0\n".utf8)
        #expect(Self.parse(Self.index([Entry(path: "x")], version: 2, extensions: [("TREE", bad)])) == nil)
    }
}
