import ExoEngine
import ExoGit
import ExoGraph
import ExoModel
import ExoStore

/// The parsers that read what a pusher or a damaged file controls, as entry points that take
/// any bytes. `make fuzz` drives them with libFuzzer (Fuzz/, see FUZZING.md); `make test`
/// replays the seed corpora and every regression input through them (FuzzReplayTests). Each
/// must return for every input, never crash, and checks a property of what it read with
/// `precondition`, so that a wrong answer is a crash the fuzzer keeps.
public enum FuzzTargets {
    /// Every target by the name its corpus and regression folders use.
    public static let all: [(name: String, run: @Sendable ([UInt8]) -> Void)] = [
        ("frontmatter", frontmatter),
        ("index", indexFile),
        ("objects", objects),
        ("parse-cache", parseCache),
        ("config", config),
    ]

    /// tropo's frontmatter and YAML subset. Properties: a prefix that decides the frontmatter
    /// (`isDecided`, what lets a blob be read only that far) has the whole file's fields; the
    /// one-pass read of the common shape (`YAMLSubset.simpleMap`), where it answers, reads
    /// the block (or the whole input, as a block) as the full parser does.
    public static func frontmatter(_ bytes: [UInt8]) {
        let whole = Frontmatter.fields(of: bytes)
        let block = Frontmatter.match(bytes).map { Array(bytes[$0.yaml]) } ?? bytes
        if let simple = block.withUnsafeBufferPointer({ YAMLSubset.simpleMap($0) }) {
            let full = try? YAMLSubset.parse(Frontmatter.decode(block), keyLines: false).value
            let same: Bool =
                full.map { full -> Bool in
                    guard case .map(let map) = full else { return false }
                    return CacheCoding.encode(Frontmatter.Fields(map: map, error: nil))
                        == CacheCoding.encode(Frontmatter.Fields(map: simple, error: nil))
                } ?? false
            precondition(same, "the one-pass read of the common shape reads otherwise")
        }
        // The first few line ends where a prefix decides (the reader stops at the first
        // chunk that does), and the middle.
        var cuts = Array(
            bytes.indices.lazy.filter { bytes[$0] == UInt8(ascii: "\n") }.map { $0 + 1 }
                .filter { $0 < bytes.count && Frontmatter.isDecided(byPrefix: Array(bytes[..<$0])) }.prefix(3))
        cuts.append(bytes.count / 2)
        for cut in cuts where cut < bytes.count {
            let prefix = Array(bytes[..<cut])
            guard Frontmatter.isDecided(byPrefix: prefix) else { continue }
            let early = Frontmatter.fields(of: prefix)
            // Compared in the cache's byte form, where a NaN equals itself.
            let same: Bool = CacheCoding.encode(early) == CacheCoding.encode(whole) && early.error == whole.error
            precondition(same, "a deciding prefix of \(cut) bytes reads otherwise")
        }
    }

    /// git's index file (versions 2 to 4, cache tree, split-index link). Property: every
    /// entry's path lies inside the paths read.
    public static func indexFile(_ bytes: [UInt8]) {
        guard let contents = bytes.withUnsafeBufferPointer({ IndexFile.parse($0) }) else { return }
        for e in contents.entries { precondition(e.path.upperBound <= contents.paths.count && e.path.lowerBound >= 0) }
    }

    /// Objects read straight from git's files: a loose object's zlib stream (first byte
    /// even), or a pack index and pack (first byte odd; the next four bytes give the
    /// index's length), every object of which the index names is read. Property: what is
    /// read is never more than asked for, and a prefix is only returned once it decides.
    public static func objects(_ bytes: [UInt8]) {
        guard let kind = bytes.first else { return }
        let maxSize = 1 << 16
        let decides = Frontmatter.isDecided(byPrefix:)
        if kind & 1 == 0 {
            let read = bytes.dropFirst().withUnsafeBytes {
                BlobPrefixReader.inflate($0, size: nil, maxSize: maxSize, enough: decides)
            }
            if let read { precondition(read.count <= maxSize * 5) }
            return
        }
        guard bytes.count >= 5 else { return }
        let length = bytes[1...4].reduce(0) { $0 << 8 | Int($1) }
        guard length <= bytes.count - 5 else { return }
        let index = Array(bytes[5..<(5 + length)])
        let data = Array(bytes[(5 + length)...])
        index.withUnsafeBytes { index in
            data.withUnsafeBytes { data in
                guard let pack = BlobPrefixReader.Pack(index: index, data: data) else { return }
                for i in 0..<min(pack.count, 16) {
                    guard let offset = BlobPrefixReader.find(pack.name(i), in: pack) else { continue }
                    _ = BlobPrefixReader.readPacked(pack, at: offset, maxSize: maxSize, enough: decides)
                }
            }
        }
    }

