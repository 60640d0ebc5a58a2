/// One piece of work on several refs (GUARD.md, "Across branches").
extension Rules {
    /// X in flight on refs R1 and R2 in the same state, where the merge base of R1 and R2
    /// holds X in that state (`sharedHistory(i, j)`, asked of holders i < j), is one piece of
    /// work; refs linked this way, transitively, hold one piece. `holders` are the refs that
    /// hold X in flight in one state. The groups of two refs or more, each in `holders`'
    /// order, the groups in the order of their first holder.
    public static func pieces<R>(of holders: [R], sharedHistory: (Int, Int) -> Bool) -> [[R]] {
        var group = Array(holders.indices)  // each holder's group: the least index linked to it
        for j in holders.indices {
            for i in holders.indices where i < j && group[i] != group[j] && sharedHistory(i, j) {
                let (from, to) = (max(group[i], group[j]), min(group[i], group[j]))
                for k in holders.indices where group[k] == from { group[k] = to }
            }
        }
        var out: [[R]] = []
        for first in holders.indices where group[first] == first {
            let members = holders.indices.filter { group[$0] == first }
            if members.count > 1 { out.append(members.map { holders[$0] }) }
        }
        return out
    }

    /// The ref a piece of work is listed under: the one whose tip is an ancestor of every
    /// other tip of the group (`isBelowAll`), ties and groups without one broken by `order`
    /// (the default branch first, then local branches before remote-tracking refs, then
    /// ref name): the first in that order that is below all, else the first.
    public static func keeper<R>(of group: [R], order: (R, R) -> Bool, isBelowAll: (R) -> Bool) -> R {
        let ordered = group.sorted(by: order)
        return ordered.first(where: isBelowAll) ?? ordered[0]
    }

    /// `keeper`'s order of refs by name: the default branch, then local branches
    /// (`refs/heads/`), then the rest, then by name in code point order.
    public static func keeperOrder(_ x: String, _ y: String, defaultBranch: String) -> Bool {
        let (dx, dy) = (x == defaultBranch, y == defaultBranch)
        if dx != dy { return dx }
        let (lx, ly) = (x.hasPrefix("refs/heads/"), y.hasPrefix("refs/heads/"))
        if lx != ly { return lx }
        return precedes(x, y)
    }
}
