import ExoStore

extension IndexFile {
    /// What a folder of the index is as a tree: the id git would write for it, no tree at
    /// all (nothing in it that git commits), or not known here.
    enum Tree {
        case id(ObjectID)
        case empty
        case unknown
    }

    /// The tree object git would write for `dir` from these entries, for a folder whose
    /// cache-tree node is invalid (`git add` invalidates every folder above what it adds,
    /// and after a commit in the same second as its files, every folder it refreshes): each
    /// entry `mode SP name NUL id` in the index's order, which for the entries of one
    /// folder is git's tree order; each subfolder by `subtree`, left out when it is empty.
    /// nil when the folder's path or a name in it is not UTF-8 (the walk cannot name it).
    func treeObject(_ dir: String, subtree: (String) -> Tree) -> [UInt8]? {
        let prefix: [UInt8] = dir.isEmpty ? [] : Array(dir.utf8) + [UInt8(ascii: "/")]
        var out: [UInt8] = []
        var i = lowerBound(prefix)
        while i < items.count {
            let item = items[i]
            let inside =
                item.end - item.start > prefix.count
                && paths[item.start..<(item.start + prefix.count)].elementsEqual(prefix)
            guard inside else { break }
            let nameStart = item.start + prefix.count
            if let slash = paths[nameStart..<item.end].firstIndex(of: UInt8(ascii: "/")) {
                guard let child = String(validating: paths[item.start..<slash], as: UTF8.self) else { return nil }
                switch subtree(child) {
                case .id(let id):
                    out += Array("40000 ".utf8) + paths[nameStart..<slash] + [0] + id.cacheKey.bytes
                case .empty: break
                case .unknown: return nil
                }
                i = lowerBound(Array(paths[item.start..<slash]) + [UInt8(ascii: "0")])
            } else {
                guard String(validating: paths[nameStart..<item.end], as: UTF8.self) != nil else { return nil }
                out += Array(String(item.mode, radix: 8).utf8) + [UInt8(ascii: " ")] + paths[nameStart..<item.end] + [0]
                out += item.id.bytes
                i += 1
            }
        }
        return out
    }
}
