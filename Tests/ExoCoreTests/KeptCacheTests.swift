import Testing

@testable import ExoEngine
@testable import ExoGraph
@testable import ExoModel
@testable import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// What the cache keeps read back only as far as a run asks: a folder's documents decoded
/// when first asked for, passed over by a filter of their ids, a view's active items'
/// targets kept with it.
@Suite struct KeptCacheTests {
    static let key = CacheKey(Array(1...20).map(UInt8.init)[...])!

    func doc(_ id: String, status: Value?, targets: [String]) -> GraphDocument {
        GraphDocument(id: id, path: "changes/\(id).md", status: status, assignee: nil, targets: targets)
    }

    /// The documents `Reader` reads from a folder's entry, one by one (what the entry held
    /// before folders were checked first and decoded when asked for).
    static func readOneByOne(_ payload: ArraySlice<UInt8>) -> [GraphDocument]? {
        var r = CacheCoding.Reader(payload)
        guard let n = r.count() else { return nil }
        var files: [GraphDocument] = []
        for _ in 0..<n {
            guard let id = r.string(), let path = r.string(), let status = r.optional(), let assignee = r.optional(),
                let t = r.count()
            else { return nil }
            var targets: [String] = []
            for _ in 0..<t {
                guard let s = r.string() else { return nil }
                targets.append(s)
            }
            files.append(GraphDocument(id: id, path: path, status: status, assignee: assignee, targets: targets))
        }
        guard let c = r.count(), r.take(20 * c) != nil, r.atEnd else { return nil }
        return files
    }

