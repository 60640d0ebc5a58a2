import ExoRules
import ExoSnapshot
import Testing

@testable import ExoCore
@testable import ExoEngine
@testable import ExoGraph
@testable import ExoModel
@testable import ExoStore

/// The view derived from a near graph must equal the view computed whole, whatever changed:
/// statuses, targets, documents added, removed or moved, ids held by several documents,
/// folders turning into files. Random graphs in tropo's walk order, many mutations each.
@Suite struct DerivedViewTests {
    /// A small deterministic generator (SplitMix64).
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }

    /// A folder tree: files (name -> document fields) and subfolders.
    final class Folder {
        var files: [String: (id: String, status: Value?, targets: [String])] = [:]
        var folders: [String: Folder] = [:]

        /// Documents in tropo's walk order: files by name, then each subfolder by name.
        func documents(_ prefix: String = "") -> [GraphDocument] {
            var out: [GraphDocument] = []
            for name in files.keys.sorted(by: { Exact($0) < Exact($1) }) {
                let f = files[name]!
                out.append(
                    GraphDocument(
                        id: f.id, path: SnapPath.join(prefix, name), status: f.status,
                        assignee: nil, targets: f.targets))
            }
            for name in folders.keys.sorted(by: { Exact($0) < Exact($1) }) {
                out += folders[name]!.documents(SnapPath.join(prefix, name))
            }
            return out
        }

        /// The folder as the walk makes it: a subtree keyed by its path and content (as a
        /// tree id and context key it), so that unchanged folders share keys.
        func subtree(_ prefix: String = "") -> Subtree {
            let own = Folder()
            own.files = files
            let children = folders.keys.sorted(by: { Exact($0) < Exact($1) }).map {
                folders[$0]!.subtree(SnapPath.join(prefix, $0))
            }
            var hasher = Hasher()
            hasher.combine(prefix)
            for d in own.documents(prefix) {
                hasher.combine(d.path)
                hasher.combine(d.id)
                hasher.combine("\(String(describing: d.status))")
                hasher.combine(d.targets)
            }
            for c in children { hasher.combine(c.key!.a) }
            let h = UInt64(bitPattern: Int64(hasher.finalize()))
            let key = CacheKey((0..<20).map { UInt8(truncatingIfNeeded: h >> (8 * UInt64($0 % 8))) }[...])!
            return Subtree(key: key, files: own.documents(prefix), children: children)
        }

        func copy() -> Folder {
            let c = Folder()
            c.files = files
            c.folders = folders.mapValues { $0.copy() }
            return c
        }

        /// Every folder, this one included.
        func all() -> [Folder] { [self] + folders.values.sorted { $0.files.count < $1.files.count }.flatMap { $0.all() } }
    }

    static let ids = (0..<40).map { "c\($0)" } + ["m1", "m2", "gate-a", "Zed", "\u{e9}t\u{e9}", "e\u{301}t\u{e9}"]
    static let targets = ["m1", "m2", "m3", "gate-a", "gate-b", "x", "\u{e9}", "e\u{301}", ""]
    static let statuses: [Value?] = [.string("active"), .string("active"), .string("draft"), nil, .bool(true), .string("Active")]
    static let names = ["a.md", "b.md", "z.md", "a", "b.md.d", "\u{e9}.md", "E.md", "a-b.md", "a.b.md"]

    func randomFile(_ r: inout Random) -> (id: String, status: Value?, targets: [String]) {
        (r.pick(Self.ids), r.pick(Self.statuses), (0..<r.below(4)).map { _ in r.pick(Self.targets) })
    }

    func randomTree(_ r: inout Random) -> Folder {
        let top = Folder()
        for role in ["changes", "modules", "gates", "notes"] {
            let f = Folder()
            top.folders[role] = f
            for _ in 0..<r.below(12) { f.files["\(r.below(30))-" + r.pick(Self.names)] = randomFile(&r) }
            for _ in 0..<r.below(3) {
                let sub = Folder()
                for _ in 0..<r.below(6) { sub.files[r.pick(Self.names)] = randomFile(&r) }
                f.folders[r.pick(Self.names)] = sub
            }
        }
        top.files["readme.md"] = randomFile(&r)
        return top
    }

    func mutate(_ tree: Folder, _ r: inout Random) {
        let folders = tree.all()
        for _ in 0..<(1 + r.below(4)) {
            let f = r.pick(folders)
            switch r.below(7) {
            case 0:  // a status changes
                if let name = f.files.keys.sorted().first { f.files[name]!.status = r.pick(Self.statuses) }
            case 1:  // targets change
                if let name = f.files.keys.sorted().last {
                    f.files[name]!.targets = (0..<r.below(4)).map { _ in r.pick(Self.targets) }
                }
            case 2:  // a document appears
                f.files[r.pick(Self.names)] = randomFile(&r)
            case 3:  // a document goes
                if let name = f.files.keys.sorted().first { f.files[name] = nil }
            case 4:  // a folder appears or goes
                let name = r.pick(Self.names)
                if f.folders[name] == nil {
                    let sub = Folder()
                    sub.files["x.md"] = randomFile(&r)
                    f.folders[name] = sub
                } else {
                    f.folders[name] = nil
                }
            case 5:  // an id moves to another document
                if let name = f.files.keys.sorted().first { f.files[name]!.id = r.pick(Self.ids) }
            default:  // nothing the view reads: the same document again
                break
            }
        }
    }

    @Test func walkOrderAgreesWithTheWalk() {
        var r = Random(state: 1)
        for _ in 0..<200 {
            let docs = randomTree(&r).documents()
            for (x, y) in zip(docs, docs.dropFirst()) {
                #expect(Coordination.walkOrder(x.path, y.path) == -1, "\(x.path) before \(y.path)")
                #expect(Coordination.walkOrder(y.path, x.path) == 1)
            }
            for d in docs { #expect(Coordination.walkOrder(d.path, d.path) == 0) }
        }
        #expect(Coordination.walkOrder("a/b.md", "a/b.md/c.md") == -1)  // a file, then a folder of that name
        #expect(Coordination.walkOrder("a/z.md", "a/b/a.md") == -1)  // files before subfolders
        #expect(Coordination.walkOrder("a/x.md", "ab/a.md") == -1)  // "a" < "ab"
    }

    /// The conflicts' JSON, written straight out from the rule's pairs (ExoRules), is what
    /// the JSON renderer writes.
    @Test func conflictsJSONIsTheRulesPairs() {
        var r = Random(state: 7)
        for _ in 0..<300 {
            let view = Coordination(Graph(documents: randomTree(&r).documents()))
            let expected = Rules.conflicts(active: view.active, targets: { view.targets(of: $0).map(\.string) })
            #expect(view.conflicts == expected)
            // The conflicts' JSON, written straight out, is what the JSON renderer writes.
            let rendered =
                JSON.object([
                    ("active", .strings(view.active)),
                    ("conflicts", .array(expected.map(ExoOutput.conflictJSON))),
                ]).rendered() + "\n"
            #expect(ExoOutput.conflicts(view, json: true) == rendered)
        }
    }

    @Test func derivedViewEqualsTheWholeView() {
        var r = Random(state: 42)
        var derived = 0
        for _ in 0..<600 {
            let before = randomTree(&r)
            let after = before.copy()
            mutate(after, &r)
            let base = Coordination(Graph(documents: before.documents()))
            let target = Graph(documents: after.documents())
            let whole = Coordination(target)
            guard let fast = Coordination(target, derivedFrom: base) else { continue }
            derived += 1
            #expect(fast.active == whole.active)
            #expect(fast.conflicts == whole.conflicts)
            // The guard's comparison, which looks only at the changed ids' pairs (and really
            // does: the probes this comparison alone hit).
            let (slow, plain) = Probe.recorded { GraphDiff(base: base, target: whole) }
            let (quick, seen) = Probe.recorded { GraphDiff(base: base, target: fast) }
            #expect(seen[.changedPairsDiff] == 1 && seen[.wholeDiff] == 0 && seen[.streamedDiff] == 0)
            #expect(plain[.changedPairsDiff] == 0 && plain[.wholeDiff] + plain[.streamedDiff] == 1)
            #expect(fast.derivation != nil)
            #expect(quick.new == slow.new)
            #expect(quick.existing == slow.existing)
            #expect(quick.resolved == slow.resolved)
            #expect(quick.activated == slow.activated)
            // From the folders as the walk makes them: unchanged ones are passed over.
            let baseTree = Graph(top: before.subtree())
            let targetTree = Graph(top: after.subtree())
            #expect(targetTree.documents.map(\.path) == target.documents.map(\.path))
            let fromTrees = Coordination(targetTree, derivedFrom: Coordination(baseTree))
            #expect(fromTrees?.active == whole.active)
            #expect(fromTrees?.conflicts == whole.conflicts)
            #expect(Coordination(baseTree, derivedFrom: Coordination(baseTree))?.conflicts == base.conflicts)
            // And from a base whose conflicts came from the cache (known, not computed).
            let cachedBase = Coordination(Graph(documents: before.documents()), active: base.active, conflicts: base.conflicts)
            #expect(Coordination(target, derivedFrom: cachedBase)?.conflicts == whole.conflicts)
        }
        #expect(derived > 500)
    }

    /// `Coordination.view` takes the way it says, and each way's view is the whole one:
    /// derived from a near view when one is given and few ids differ, else computed whole.
    @Test func theViewIsMadeTheWayItSays() {
        var r = Random(state: 43)
        let cache = ParseCache()
        var ways = (derived: 0, whole: 0)
        for _ in 0..<200 {
            let before = randomTree(&r)
            let after = before.copy()
            mutate(after, &r)
            let near = Coordination(Graph(documents: before.documents()))
            let graph = Graph(documents: after.documents())
            let (view, seen) = Probe.recorded { Coordination.view(of: graph, near: near, cache: cache) }
            #expect(view.conflicts == Coordination(graph).conflicts && view.active == Coordination(graph).active)
            if Coordination(graph, derivedFrom: near) != nil {
                #expect(seen[.derivedView] == 1 && seen[.wholeView] == 0)
                ways.derived += 1
            } else {
                #expect(seen[.wholeView] == 1 && seen[.derivedView] == 0)
                ways.whole += 1
            }
            let (_, alone) = Probe.recorded { Coordination.view(of: graph, cache: cache) }
            #expect(alone[.wholeView] == 1 && alone[.derivedView] == 0)
        }
        #expect(ways.derived > 100)
    }
}
