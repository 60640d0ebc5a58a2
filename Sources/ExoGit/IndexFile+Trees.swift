import ExoModel
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
        // Written byte by byte into one buffer: a folder of 500 entries made a handful of
        // arrays and strings for each (5,000 instructions an entry; a commit's hook makes the
        // trees of every folder above what it stages).
        var out: [UInt8] = []
        var known = true
        forEachEntry(in: dir) { name, folder, item in
            guard paths.withUnsafeBufferPointer({ RawBytes.isUTF8(UnsafeBufferPointer(rebasing: $0[name])) }) else {
                known = false
                return false
            }
            guard let folder else {
                Self.octal(item.mode, into: &out)
                out.append(UInt8(ascii: " "))
                out.append(contentsOf: paths[name])
                out.append(0)
                item.id.append(to: &out)
                return true
            }
            switch subtree(String(decoding: paths[folder], as: UTF8.self)) {
            case .id(let id):
                out.append(contentsOf: "40000 ".utf8)
                out.append(contentsOf: paths[name])
                out.append(0)
                id.cacheKey.append(to: &out)
            case .empty: break
            case .unknown: known = false
            }
            return known
        }
        return known ? out : nil
    }

    /// `mode` in octal digits, as git writes a tree entry's mode (no leading zero).
    static func octal(_ mode: UInt32, into out: inout [UInt8]) {
        var shift: UInt32 = 0
        while mode >> (shift + 3) != 0 { shift += 3 }
        while true {
            out.append(UInt8(ascii: "0") + UInt8((mode >> shift) & 7))
            if shift == 0 { return }
            shift -= 3
        }
    }
}
