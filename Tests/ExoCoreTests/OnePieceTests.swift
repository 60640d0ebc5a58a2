import ExoRules
import Testing

/// One piece of work on several refs (GUARD.md): the grouping is the transitive closure of
/// "their merge base holds the change in that state", and the keeper is the ref below every
/// other tip, else the first in the default branch / local / name order.
@Suite struct OnePieceTests {
    typealias Random = DerivedViewTests.Random

    /// The groups of two or more, as the closure of the relation found by a plain search.
    static func closure(_ n: Int, _ linked: Set<[Int]>) -> [[Int]] {
        var seen = Set<Int>()
        var out: [[Int]] = []
        for start in 0..<n where !seen.contains(start) {
            var group: Set<Int> = [start]
            var todo = [start]
            while let i = todo.popLast() {
                for j in 0..<n where !group.contains(j) && (linked.contains([i, j]) || linked.contains([j, i])) {
                    group.insert(j)
                    todo.append(j)
                }
            }
            seen.formUnion(group)
            if group.count > 1 { out.append(group.sorted()) }
        }
        return out
    }

    @Test func piecesAreTheClosureOfSharedHistory() {
        var r = Random(state: 41)
        var grouped = 0
        for _ in 0..<2_000 {
            let n = 1 + r.below(9)
            var linked = Set<[Int]>()
            for i in 0..<n { for j in 0..<n where i < j && r.below(5) == 0 { linked.insert([i, j]) } }
            var asked = Set<[Int]>()
            let found = Rules.pieces(of: Array(0..<n)) { i, j in
                #expect(i < j && asked.insert([i, j]).inserted)
                return linked.contains([i, j])
            }
            #expect(found == Self.closure(n, linked))
            grouped += found.count
        }
        #expect(grouped > 500)
    }

    @Test func theKeeperIsBelowAllElseFirstInOrder() {
        let main = "refs/heads/main"
        let order = { (x: String, y: String) in Rules.keeperOrder(x, y, defaultBranch: main) }
        let refs = ["refs/remotes/origin/a", "refs/heads/z", "refs/heads/\u{e9}", main, "refs/heads/a"]
        // none below all: the default branch, then local branches, then by code point
        #expect(Rules.keeper(of: refs, order: order, isBelowAll: { _ in false }) == main)
        #expect(refs.sorted(by: order) == [main, "refs/heads/a", "refs/heads/z", "refs/heads/\u{e9}", "refs/remotes/origin/a"])
        // one below all wins over the order
        #expect(Rules.keeper(of: refs, order: order, isBelowAll: { $0 == "refs/remotes/origin/a" }) == "refs/remotes/origin/a")
        // several below all (equal tips): the first of them in order
        #expect(
            Rules.keeper(of: refs, order: order, isBelowAll: { $0.hasSuffix("z") || $0.hasSuffix("\u{e9}") }) == "refs/heads/z")
    }
}
