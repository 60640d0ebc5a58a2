import ExoRules
import Foundation
import Testing

@testable import ExoEngine
@testable import ExoGraph
@testable import ExoModel
@testable import ExoSnapshot

/// Which files are documents and in what order (GRAPH.md §3), written plainly in ExoRules,
/// against what the walk does: its byte-wise walk order, its hashed exclude rules, and the
/// documents of random trees on disk (folders, symlinks inside and outside, excludes at the
/// root and in overlays).
@Suite struct WalkRulesTests {
    typealias Random = DerivedViewTests.Random
    static let names = ["a", "b", "ab", "a.b", "\u{e9}", "e\u{301}", "A", "z", ".git", "node_modules", "x y", "a-"]

    static func randomPath(_ r: inout Random, depth: Int = 4) -> String {
        (0...r.below(depth)).map { _ in r.pick(names) }.joined(separator: "/")
    }

    @Test func theWalkOrderIsTheRule() {
        var r = Random(state: 7)
        for _ in 0..<20_000 {
            let (p, q) = (Self.randomPath(&r), Self.randomPath(&r))
            #expect(Rules.walksBefore(p, q) == (Coordination.walkOrder(p, q) < 0), "\(p) \(q)")
        }
    }

    @Test func exclusionIsTheRule() {
        var r = Random(state: 11)
        let tails = ["", "/", "//", "/**", "/**/", "/**/**", "\\"]
        var excluded = 0
        for _ in 0..<5_000 {
            let patterns = (0..<r.below(4)).map { _ in
                Self.randomPath(&r, depth: 2).replacingOccurrences(of: r.below(4) == 0 ? "/" : "\u{0}", with: "\\")
                    + r.pick(tails)
            }
            let rel = Self.randomPath(&r)
            let rules = ExcludeRules(patterns)
            let plain = Rules.isExcluded(rel, by: patterns)
            #expect(plain == rules.matches(rel), "\(rel) \(patterns)")
            let name = String(rel.split(separator: "/").last!)
            let parent = String(rel.dropLast(name.count).dropLast())
            if parent.isEmpty || !Rules.isExcluded(parent, by: patterns) {
                #expect(plain == rules.matches(rel, entry: name), "\(rel) \(patterns)")
            }
            if plain { excluded += 1 }
        }
        #expect(excluded > 400)
    }

    /// Random trees written to disk and walked by `Workspace` over a `FileSystemSnapshot`:
    /// the documents and their order are the rule's.
    @Test func theDocumentsOfATreeAreTheRule() throws {
        var r = Random(state: 19)
        let fm = FileManager.default
        let folders = ["a", "b", "\u{e9}", "node_modules", "x y", "z"]
        let files = ["n.md", "N.MD", "o.markdown", "p.txt", "README.md", "q.md"]
        var found = 0
        for round in 0..<60 {
            let top = fm.temporaryDirectory.appendingPathComponent("exo-walk-\(getpid())-\(round)").path
            let root = top + "/ws"
            try? fm.removeItem(atPath: top)
            try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
            try "# outside\n".write(toFile: top + "/outside.md", atomically: false, encoding: .utf8)
            defer { try? fm.removeItem(atPath: top) }
            var entries: [String: Rules.Entry] = [:]
            var made = [""]
            for _ in 0..<(3 + r.below(8)) {
                let parent = r.pick(made)
                let path = parent.isEmpty ? r.pick(folders) : parent + "/" + r.pick(folders)
                guard entries[path] == nil, path.split(separator: "/").count <= 3 else { continue }
                let targets = made.filter { !$0.isEmpty }
                if r.below(6) == 0, !targets.isEmpty {
                    let target = r.pick(targets)
                    try fm.createSymbolicLink(atPath: root + "/" + path, withDestinationPath: root + "/" + target)
                    entries[path] = .folderLink
                } else {
                    try fm.createDirectory(atPath: root + "/" + path, withIntermediateDirectories: false)
                    entries[path] = .folder
                    made.append(path)
                }
            }
            var overlays: [(folder: String, patterns: [String])] = []
            for folder in made where entries[folder] == .folder || folder.isEmpty {
                for name in files where r.below(2) == 0 {
                    let path = folder.isEmpty ? name : folder + "/" + name
                    switch r.below(8) {
                    case 0:
                        try fm.createSymbolicLink(atPath: root + "/" + path, withDestinationPath: top + "/outside.md")
                        entries[path] = .outsideLink
                    case 1:
                        try "---\nstatus: draft\n---\n".write(
                            toFile: root + "/" + path + ".real", atomically: false, encoding: .utf8)
                        try fm.createSymbolicLink(atPath: root + "/" + path, withDestinationPath: root + "/" + path + ".real")
                        entries[path] = .file
                        entries[path + ".real"] = .file
                    default:
                        try "---\nstatus: draft\n---\n".write(toFile: root + "/" + path, atomically: false, encoding: .utf8)
                        entries[path] = .file
                    }
                }
                if !folder.isEmpty && r.below(4) == 0 {
                    let patterns = (0..<(1 + r.below(2))).map { _ in
                        r.below(3) == 0 ? r.pick(folders) + "/" + r.pick(files) : r.pick(files + folders)
                    }
                    overlays.append((folder, patterns))
                    let list = patterns.map { "\"\($0)\"" }.joined(separator: ", ")
                    try "exclude = [\(list)]\n".write(
                        toFile: root + "/" + folder + "/tropo.toml", atomically: false, encoding: .utf8)
                    entries[folder + "/tropo.toml"] = .file
                }
            }
            // What the disk shows through a symlinked folder: its target's entries again
            // (the walk never enters it, and the rule must not list them).
            var links: [String: String] = [:]
            for (path, entry) in entries where entry == .folderLink {
                links[path] = try fm.destinationOfSymbolicLink(atPath: root + "/" + path)
            }
            for (link, target) in links {
                let rel = String(target.dropFirst(root.count + 1))
                for (path, entry) in entries where path.hasPrefix(rel + "/") && entry != .folderLink {
                    entries[link + path.dropFirst(rel.count)] = entry
                }
            }
            let rootPatterns = (0..<r.below(3)).map { _ in
                r.below(2) == 0 ? r.pick(folders) : r.pick(folders) + "/" + r.pick(folders)
            }
            let list = rootPatterns.map { "\"\($0)\"" }.joined(separator: ", ")
            try "allow_untyped = true\nexclude = [\(list)]\n".write(
                toFile: root + "/tropo.toml", atomically: false, encoding: .utf8)
            overlays.sort { $0.folder.split(separator: "/").count < $1.folder.split(separator: "/").count }
            let defaults = EffectiveConfig.defaultExclude + rootPatterns
            let expected = Rules.documents(
                entries, excludesFolder: { Rules.isExcluded($0, by: Rules.patterns(in: $0, root: defaults, overlays: overlays)) },
                excludes: { path in
                    let folder = path.split(separator: "/").dropLast().joined(separator: "/")
                    return Rules.isExcluded(path, by: Rules.patterns(in: folder, root: defaults, overlays: overlays))
                })
            let workspace = try Workspace(snapshot: FileSystemSnapshot(), root: root, cache: ParseCache())
            let walked = try workspace.graph().documents.map(\.path)
            #expect(walked == expected, "round \(round): \(entries) \(overlays) \(rootPatterns)")
            found += expected.count
        }
        #expect(found > 200)
    }
}
