import Testing

@testable import ExoCore
@testable import ExoEngine
@testable import ExoGraph
@testable import ExoModel
@testable import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// The byte forms of cached results, and the store on disk.
@Suite struct CacheTests {
    static let key = CacheKey(Array(1...20).map(UInt8.init)[...])!

    func doc(_ id: String, status: Value?, targets: [String]) -> GraphDocument {
        GraphDocument(id: id, path: "changes/\(id).md", status: status, assignee: .string("agent-ü"), targets: targets)
    }

    @Test func cacheKeyRoundTrips() {
        let bytes = Array(100..<120).map(UInt8.init)
        let key = CacheKey(bytes[...])!
        #expect(key.bytes == bytes)
        #expect(key.hex == bytes.map { String($0, radix: 16) }.joined())
        #expect(CacheKey(bytes[1...]) == nil)
        // Random keys (bytes below 16 among them) against the plain formatting, both ways in.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let raw = (0..<20).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let plain = raw.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            #expect(CacheKey(raw[...])!.hex == plain)
            #expect(CacheKey.hex(raw) == plain && CacheKey.hex(Array(raw.prefix(7))) == String(plain.prefix(14)))
            var out: [UInt8] = [9]
            LittleEndian.u32(UInt32(raw[0]) << 24 | UInt32(raw[1]) << 8 | UInt32(raw[2]), into: &out)
            #expect(out == [9, raw[2], raw[1], 0, raw[0]])
        }
    }

    @Test func fieldsRoundTrip() {
        let fields = Frontmatter.fields(of: Array("---\nstatus: active\ntouches: [a, 'b']\nn: 1.5\nt: ~\n---\n".utf8))
        let back = CacheCoding.fields(CacheCoding.encode(fields)[...])
        #expect(back?.map == fields.map)
    }

    @Test func subtreeRoundTripsAndRefusesDamage() {
        let child = Subtree(key: Self.key, files: [], children: [])
        let tree = Subtree(
            key: nil,
            files: [
                doc("a", status: .string("active"), targets: ["x", "y"]),
                doc("b", status: nil, targets: []),
            ], children: [child])
        let bytes = CacheCoding.encode(tree)
        let back = CacheCoding.subtree(bytes[...])
        #expect(back?.files.map(\.id) == ["a", "b"])
        #expect(back?.files[0].targets == ["x", "y"])
        #expect(back?.files[1].status == nil)
        #expect(back?.files[0].assignee == .string("agent-ü"))
        #expect(back?.children == [Self.key])
        for cut in [1, 7, bytes.count / 2, bytes.count - 1] {
            #expect(CacheCoding.subtree(bytes[..<cut]) == nil)
        }
        #expect(CacheCoding.subtree((bytes + [0])[...]) == nil)
        // Random folders: statuses and assignees of every kind (strings shared through the
        // table, other values written out, absent), targets repeated: the same documents back.
        var rng = SystemRandomNumberGenerator()
        let names = ["active", "draft", "ü", "", "mod-x", "mod-y"]
        var nested = OrderedMap()
        nested.set("k", .list([.null, .string("ü")]))
        nested.set("j", .map(OrderedMap()))
        let values: [Value?] =
            [nil, .null, .bool(true), .int("3"), .float(1.5), .list([.string("a"), .list([.bool(false)])]), .map(nested)]
            + names.map { .string($0) }
        for _ in 0..<1000 {
            let files = (0..<Int.random(in: 0...8, using: &rng)).map { i in
                GraphDocument(
                    id: "d\(i)", path: "changes/d\(i).md", status: values.randomElement(using: &rng)!,
                    assignee: values.randomElement(using: &rng)!,
                    targets: (0..<Int.random(in: 0...3, using: &rng)).map { _ in names.randomElement(using: &rng)! })
            }
            let encoded = CacheCoding.encode(Subtree(key: nil, files: files, children: [child]))
            let decoded = CacheCoding.subtree(encoded[...])
            #expect(decoded?.files == files && decoded?.children == [Self.key])
            for cut in [0, 3, encoded.count / 2, encoded.count - 1] {
                #expect(CacheCoding.subtree(encoded[..<cut]) == nil)
            }
            // A byte changed anywhere: the check that passes over the documents refuses
            // exactly what decoding them would (nothing it lets through fails to decode).
            guard !encoded.isEmpty else { continue }
            var damaged = encoded
            damaged[Int.random(in: 0..<damaged.count, using: &rng)] = [0xFF, 0xC3, 0x07, 0].randomElement(using: &rng)!
            if let (kept, _) = CacheCoding.subtreeShape(damaged[...]) {
                #expect(CacheCoding.documents(kept).count == kept.count)
            }
        }
        // Not UTF-8, a map with a key twice: refused by the check, as by decoding.
        var bad = CacheCoding.encode(Subtree(key: nil, files: [doc("é", status: nil, targets: [])], children: []))
        bad[bad.firstIndex(of: 0xC3)!] = 0xFF
        #expect(CacheCoding.subtreeShape(bad[...]) == nil)
        var pair = OrderedMap()
        pair.set("k", .null)
        pair.set("j", .null)
        let twice = Value.map(pair)  // read back as a map with "k" twice
        var map = CacheCoding.encode(Subtree(key: nil, files: [doc("m", status: twice, targets: [])], children: []))
        map[map.firstIndex(of: UInt8(ascii: "j"))!] = UInt8(ascii: "k")
        #expect(CacheCoding.subtreeShape(map[...]) == nil)
    }

    @Test func crossStateRoundTripsAndRefusesDamage() {
        func state(_ status: String, _ targets: [String], _ who: Value?) -> ChangeState {
            ChangeState(status: .string(status), targets: targets, assignee: who, path: "changes/x.md", isActive: true)
        }
        let refs = [
            WorkLine(
                ref: "refs/heads/agent/ü",
                items: [
                    WorkLine.Item(id: "c", state: state("active", ["auth", "db"], .string("alice")), takenUpOnLine: false),
                    WorkLine.Item(id: "d", state: state("active", [], nil), takenUpOnLine: true),
                ]),
            WorkLine(ref: "refs/remotes/origin/b", items: []),
        ]
        let conflicts = [
            CrossConflict(a: "b", aRef: nil, b: "c", bRef: "refs/heads/agent/ü", shared: ["auth"]),
            CrossConflict(a: "c", aRef: "refs/heads/agent/ü", b: "e", bRef: "refs/remotes/origin/b", shared: []),
        ]
        let line = WorkLine(
            ref: nil, items: [WorkLine.Item(id: "b", state: state("active", ["auth"], nil), takenUpOnLine: false)])
        let bytes = CacheCoding.encode(CrossState(line: line, refs: refs, conflicts: conflicts))
        let back = CacheCoding.crossState(bytes[...])
        #expect(back?.conflicts == conflicts)
        #expect(back?.line.ref == nil && back?.line.items.map(\.id) == ["b"])
        #expect(back?.refs.map(\.ref) == refs.map(\.ref))
        #expect(back?.refs[0].items.map(\.id) == ["c", "d"])
        #expect(back?.refs[0].items.map(\.state) == refs[0].items.map(\.state))
        #expect(back?.refs[0].items.map(\.state.assignee) == [.string("alice"), nil])
        #expect(back?.refs[0].items.map(\.takenUpOnLine) == [false, true])
        for cut in [0, 3, bytes.count / 2, bytes.count - 1] {
            #expect(CacheCoding.crossState(bytes[..<cut]) == nil)
        }
        #expect(CacheCoding.crossState((bytes + [0])[...]) == nil)
    }

    /// A random view of `names`: up to `items` active items (sorted), up to `pairs` pairs
    /// of up to `shared` names each, and up to `targets` targets an item.
    static func randomView(
        of names: [String], items: Int, pairs: Int, shared: Int, targets: Int, _ rng: inout SystemRandomNumberGenerator
    ) -> (active: [String], pairs: [Coordination.Conflict], targets: [[String]]) {
        let active = Array(Set((0..<Int.random(in: 0...items, using: &rng)).map { _ in names.randomElement(using: &rng)! }))
            .sorted()
        let made = (0..<Int.random(in: 0...pairs, using: &rng)).map { _ in
            Coordination.Conflict(
                a: names.randomElement(using: &rng)!, b: names.randomElement(using: &rng)!,
                shared: (0..<Int.random(in: 0...shared, using: &rng)).map { _ in names.randomElement(using: &rng)! })
        }
        let lists = active.map { _ in
            (0..<Int.random(in: 0...targets, using: &rng)).map { _ in names.randomElement(using: &rng)! }
        }
        return (active, made, lists)
    }

    @Test func coordinationRoundTrips() {
        let conflicts = [
            Coordination.Conflict(a: "a", b: "b", shared: ["x"]),
            Coordination.Conflict(a: "a", b: "c", shared: ["x", "y"]),
        ]
        let targets = [["x"], ["x", "z"], ["x", "y"]]
        let bytes = CacheCoding.encode(active: ["a", "b", "c"], conflicts: conflicts, targets: targets)
        let back = CacheCoding.coordination(bytes[...])
        #expect(back?.active == ["a", "b", "c"])
        #expect(back?.conflicts == conflicts)
        #expect(back?.targets.decoded == targets)
        #expect(CacheCoding.coordination(bytes.dropLast()) == nil)
        // Random views (names repeated across pairs, a name both an item and a target, one
        // no active item holds): the same back; every cut and a number past the table refused.
        var rng = SystemRandomNumberGenerator()
        let names = ["a", "b", "c", "mod-x", "mod-y", "ü", "c"] + (0..<30).map { "change-\($0)" }
        for _ in 0..<200 {
            let (active, pairs, targets) = Self.randomView(of: names, items: 12, pairs: 20, shared: 4, targets: 3, &rng)
            let encoded = CacheCoding.encode(active: active, conflicts: pairs, targets: targets)
            let decoded = CacheCoding.coordination(encoded[...])
            #expect(decoded?.active == active && decoded?.conflicts == pairs && decoded?.targets.decoded == targets)
            // Who points at a few names, read on the numbers: as from the items' targets.
            let wanted = Set((0..<Int.random(in: 1...3, using: &rng)).map { _ in Exact(names.randomElement(using: &rng)!) })
            let excluded = Set(active.prefix(1).map { Exact($0) })
            var expected: [Exact: Set<Exact>] = [:]
            for (id, mine) in zip(active, targets) where !excluded.contains(Exact(id)) {
                for t in mine where wanted.contains(Exact(t)) { expected[Exact(id), default: []].insert(Exact(t)) }
            }
            #expect(decoded?.targets.pointing(at: wanted, excluding: excluded) == expected)
            for cut in [0, 3, encoded.count / 2, encoded.count - 1] where cut < encoded.count {
                #expect(CacheCoding.coordination(encoded[..<cut]) == nil)
            }
            if !pairs.isEmpty || targets.contains(where: { !$0.isEmpty }) {
                // the last number (a pair's or an item's target) made to point past the table
                var bad = encoded
                for k in 0..<4 { bad[bad.count - 4 + k] = 0xFF }
                #expect(CacheCoding.coordination(bad[...]) == nil)
            }
        }
    }

    /// A kept view read as `Reader` reads it, one value at a time: the reference for the
    /// decoder on the bytes themselves.
    static func readWithReader(_ payload: ArraySlice<UInt8>) -> (active: [String], conflicts: [Coordination.Conflict])? {
        var r = CacheCoding.Reader(payload)
        guard let activeCount = r.u32(), let table = r.strings(), Int(activeCount) <= table.count, let n = r.count()
        else { return nil }
        func name() -> String? { r.u32().flatMap { Int($0) < table.count ? table[Int($0)] : nil } }
        var conflicts: [Coordination.Conflict] = []
        for _ in 0..<n {
            guard let a = name(), let b = name(), let k = r.count() else { return nil }
            var shared: [String] = []
            for _ in 0..<k {
                guard let t = name() else { return nil }
                shared.append(t)
            }
            conflicts.append(Coordination.Conflict(a: a, b: b, shared: shared))
        }
        for _ in 0..<activeCount {
            guard let k = r.count() else { return nil }
            for _ in 0..<k where name() == nil { return nil }
        }
        return r.atEnd ? (Array(table[..<Int(activeCount)]), conflicts) : nil
    }

    /// Cut anywhere, or a byte changed anywhere: a kept view is read exactly when the reader
    /// reads it, with the same items and pairs.
    @Test func keptViewDecodesAsTheReaderReadsIt() {
        var rng = SystemRandomNumberGenerator()
        let names = ["a", "b", "mod-x", "ü", "é-long-name-past-fifteen-bytes"] + (0..<12).map { "change-\($0)" }
        for _ in 0..<150 {
            let (active, pairs, targets) = Self.randomView(of: names, items: 6, pairs: 8, shared: 3, targets: 2, &rng)
            let encoded = CacheCoding.encode(active: active, conflicts: pairs, targets: targets)
            var inputs = (0...encoded.count).map { Array(encoded[..<$0]) }
            for _ in 0..<30 {
                var damaged = encoded
                damaged[Int.random(in: 0..<damaged.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                inputs.append(damaged)
            }
            for input in inputs {
                let fast = CacheCoding.coordination(input[...])
                let slow = Self.readWithReader(input[...])
                #expect(fast?.active == slow?.active && fast?.conflicts == slow?.conflicts)
            }
        }
    }

    @Test func storeKeepsKindsApartAndSurvivesAReload() throws {
        var template = Array("/tmp/exo-guard-cache-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            Issue.record("mkdtemp failed")
            return
        }
        let directory = String(cString: made)
        defer { _ = system("rm -rf '\(directory)'") }
        let store = DiskParseStore(directory: directory)
        store.save(.subtree, Self.key, [1, 2, 3])
        store.save(.coordination, Self.key, [4, 5])
        store.flush()
        let reloaded = DiskParseStore(directory: directory)
        #expect(reloaded.load(.subtree, Self.key).map(Array.init) == [1, 2, 3])
        #expect(reloaded.load(.coordination, Self.key).map(Array.init) == [4, 5])
        #expect(reloaded.load(.fields, Self.key) == nil)
        // Appended to the file it read.
        reloaded.save(.roots, Self.key, [6])
        reloaded.flush()
        #expect(DiskParseStore(directory: directory).load(.roots, Self.key).map(Array.init) == [6])
        #expect(DiskParseStore(directory: directory).load(.subtree, Self.key).map(Array.init) == [1, 2, 3])
    }

    /// A run with no cache writes most of it on another thread while it goes on
    /// (`flushSoon`), and `flush` adds the rest: appended, or, when the file must be sorted
    /// anew, with the entries the early write put there.
    @Test func storeWrittenEarlyKeepsEveryEntry() throws {
        var template = Array("/tmp/exo-guard-cache-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            Issue.record("mkdtemp failed")
            return
        }
        let directory = String(cString: made)
        defer { _ = system("rm -rf '\(directory)'") }
        func key(_ i: Int) -> CacheKey { CacheKey((0..<20).map { UInt8(truncatingIfNeeded: i >> (8 * ($0 % 4)) &+ $0) }[...])! }
        func payload(_ i: Int, _ size: Int) -> [UInt8] { (0..<size).map { UInt8(truncatingIfNeeded: i &+ $0) } }

        // No file yet: 300 entries of 1 KiB written early, then 3 more.
        let first = DiskParseStore(directory: directory)
        for i in 0..<300 { first.save(.fields, key(i), payload(i, 1024)) }
        first.save(.subtree, key(400), encoding: { [4, 0, 0] })  // encoded as it is written
        first.flushSoon()
        for i in 300..<303 { first.save(.subtree, key(i), payload(i, 10)) }
        first.save(.subtree, key(401), encoding: { [4, 0, 1] })
        first.flush()
        var reloaded = DiskParseStore(directory: directory)
        for i in [0, 150, 299] { #expect(reloaded.load(.fields, key(i)).map(Array.init) == payload(i, 1024)) }
        for i in 300..<303 { #expect(reloaded.load(.subtree, key(i)).map(Array.init) == payload(i, 10)) }
        #expect(reloaded.load(.subtree, key(400)).map(Array.init) == [4, 0, 0])
        #expect(reloaded.load(.subtree, key(401)).map(Array.init) == [4, 0, 1])

        // Early entries appended to that file; the ones after push its tail past the limit,
        // so it is sorted anew: nothing is lost, the early ones included.
        for i in 1000..<(1000 + DiskParseStore.maxTail - 10) { reloaded.save(.fields, key(i), payload(i, 80)) }
        reloaded.flushSoon()
        for i in 9000..<9020 { reloaded.save(.roots, key(i), payload(i, 5)) }
        reloaded.flush()
        reloaded = DiskParseStore(directory: directory)
        for i in [0, 299] { #expect(reloaded.load(.fields, key(i)).map(Array.init) == payload(i, 1024)) }
        for i in [1000, 2000, 1000 + DiskParseStore.maxTail - 11] {
            #expect(reloaded.load(.fields, key(i)).map(Array.init) == payload(i, 80))
        }
        for i in [9000, 9019] { #expect(reloaded.load(.roots, key(i)).map(Array.init) == payload(i, 5)) }

        // Few entries wait for flush, and a flush with nothing new writes nothing.
        reloaded.save(.roots, key(5), [1])
        reloaded.flushSoon()
        reloaded.flush()
        reloaded.flush()
        #expect(DiskParseStore(directory: directory).load(.roots, key(5)).map(Array.init) == [1])
    }
}
