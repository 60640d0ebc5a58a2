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
        var out: [UInt8] = []
        var known = true
        forEachEntry(in: dir) { name, folder, item in
            guard String(validating: paths[name], as: UTF8.self) != nil else {
                known = false
                return false
            }
            guard let folder else {
                out += Array(String(item.mode, radix: 8).utf8) + [UInt8(ascii: " ")] + paths[name] + [0] + item.id.bytes
                return true
            }
            switch subtree(String(decoding: paths[folder], as: UTF8.self)) {
            case .id(let id): out += Array("40000 ".utf8) + paths[name] + [0] + id.cacheKey.bytes
            case .empty: break
            case .unknown: known = false
            }
            return known
        }
        return known ? out : nil
    }
}
