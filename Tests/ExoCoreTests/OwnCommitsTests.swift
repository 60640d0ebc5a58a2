import Testing

@testable import ExoGit
@testable import ExoModel

#if canImport(Glibc)
    import Glibc
#endif

/// `Repository.tipsWithOwnCommits` (the one walk that spares a push of many refs a merge
/// base per pair of refs) against its definition on random histories written with
/// `git fast-import`: a tip has commits of its own above the base when no other tip reaches
/// a commit it reaches and the base does not. With committer times in order the walk is
/// exact; with times out of order it may give up (nil), never answer wrongly. And what it is
/// for: every other tip's merge base with a tip it names above the base is its merge base
/// with the base.
@Suite struct OwnCommitsTests {
    typealias Random = DerivedViewTests.Random

    struct History {
        var parents: [[Int]] = []
        var times: [Int] = []

        /// Commit `i` and every commit it reaches.
        func ancestors(_ i: Int) -> Set<Int> {
            var seen: Set<Int> = []
            var pending = [i]
            while let c = pending.popLast() {
                guard seen.insert(c).inserted else { continue }
                pending += parents[c]
            }
            return seen
        }

        /// The definition, on commit numbers.
        func own(_ tips: Set<Int>, above base: Int) -> Set<Int> {
            let below = ancestors(base)
            return tips.filter { t in
                guard !below.contains(t) else { return false }
                let mine = ancestors(t).subtracting(below)
                return tips.allSatisfy { u in u == t || ancestors(u).isDisjoint(with: mine) }
            }
        }
    }

    /// A random history: each commit's parents among the ones before (a root now and then,
    /// merges of two or three), times rising, or jittered when `skewed`.
    static func history(_ r: inout Random, size: Int, skewed: Bool) -> History {
        var h = History()
        for i in 0..<size {
            var ps: [Int] = []
            if i > 0 && r.below(12) != 0 {
                ps.append(i - 1 - r.below(min(i, 6)))
                if r.below(5) == 0 { ps.append(r.below(i)) }
                if r.below(20) == 0 { ps.append(r.below(i)) }
            }
            h.parents.append(Array(Set(ps)).sorted())
            h.times.append(1_700_000_000 + i * 60 + (skewed ? r.below(600) - 300 : 0))
        }
        return h
    }

    /// Writes `h` into a new bare repository; its commits' ids in order.
    static func write(_ h: History, into directory: String) -> [ObjectID]? {
        guard system("git init -q --bare '\(directory)'") == 0 else { return nil }
        var stream = ""
        for (i, ps) in h.parents.enumerated() {
            stream += "commit refs/heads/c\(i)\nmark :\(i + 1)\n"
            stream += "committer T <t@example.com> \(h.times[i]) +0000\ndata \("c\(i)".utf8.count)\nc\(i)\n"
            if let first = ps.first { stream += "from :\(first + 1)\n" }
            for p in ps.dropFirst() { stream += "merge :\(p + 1)\n" }
            stream += "\n"
        }
        let input = directory + "/stream"
        let marks = directory + "/marks"
        guard let f = fopen(input, "w") else { return nil }
        fputs(stream, f)
        fclose(f)
        guard system("GIT_DIR='\(directory)' git fast-import --quiet --export-marks='\(marks)' < '\(input)'") == 0,
            let m = fopen(marks, "r")
        else { return nil }
        defer { fclose(m) }
        var ids = [ObjectID?](repeating: nil, count: h.parents.count)
        var line = [CChar](repeating: 0, count: 128)
        while fgets(&line, 128, m) != nil {
            let text = String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let parts = text.split(separator: " ")
            guard parts.count == 2, let n = Int(parts[0].dropFirst()), let id = ObjectID(hex: String(parts[1])) else { continue }
            ids[n - 1] = id
        }
        return ids.allSatisfy { $0 != nil } ? ids.map { $0! } : nil
    }

    @Test func theWalkIsTheDefinition() throws {
        var r = Random(state: 0x0C0_FFEE)
        for round in 0..<12 {
            let skewed = round % 4 == 3
            let h = Self.history(&r, size: 30 + r.below(50), skewed: skewed)
            let directory = "/tmp/exo-guard-own-\(getpid())-\(round)"
            defer { _ = system("rm -rf '\(directory)'") }
            let ids = try #require(Self.write(h, into: directory))
            let repository = try Repository(environment: ["GIT_DIR": directory], directory: "/")
            for _ in 0..<10 {
                let base = r.below(h.parents.count)
                let tips = Set((0..<(2 + r.below(8))).map { _ in r.below(h.parents.count) })
                let expected = h.own(tips, above: base)
                let found = repository.tipsWithOwnCommits(Set(tips.map { ids[$0] }), above: ids[base], limit: 10_000)
                if !skewed { #expect(found != nil, "round \(round)") }
                guard let found else { continue }
                #expect(found == Set(expected.map { ids[$0] }), "round \(round), base \(base), tips \(tips.sorted())")
                // What it is for: with the base below the tip, the other tips' merge bases
                // are the same against either.
                for t in expected where h.ancestors(t).contains(base) {
                    for u in tips where ids[u] != ids[t] {
                        #expect(repository.mergeBase(ids[u], ids[t]) == repository.mergeBase(ids[u], ids[base]))
                    }
                }
            }
        }
    }
}
