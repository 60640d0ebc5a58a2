/// The guard's rules as GUARD.md and GRAPH.md state them, each written as its definition
/// and nothing faster: which files are documents and in what order (the walk), conflicts
/// pair by pair, what a commit adds (new, existing, resolved, activated), the decision, a
/// change taken up and settled, the conflicts across lines of work, and one piece of work
/// on several refs. Nothing here knows a cache, git, a file or a probe; this target imports
/// nothing of the project.
///
/// The engines that run (the walk over snapshots, ExoGraph's indexed and derived views,
/// streamed pairs, the watch's cross states) are written for speed. They call these
/// definitions where a rule is one value's test (`isTakenUp`, `settles`, `decision`) and
/// for one piece of work (`pieces`, `keeper`: the watch gives them the merge bases and
/// ancestry they ask of); where they find the same answer another way, the tests run both
/// on the same random cases and ask for the same answer (RulesTests, WalkRulesTests,
/// OnePieceTests in Tests/ExoCoreTests). The rules the engine calls on every flight are
/// `@inlinable`: specialized for the engine's state where it calls them, not generic calls
/// at run time.
public enum Rules {
    /// Code point order, as Python sorts strings (Swift's `<` on `String` compares by
    /// Unicode canonical equivalence, which is not exo's order).
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }

    /// Equal code point by code point (no Unicode normalization, unlike `String`'s `==`).
    public static func same(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.elementsEqual(b.unicodeScalars)
    }

    /// What the guard does with a commit or push (GUARD.md, "What the guard decides").
    public enum Decision: String, Sendable {
        case pass, warn, block
    }

    /// Against the commit: a new conflict, a doubtful change under `exo.strict`, or a target
    /// that cannot be read (a guard fails closed). Then the mode says block or warn
    /// (`blocks`: mode `block`); else it passes.
    @inlinable public static func decision(
        hasNew: Bool, hasDoubtful: Bool, strict: Bool, targetUnreadable: Bool, blocks: Bool
    ) -> Decision {
        let against = targetUnreadable || hasNew || (strict && hasDoubtful)
        guard against else { return .pass }
        return blocks ? .block : .warn
    }
}
