import ExoSnapshot
import Testing

@testable import ExoCore
@testable import ExoEngine
@testable import ExoGit
@testable import ExoGraph
@testable import ExoModel

#if canImport(Glibc)
    import Glibc
#endif

/// A target's graph made from its base's and the files that differ between the two commits
/// (`Guard.graph(of:from:...)`, `Graph.applying`) against the plain walk of the target, on
/// random pairs of commits written with `git fast-import`: the same documents in the same
/// order, the same view, the same differences from the base and the same states. With a
/// configuration, an overlay or a symlink changed, or a symlink in the base, it is not made
/// (the walk is). And the two shortcuts that ride on the same tree comparison: the roots
/// known from the base's (`WorkspaceRoot.all(in:knownFrom:)`) and a compared snapshot's
/// entries read from the other (`GitSnapshot.sameOutside`), each against a fresh snapshot.
@Suite struct DerivedGraphTests {
    typealias Random = DerivedViewTests.Random

    static let config = """
        packs = ["coordination"]
        allow_untyped = true
        exclude = ["skipped"]

        [types.module]
        folder = "modules"

        [types.change]
        folder = "changes"
        optional = { touches = "ref-list", gate = "ref" }
        """

    static let folders = ["", "changes", "modules", "changes/old", "notes", "skipped", "node_modules", "deep/a/b"]
    static let names = ["a.md", "b.md", "c.md", "x-1.md", "z.md", "README", "plan.txt"]

    /// A file's bytes: a document with random fields, now and then one whose frontmatter
    /// does not parse.
    static func content(_ r: inout Random) -> String {
        if r.below(12) == 0 { return "---\nstatus: [active\n---\n" }
        var text = "---\nstatus: \(r.pick(["active", "draft", "done", "actve"]))\n"
        if r.below(3) == 0 { text += "assignee: \(r.pick(["ann", "bob"]))\n" }
        let targets = (0..<r.below(3)).map { _ in r.pick(["a", "b", "c", "x-1", "nowhere"]) }
        if !targets.isEmpty { text += "touches: [\(targets.joined(separator: ", "))]\n" }
        if r.below(4) == 0 { text += "gate: \(r.pick(["a", "z"]))\n" }
        return text + "---\nbody \(r.below(1000))\n"
    }

    enum Entry: Equatable {
        case file(String)
        case link(String)
    }

    /// Writes a commit of `files` on `branch`; its id.
    static func commit(_ files: [String: Entry], branch: String, directory: String) -> ObjectID? {
        var stream = "commit refs/heads/\(branch)\ncommitter T <t@example.com> 1700000000 +0000\ndata 1\nc\ndeleteall\n"
        for (path, entry) in files.sorted(by: { $0.key < $1.key }) {
            let (mode, data): (String, String)
            switch entry {
            case .file(let text): (mode, data) = ("100644", text)
            case .link(let target): (mode, data) = ("120000", target)
            }
            stream += "M \(mode) inline \(path)\ndata \(data.utf8.count)\n\(data)\n"
        }
        let input = directory + "/stream-" + branch
        guard let f = fopen(input, "w") else { return nil }
        fputs(stream + "\n", f)
        fclose(f)
        guard system("GIT_DIR='\(directory)' git fast-import --quiet < '\(input)'") == 0,
            let repository = try? Repository(environment: ["GIT_DIR": directory], directory: "/")
        else { return nil }
        return repository.allReferences().first { $0.name == "refs/heads/" + branch }?.id
    }

    /// What an edit touched, so the test knows whether the graph may be made from the base's.
    struct Edits {
        var files: [String: Entry]
        var plain = true
    }

    static func edit(_ files: [String: Entry], _ r: inout Random) -> Edits {
        var out = Edits(files: files)
        for _ in 0..<(1 + r.below(4)) {
            switch r.below(20) {
            case 0:
                out.files["tropo.toml"] = .file(config + "\n# \(r.below(100))\n")
                out.plain = false
            case 1:
                out.files["changes/tropo.toml"] = .file("exclude = [\"a.md\"]\n")
                out.plain = false
            case 2:
                out.files["changes/l.md"] = .link("a.md")
                out.plain = false
            case 3...7:
                if let path = out.files.keys.filter({ $0 != "tropo.toml" }).sorted().randomElement(using: &r) {
                    out.files[path] = nil
                }
            default:
                let path = SnapPath.join(r.pick(folders + ["fresh", "changes/new"]), r.pick(names))
                out.files[path] = .file(content(&r))
            }
        }
        return out
    }