    /// The cache's entries, as a damaged or foreign cache file would hand them over (first
    /// byte: which kind). Property: what decodes encodes to bytes that decode to the same.
    public static func parseCache(_ bytes: [UInt8]) {
        guard let kind = bytes.first else { return }
        let payload = bytes.dropFirst()
        switch kind % 5 {
        case 0:
            guard let fields = CacheCoding.fields(payload) else { return }
            let again: [UInt8] = CacheCoding.encode(fields)
            precondition(CacheCoding.fields(again[...]).map { CacheCoding.encode($0) } == again)
        case 1:
            guard let strings = CacheCoding.strings(payload) else { return }
            let encoded: [UInt8] = CacheCoding.encode(strings)
            precondition(CacheCoding.strings(encoded[...]) == strings)
        case 2:
            guard let flights = CacheCoding.flights(payload) else { return }
            let again: [UInt8] = CacheCoding.encode(flights)
            precondition(CacheCoding.flights(again[...]).map { CacheCoding.encode($0) } == again)
        case 3: _ = CacheCoding.subtree(payload)
        default: _ = CacheCoding.coordination(payload)?.targets.decoded
        }
    }

    /// A workspace's configuration: TOML, the thin workspace's rules, tighten-only
    /// composition over the bundled packs, the effective configuration. Properties: what
    /// composes once composes again onto itself (composing is idempotent); and the input
    /// merged as an overlay onto the coordination pack's configuration, made from that one
    /// at the cost of what it changed, is the configuration composed whole.
    public static func config(_ bytes: [UInt8]) {
        guard let raw = try? TOMLFile.parse(bytes, file: "fuzz.toml") else { return }
        _ = try? ThinWorkspace.validate(raw)
        var composition = Composition()
        guard (try? composition.merge(raw)) != nil, let effective = try? EffectiveConfig(composition) else { return }
        var twice = composition
        precondition((try? twice.merge(raw)) != nil, "a configuration that loosens itself")
        _ = effective.excludeRules.matches("a/b/c.md")
        overlay(raw)
    }

    private static func overlay(_ raw: OrderedMap) {
        var base = Composition()
        guard let text = BundledPacks.texts["coordination"], let pack = try? TOMLFile.parse(text: text, file: "pack"),
            (try? base.merge(pack)) != nil, let parent = try? EffectiveConfig(base)
        else { return }
        var whole = base
        var extended = base.extended()
        let wholeMerged = (try? whole.merge(raw)) != nil
        precondition(wholeMerged == ((try? extended.merge(raw)) != nil), "an overlay merged unlike the whole")
        guard wholeMerged else { return }
        let full = try? EffectiveConfig(whole)
        let made = try? EffectiveConfig(extended, parent: parent)
        precondition((full == nil) == (made == nil), "an overlay's folders clash unlike the whole's")
        guard let full, let made else { return }
        let types: [String?] = [nil] + whole.typeNameList + ["change", "nope"]
        for type in types {
            precondition(
                Self.specs(full.knownSpecs(type: type)) == Self.specs(made.knownSpecs(type: type)),
                "an overlay's specs unlike the whole's")
            precondition(
                Set(full.referenceFields(type: type)) == Set(made.referenceFields(type: type)),
                "an overlay's reference fields unlike the whole's")
        }
        var paths = ["a/b/c.md", "changes/x.md", "node_modules/x.md"]
        for s in whole.excludeStrings { paths += [s, s + "/x.md", "q/" + s] }
        paths += whole.typeNameList
        for path in paths.prefix(200) {
            precondition(full.excludeRules.matches(path) == made.excludeRules.matches(path), "exclusion unlike the whole's")
            precondition(full.type(forFolder: path) == made.type(forFolder: path), "a folder's type unlike the whole's")
        }
    }

    private static func specs(_ known: some Sequence<(key: Exact, value: Value)>) -> [String] {
        known.map { $0.key.string + "=" + $0.value.pythonRepr }.sorted()
    }
}
