import ExoModel
import ExoSnapshot

extension Workspace {
    /// Every document in walk order, with the configuration in force in its folder;
    /// files excluded by that configuration (overlays) are left out.
    func documents(_ visit: (Located) throws(ExoError) -> Void) throws(ExoError) {
        func walk(_ dir: String, _ rel: String, _ depth: Int, _ parent: FolderState?) throws(ExoError) {
            if depth > SnapPath.maxDepth {
                throw .tooDeep(file: snapshot.describe(SnapPath.abbreviated(dir)), limit: SnapPath.maxDepth)
            }
            let folder = try walkFolder(dir, rel: rel, position: nil, parent: parent, visit)
            for sub in folder.subfolders {
                try walk(SnapPath.join(dir, sub.name), SnapPath.join(rel, sub.name), depth + 1, folder.state)
            }
        }
        try walk(root, "", 0, nil)
    }

    /// The nearest folder from `directory` up to the root (inclusive) whose name a type claims.
    /// Its names are read from the end of its path, none copied but the one looked up.
    package func type(of directory: String, config: EffectiveConfig) -> String? {
        if let rel = SnapPath.relative(directory, to: root) {
            for name in rel.utf8.split(separator: UInt8(ascii: "/")).reversed() {
                if let type = config.type(forFolder: String(Substring(name))) { return type }
            }
            return config.type(forFolder: rootName)
        }
        // Not below the root (no caller asks): every folder up to the top.
        var d = directory
        while true {
            if let type = config.type(forFolder: SnapPath.name(d)) { return type }
            if d.isEmpty { return nil }
            d = SnapPath.parent(d)
        }
    }
}
