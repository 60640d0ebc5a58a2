import CZlib
import Testing

@testable import ExoEngine
@testable import ExoGit
@testable import ExoGraph
@testable import ExoModel
@testable import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// A split index (its EWAH bitmaps and its merge onto the shared index) and loose objects
/// read as far as a frontmatter goes, against files written here.
@Suite struct SplitIndexAndObjectsTests {
    typealias Entry = GitFormatsTests.Entry

    /// An EWAH bitmap of `bits` bits with `set` set: runs of all-zero or all-one words as
    /// run-length words, the rest as literals (at most `maxLiterals` after each run word).
    static func ewah(_ set: Set<Int>, bits: Int, maxLiterals: Int = 3) -> [UInt8] {
        let wordCount = (bits + 63) / 64
        let words: [UInt64] = (0..<wordCount).map { w in
            (0..<64).reduce(UInt64(0)) { acc, k in set.contains(w * 64 + k) ? acc | (1 << UInt64(k)) : acc }
        }
        func zeros(_ i: Int) -> Bool { words[i] == 0 }
        func ones(_ i: Int) -> Bool { words[i] == ~0 && (i + 1) * 64 <= bits }
        var out: [UInt64] = []
        var i = 0
        while i < wordCount {
            var run = 0
            let bit: UInt64 = ones(i) ? 1 : 0
            let same = bit == 1 ? ones : zeros
            while i < wordCount, same(i) {
                run += 1
                i += 1
            }
            var literals: [UInt64] = []
            while i < wordCount, literals.count < maxLiterals, !zeros(i), !ones(i) {
                literals.append(words[i])
                i += 1
            }
            out.append(bit | UInt64(run) << 1 | UInt64(literals.count) << 33)
            out += literals
        }
        var bytes: [UInt8] = []
        GitFormatsTests.be32(bits, into: &bytes)
        GitFormatsTests.be32(out.count, into: &bytes)
        for w in out {
            GitFormatsTests.be32(Int(w >> 32), into: &bytes)
            GitFormatsTests.be32(Int(w & 0xFFFF_FFFF), into: &bytes)
        }
        GitFormatsTests.be32(0, into: &bytes)  // the last run word's position: not read
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> [Int]? {
        bytes.withUnsafeBufferPointer { b in
            var p = 0
            guard let bits = IndexFile.ewah(b, &p, end: b.count), p == b.count else { return nil }
            return bits
        }
    }

    @Test func ewahBitmapsDecodeToTheirBits() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let bits = Int.random(in: 0...700, using: &rng)
            var set: Set<Int> = []
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: for b in 0..<bits where Int.random(in: 0..<10, using: &rng) == 0 { set.insert(b) }
            case 1: if bits > 0 { set = Set(0..<Int.random(in: 0...bits, using: &rng)) }  // a long run of ones
            default: for b in 0..<bits where (b / 64) % 3 == 1 { set.insert(b) }  // words of ones between runs of zeros
            }
            let encoded = Self.ewah(set, bits: bits, maxLiterals: Int.random(in: 1...4, using: &rng))
            #expect(Self.decode(encoded) == set.sorted(), "\(bits) bits")
        }
        // A run of ones stops at the bitmap's size; more literals announced than there are
        // words is damage.
        var bad: [UInt8] = []
        GitFormatsTests.be32(64, into: &bad)
        GitFormatsTests.be32(1, into: &bad)
        GitFormatsTests.be32(0, into: &bad)
        GitFormatsTests.be32(2 << 1 | 1, into: &bad)  // a run of 2 words of ones in a 64-bit bitmap
        GitFormatsTests.be32(0, into: &bad)
        #expect(Self.decode(bad) == [Int](0..<64))
        var tooMany: [UInt8] = []
        GitFormatsTests.be32(64, into: &tooMany)
        GitFormatsTests.be32(1, into: &tooMany)
        GitFormatsTests.be32(5 << 1, into: &tooMany)  // 5 literals announced, none there
        GitFormatsTests.be32(0, into: &tooMany)
        GitFormatsTests.be32(0, into: &tooMany)
        #expect(Self.decode(tooMany) == nil)
    }

    @Test func aSplitIndexMergesOntoItsSharedIndex() throws {
        let id = { (n: UInt8) in [UInt8](repeating: n, count: 20) }
        let shared = try #require(
            GitFormatsTests.parse(
                GitFormatsTests.index(
                    [Entry(path: "a.md", id: id(1)), Entry(path: "b.md", id: id(2)), Entry(path: "d.md", id: id(4))],
                    version: 2)))
        // Replace entry 0 (a.md, new content), delete entry 1 (b.md), add c.md and e.md.
        let link = [UInt8](repeating: 9, count: 20) + Self.ewah([1], bits: 3) + Self.ewah([0], bits: 3)
        let split = try #require(
            GitFormatsTests.parse(
                GitFormatsTests.index(
                    [Entry(path: "", id: id(11)), Entry(path: "c.md", id: id(3)), Entry(path: "e.md", id: id(5))],
                    version: 2, extensions: [("link", link)])))
        let linked = try #require(split.link)
        #expect(linked.delete == [1] && linked.replace == [0])
        let merged = try #require(IndexFile.merge(shared: shared, split: split, link: linked))
        let names = merged.entries.map { String(decoding: merged.paths[$0.path], as: UTF8.self) }
        #expect(names == ["a.md", "c.md", "d.md", "e.md"])
        #expect(merged.entries.map { $0.id.bytes[0] } == [11, 3, 4, 5])
        // More replacements than the split file carries entries is damage, seen when read;
        // so is a replacement of an entry past the shared index's end, seen when merged.
        let short = [UInt8](repeating: 9, count: 20) + Self.ewah([], bits: 3) + Self.ewah([0, 1], bits: 3)
        #expect(
            GitFormatsTests.parse(
                GitFormatsTests.index([Entry(path: "", id: id(11))], version: 2, extensions: [("link", short)])) == nil)
        let past = [UInt8](repeating: 9, count: 20) + Self.ewah([], bits: 9) + Self.ewah([7], bits: 9)
        let splitPast = try #require(
            GitFormatsTests.parse(
                GitFormatsTests.index([Entry(path: "", id: id(11))], version: 2, extensions: [("link", past)])))
        #expect(IndexFile.merge(shared: shared, split: splitPast, link: splitPast.link!) == nil)
        // A few bytes that announce a run of two billion ones (found by `make fuzz`: 2 GB and
        // 13 s) are refused at once.
        var run: [UInt8] = []
        GitFormatsTests.be32(Int(Int32.max), into: &run)  // bits
        GitFormatsTests.be32(1, into: &run)  // one word: a run of ones, no literals
        GitFormatsTests.be32(0, into: &run)
        GitFormatsTests.be32((Int(Int32.max) / 64) << 1 | 1, into: &run)
        GitFormatsTests.be32(0, into: &run)
        #expect(Self.decode(run) == nil)
    }

    // MARK: - Loose objects

    /// Writes `content` as a loose blob under `objects` and returns its key (any 20 bytes
    /// name it here: the reader finds the file by the name, and git's hash is not checked).
    static func writeLoose(_ content: [UInt8], objects: String, key: [UInt8]) throws -> CacheKey {
        let raw = Array("blob \(content.count)\0".utf8) + content
        var bound = compressBound(uLong(raw.count))
        var deflated = [UInt8](repeating: 0, count: Int(bound))
        #expect(compress2(&deflated, &bound, raw, uLong(raw.count), 6) == Z_OK)
        let hex = key.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        let folder = objects + "/" + hex.prefix(2)
        mkdir(folder, 0o755)
        let fd = open(folder + "/" + hex.dropFirst(2), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        _ = deflated.withUnsafeBytes { write(fd, $0.baseAddress, Int(bound)) }
        close(fd)
        return CacheKey(key[...])!
    }

    @Test func looseObjectsInflateAsFarAsTheFrontmatterGoes() throws {
        var template = Array("/tmp/exo-guard-loose-XXXXXX".utf8CString)
        let objects = String(cString: mkdtemp(&template)!)
        defer { _ = system("rm -rf '\(objects)'") }
        let reader = BlobPrefixReader(directories: [objects])
        let frontmatter = Array("---\nstatus: active\n---\n".utf8)
        let big = frontmatter + [UInt8](repeating: UInt8(ascii: "x"), count: 3 << 20)
        let key = try Self.writeLoose(big, objects: objects, key: [UInt8](repeating: 0xAB, count: 20))
        // Read whole when asked for all of it; only a prefix when the frontmatter decides.
        #expect(reader.read(key, maxSize: 8 << 20, enough: { _ in false }) == big)
        let prefix = try #require(reader.read(key, maxSize: 8 << 20, enough: Frontmatter.isDecided(byPrefix:)))
        #expect(prefix.starts(with: frontmatter) && prefix.count < 64 << 10)
        // Past the limit with nothing decided: no answer (the caller refuses the document).
        #expect(reader.read(key, maxSize: 1 << 20, enough: { _ in false }) == nil)
        // Small and empty blobs; damaged files read as nothing rather than as wrong bytes.
        let small = try Self.writeLoose(Array("hi".utf8), objects: objects, key: [UInt8](repeating: 1, count: 20))
        #expect(reader.read(small, maxSize: 100, enough: { _ in false }) == Array("hi".utf8))
        let empty = try Self.writeLoose([], objects: objects, key: [UInt8](repeating: 2, count: 20))
        #expect(reader.read(empty, maxSize: 100, enough: { _ in false }) == [])
        // A stream cut short (inflated with Z_FINISH, all input given): no answer either,
        // whether it ends within the first output buffer or past it.
        for size in [100, 5000] {
            let content = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 13) }
            let cut = try Self.writeLoose(content, objects: objects, key: [UInt8](repeating: 3, count: 20))
            #expect(reader.read(cut, maxSize: 1 << 20, enough: { _ in false }) == content)
            let path = objects + "/03/" + String(repeating: "03", count: 19)
            var st = stat()
            stat(path, &st)
            truncate(path, st.st_size - 6)
            #expect(reader.read(cut, maxSize: 1 << 20, enough: { _ in false }) == nil)
        }
        let damaged = objects + "/01/" + String(repeating: "01", count: 19)
        let fd = open(damaged, O_WRONLY | O_TRUNC)
        _ = write(fd, "x\u{9c}garbage", 9)
        close(fd)
        #expect(reader.read(small, maxSize: 100, enough: { _ in false }) == nil)
    }
}