    @Test func theGraphMadeFromTheBaseIsTheWalk() throws {
        var r = Random(state: 0xD1FF)
        var made = 0
        var refused = 0
        for round in 0..<60 {
            let directory = "/tmp/exo-guard-derived-\(getpid())-\(round)"
            defer { _ = system("rm -rf '\(directory)'") }
            try #require(system("git init -q --bare '\(directory)'") == 0)
            var files: [String: Entry] = ["tropo.toml": .file(Self.config)]
            for _ in 0..<(4 + r.below(30)) {
                files[SnapPath.join(r.pick(Self.folders), r.pick(Self.names))] = .file(Self.content(&r))
            }
            let baseLink = r.below(10) == 0
            if baseLink { files["modules/link.md"] = .link("a.md") }
            let edits = Self.edit(files, &r)
            let baseID = try #require(Self.commit(files, branch: "base", directory: directory))
            let targetID = try #require(Self.commit(edits.files, branch: "target", directory: directory))
            let repository = try Repository(environment: ["GIT_DIR": directory], directory: "/")
            let base = try GitSnapshot(repository: repository, commit: baseID, label: "base")
            let target = try GitSnapshot(repository: repository, commit: targetID, label: "target")
            let fresh = try GitSnapshot(repository: repository, commit: targetID, label: "target")

            // The roots, known from the base's when nothing but plain files differ.
            let (roots, seen) = Probe.recorded { WorkspaceRoot.all(in: target, knownFrom: base, cache: ParseCache()) }
            #expect(roots == WorkspaceRoot.all(in: fresh), "round \(round)")
            if edits.plain && !baseLink { #expect(seen[.rootsFromBase] == 1, "round \(round)") }

            let cache = ParseCache()
            let workspace = try Workspace(snapshot: base, root: "", cache: cache)
            let baseGraph = try workspace.graph()
            let baseView = Coordination(baseGraph)
            let walked = try Workspace(snapshot: fresh, root: "", cache: ParseCache()).graph()
            let line = { (s: GitSnapshot, id: ObjectID) in Guard.LineState(snapshot: s, label: "x", commits: [id]) }
            let (derived, probes) = Probe.recorded {
                Guard.graph(
                    of: line(target, targetID), from: line(base, baseID), view: baseView, workspace: workspace,
                    root: Guard.Root(""), cache: cache)
            }
            // A compared snapshot reads what lies outside the differing files from the other one.
            for path in Set(files.keys).union(edits.files.keys).union(Self.folders + ["fresh", "nope.md", "changes/zz"]) {
                #expect(target.kind(path) == fresh.kind(path), "round \(round): \(path)")
                #expect(target.contentKey(path) == fresh.contentKey(path), "round \(round): \(path)")
            }
            // Compared the other way too, neither reads from the other in turn.
            _ = target.changes(to: base, under: "")
            _ = base.changes(to: base, under: "")
            let freshBase = try GitSnapshot(repository: repository, commit: baseID, label: "base")
            for path in files.keys { #expect(base.contentKey(path) == freshBase.contentKey(path), "round \(round): \(path)") }
            guard let derived else {
                refused += 1
                #expect(probes[.derivedGraph] == 0)
                continue
            }
            made += 1
            #expect(edits.plain && !baseLink, "round \(round): made across a configuration or a symlink")
            #expect(probes[.derivedGraph] == 1)
            #expect(derived.documents == walked.documents, "round \(round)")
            #expect(derived.key == walked.key, "round \(round)")

            // The view made from the base's, and what the comparisons read of it.
            let view = try #require(Coordination(derived, derivedFrom: baseView))
            let plain = Coordination(walked)
            #expect(view.active == plain.active, "round \(round)")
            #expect(view.conflicts == plain.conflicts, "round \(round)")
            let ids = Set((baseGraph.documents + walked.documents).map { Exact($0.id) })
            for id in ids {
                let (x, y) = (view.node(id.string), plain.node(id.string))
                #expect(x?.path == y?.path && x?.status == y?.status && x?.assignee == y?.assignee, "round \(round): \(id)")
            }
            #expect(derived.states(of: ids).states == walked.states(of: ids).states, "round \(round)")
            let order = { (d: [GraphDocument]) in d.sorted { Exact($0.path) < Exact($1.path) } }
            let (mine, theirs) = derived.differences(from: baseGraph)
            let (plainMine, plainTheirs) = walked.differences(from: baseGraph)
            #expect(order(mine) == order(plainMine) && order(theirs) == order(plainTheirs), "round \(round)")
            let changed = Coordination.changedIDs(baseGraph, derived, limit: 1000)
            #expect(changed == Coordination.changedIDs(baseGraph, walked, limit: 1000), "round \(round)")
        }
        // Both ways taken. (A document put in a folder the base has none in is walked too:
        // its place among the folders is not known without the listing.)
        #expect(made >= 20 && refused >= 10, "made \(made), refused \(refused)")
    }
}

extension Array {
    fileprivate func randomElement(using r: inout DerivedViewTests.Random) -> Element? {
        isEmpty ? nil : self[r.below(count)]
    }
}
