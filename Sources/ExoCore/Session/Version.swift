import ExoGit

/// What `exo-guard --version` says: the version, the commit it was built from (`make
/// release` records it), and the version of the libgit2 it loads.
public enum BuildInfo {
    /// exo-guard's version.
    public static let version = "0.2.0"

    /// The Swift the binary was built with, as exo's receipts name their Python.
    public static var swift: String {
        #if compiler(>=6.3)
            return "6.3"
        #elseif compiler(>=6.2)
            return "6.2"
        #elseif compiler(>=6.1)
            return "6.1"
        #else
            return "6.0"
        #endif
    }

    /// The commit the binary was built from; empty for a build outside `make`.
    public static var commit: String { LibGit2.buildCommit }

    /// The version of the libgit2 this binary loads (loading it), or why it cannot be loaded.
    public static var libgit2: String { LibGit2.version }

    /// The lines `--version` prints.
    public static var description: String {
        let commit = self.commit.isEmpty ? "commit unknown: not built by make" : "commit \(self.commit)"
        return "exo-guard \(version) (\(commit))\nlibgit2 \(libgit2)\n"
    }
}