    /// Cut anywhere, or a byte changed anywhere: a folder's entry is taken exactly when
    /// reading it document by document succeeds, with the same documents.
    @Test func checkedFolderAgreesWithReadingItOneByOne() {
        var rng = SystemRandomNumberGenerator()
        var map = OrderedMap()
        map.set("k", .list([.float(2.5), .string("ü")]))
        let values: [Value?] = [nil, .null, .bool(false), .int("7"), .float(0.5), .list([.float(1), .null]), .map(map)]
        let child = Subtree(key: Self.key, files: [], children: [])
        for _ in 0..<300 {
            let files = (0..<Int.random(in: 0...4, using: &rng)).map { i in
                GraphDocument(
                    id: "d\(i)é", path: "changes/d\(i).md", status: values.randomElement(using: &rng)!,
                    assignee: values.randomElement(using: &rng)!,
                    targets: (0..<Int.random(in: 0...2, using: &rng)).map { "t\($0)" })
            }
            let encoded = CacheCoding.encode(Subtree(key: nil, files: files, children: [child]))
            var inputs = (0...encoded.count).map { Array(encoded[..<$0]) }
            for _ in 0..<20 where !encoded.isEmpty {
                var damaged = encoded
                damaged[Int.random(in: 0..<damaged.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                inputs.append(damaged)
            }
            for input in inputs {
                let expected = Self.readOneByOne(input[...])
                #expect(CacheCoding.subtree(input[...])?.files == expected)
                // Read in place in a mapped file: the same (maps copied and read as a copy).
                let inPlace = CacheCoding.subtreeShape(Self.mapped(input))
                let copied = CacheCoding.subtreeShape(input[...])
                #expect(inPlace.map { CacheCoding.documents($0.files) } == expected && inPlace?.children == copied?.children)
            }
        }
    }

    /// `bytes` in a mapping of their own, as the store's file holds an entry.
    static func mapped(_ bytes: [UInt8]) -> MappedBytes {
        let size = max(bytes.count, 1)
        let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        bytes.withUnsafeBytes { if let b = $0.baseAddress { base.copyMemory(from: b, byteCount: $0.count) } }
        return MappedBytes(mapping: Mapping(UnsafeRawBufferPointer(start: base, count: size)), range: 0..<bytes.count)
    }

    /// A view of a graph read back from the store answers of an id (its node, targets and
    /// state) as the plain view of the same documents does: folder by folder, decoding only
    /// the folders that may hold it, for the first ids; through its lookup tables after.
    @Test func keptGraphAnswersOfIDsAsThePlainViewDoes() throws {
        var template = Array("/tmp/exo-guard-cache-test-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { _ = system("rm -rf '\(directory)'") }
        var rng = SystemRandomNumberGenerator()
        let store = DiskParseStore(directory: directory)
        var children: [Subtree] = []
        var all: [GraphDocument] = []
        for f in 0..<6 {
            // Ids repeated across folders: the last in walk order is the node, every one's
            // targets count.
            let files = (0..<30).map { i in
                GraphDocument(
                    id: "c\(Int.random(in: 0..<120, using: &rng))", path: "changes/f\(f)/d\(i).md",
                    status: .string(["active", "draft"].randomElement(using: &rng)!), assignee: nil,
                    targets: (0..<Int.random(in: 0...3, using: &rng)).map { _ in "m\(Int.random(in: 0..<9, using: &rng))" })
            }
            let key = CacheKey((0..<20).map { UInt8($0 + f + 30) }[...])!
            store.save(.subtree, key, CacheCoding.encode(Subtree(key: key, files: files, children: [])))
            children.append(Subtree(key: key, files: [], children: []))
            all += files
        }
        store.save(.subtree, Self.key, CacheCoding.encode(Subtree(key: Self.key, files: [], children: children)))
        store.flush()
        let plain = Coordination(Graph(documents: all))
        let top = try #require(ParseCache(store: DiskParseStore(directory: directory)).subtree(Self.key))
        let kept = Coordination(Graph(top: top), active: [], conflicts: [])
        let (_, first) = Probe.recorded {
            #expect(kept.node("c999") == nil && kept.targets(of: "c999").isEmpty && kept.state(of: "c999") == nil)
        }
        #expect(first[.decodedFolder] <= 1)  // a filter's "may" at most, however many folders
        for i in 0..<130 {
            let id = "c\(i)"
            #expect(kept.node(id)?.path == plain.node(id)?.path && kept.node(id)?.status == plain.node(id)?.status)
            #expect(kept.targets(of: id) == plain.targets(of: id) && kept.state(of: id) == plain.state(of: id))
        }
    }

    /// Numbered by a string's words first, by its bytes after: the numbers of a plain
    /// numbering by bytes, for names small and large, equal names made apart (different
    /// storage), copies of one string, and strings equal as Swift strings but not as bytes.
    @Test func nameTableNumbersAsByBytes() {
        var rng = SystemRandomNumberGenerator()
        let stems = [
            "a", "mod-7", "change-1234", "a-name-long-enough-to-be-stored-apart",
            "b-name-long-enough-to-be-stored-apart", "é", "e\u{301}", "ü-long-name-üüüüüüüü",
        ]
        for _ in 0..<200 {
            let prefix = Array(Set((0..<Int.random(in: 0...3, using: &rng)).map { _ in stems.randomElement(using: &rng)! }))
            var table = NameTable(prefix: prefix)
            var plain: [Exact: UInt32] = [:]
            var order = prefix
            for (i, p) in prefix.enumerated() where plain[Exact(p)] == nil { plain[Exact(p)] = UInt32(i) }
            for _ in 0..<60 {
                let stem = stems.randomElement(using: &rng)!
                // The same name as a copy, or made anew from its bytes (its own storage).
                let name = Bool.random(using: &rng) ? stem : String(decoding: Array(stem.utf8), as: UTF8.self)
                let expected = plain[Exact(name)] ?? UInt32(order.count)
                if plain[Exact(name)] == nil {
                    plain[Exact(name)] = expected
                    order.append(name)
                }
                #expect(table.number(name) == expected)
            }
            #expect(table.names.map { Exact($0) } == order.map { Exact($0) })
        }
        // Thousands of names, each met three times (the table of words grows on the way).
        var table = NameTable()
        let names = (0..<3000).map { $0 % 2 == 0 ? "c\($0)" : "a-large-name-stored-apart-\($0)" }
        for round in 0..<3 {
            for (i, name) in names.enumerated() {
                let asked = round == 1 ? String(decoding: Array(name.utf8), as: UTF8.self) : name
                #expect(table.number(asked) == UInt32(i))
            }
        }
        #expect(table.names == names)
    }

    /// Every id noted is a "may"; of ids never noted, few are.
    @Test func idFilterNeverMissesAndSeldomErrs() {
        var rng = SystemRandomNumberGenerator()
        for count in [0, 1, 7, 500, 3000] {
            let noted = (0..<count).map { "change-\($0)-\(UInt32.random(in: 0...UInt32.max, using: &rng))" }
            var filter = IDFilter(count: count)
            for id in noted {
                var s = id
                s.withUTF8 { filter.insert($0) }
            }
            #expect(noted.allSatisfy { filter.mayHold(Exact($0)) })
            let others = (0..<2000).map { "other-\($0)-ü" }
            let wrong = others.filter { filter.mayHold(Exact($0)) }.count
            #expect(wrong < 2000 / 10, "\(wrong) of 2000 ids never noted may be among \(count)")
        }
    }

    /// A kept view that cannot be read back (damaged, or of another form) is computed and
    /// written anew, not left to be refused by every run after.
    @Test func unreadableKeptViewIsWrittenAnew() throws {
        var template = Array("/tmp/exo-guard-cache-test-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { _ = system("rm -rf '\(directory)'") }
        let graph = Graph(
            documents: [
                doc("a", status: .string("active"), targets: ["x"]), doc("b", status: .string("active"), targets: ["x"]),
            ], key: Self.key)
        let store = DiskParseStore(directory: directory)
        store.save(.coordination, Self.key, [1, 2, 3])
        store.flush()
        let (first, seen) = Probe.recorded {
            let cache = ParseCache(store: DiskParseStore(directory: directory))
            defer { cache.flush() }
            return Coordination.view(of: graph, cache: cache)
        }
        #expect(seen[.wholeView] == 1 && first.conflicts.count == 1)
        let again = try #require(ParseCache(store: DiskParseStore(directory: directory)).cachedView(of: graph))
        #expect(again.conflicts == first.conflicts && again.activeTargets == ["a": ["x"], "b": ["x"]])
    }

    /// A folder the store kept is decoded when its documents are first asked for, once; its
    /// subfolders are read with it, undecoded.
    @Test func keptFolderIsDecodedWhenAskedFor() throws {
        var template = Array("/tmp/exo-guard-cache-test-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { _ = system("rm -rf '\(directory)'") }
        let childKey = CacheKey(Array(21...40).map(UInt8.init)[...])!
        let store = DiskParseStore(directory: directory)
        let own = [doc("a", status: .string("active"), targets: ["x"])]
        let below = [doc("b", status: nil, targets: ["y", "z"])]
        store.save(.subtree, childKey, CacheCoding.encode(Subtree(key: childKey, files: below, children: [])))
        let child = Subtree(key: childKey, files: [], children: [])
        store.save(.subtree, Self.key, CacheCoding.encode(Subtree(key: Self.key, files: own, children: [child])))
        store.flush()
        let (top, read) = Probe.recorded { ParseCache(store: DiskParseStore(directory: directory)).subtree(Self.key) }
        #expect(read[.decodedFolder] == 0 && top?.children.count == 1)
        let (files, asked) = Probe.recorded { (top?.files, top?.files, top?.children.first?.files) }
        #expect(files.0 == own && files.1 == own && files.2 == below)
        #expect(asked[.decodedFolder] == 2)
    }

    /// A kept tree is read level by level, a level's folders checked together on every core
    /// once they hold enough bytes: the same folders as read one by one. A tree with a folder
    /// missing from the store or malformed is not taken; its whole folders still are.
    @Test func keptTreeIsCheckedLevelByLevelTogether() throws {
        var template = Array("/tmp/exo-guard-cache-test-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { _ = system("rm -rf '\(directory)'") }
        func key(_ n: Int) -> CacheKey { CacheKey((0..<20).map { UInt8(($0 + n) % 256) }[...])! }
        func docs(_ f: Int) -> [GraphDocument] {
            (0..<400).map { doc("c\(f)-\($0)", status: .string("draft"), targets: ["m\($0 % 7)", "gate-\(f)"]) }
        }
        func write(_ folders: [Int: [UInt8]]) {
            let store = DiskParseStore(directory: directory)
            for (n, payload) in folders { store.save(.subtree, key(n), payload) }
            store.flush()
        }
        let leaf = Subtree(key: key(9), files: docs(9), children: [])
        var folders: [Int: [UInt8]] = [9: CacheCoding.encode(leaf)]
        var children: [Subtree] = []
        for f in 1...4 {
            let below = f == 2 ? [leaf] : []
            folders[f] = CacheCoding.encode(Subtree(key: key(f), files: docs(f), children: below))
            children.append(Subtree(key: key(f), files: [], children: below))
        }
        folders[0] = CacheCoding.encode(Subtree(key: key(0), files: [], children: children))
        write(folders)
        let (top, read) = Probe.recorded { ParseCache(store: DiskParseStore(directory: directory)).subtree(key(0)) }
        #expect(read[.checkedTogether] == 4 && read[.folderInPlace] == 6 && top?.children.count == 4)
        #expect(top?.children.map { $0.files } == (1...4).map(docs) && top?.children[1].children.first?.files == docs(9))
        // Folder 3 gone, then malformed: the tree is not taken, folder 1 (whole) still is.
        for damaged in [nil, [UInt8](folders[3]!.prefix(99))] {
            _ = system("rm -rf '\(directory)'/*")
            var some = folders
            some[3] = damaged
            write(some)
            let cache = ParseCache(store: DiskParseStore(directory: directory))
            #expect(cache.subtree(key(0)) == nil && cache.subtree(key(1))?.files == docs(1))
        }
    }
}
