// swift-tools-version:6.0
import PackageDescription

// The targets follow the data flow, and each may import only those before it:
//
//   ExoRules   the guard's rules as their definitions, plain: imports nothing of the project
//   ExoModel   values, tropo's frontmatter language, errors, configuration composition
//   ExoStore   the cache file: 20-byte keys to bytes, mapped, shared between runs
//   ExoSnapshot  what the graph reads: a tree of paths to bytes (the protocol and its opt-in
//              capabilities, files on disk, the empty snapshot, an overlay); nothing of documents
//   ExoGraph   workspaces, the walk and its cache, the graph, exo's view, branches' rules, the
//              engine interface and the plain engine
//   ExoEngine  the fast engine: views derived or kept, pairs read from an index and streamed,
//              graphs made from a near one's and the files that differ, cross state, codecs
//   ExoGit     the only library target that sees libgit2 (CGit2) and zlib (CZlib): repositories, refs,
//              git snapshots, git's index and object files read directly
//   ExoCore    the session (one composition root), the guard, hooks and reports
//   ExoGuard   the `exo-guard` executable: command-line parsing over ExoCore, the verdict
//              printed (the session decides it: Session+Judge.swift), and the one libgit2 interposition
//
// ExoFuzzTargets puts the parsers a pusher reaches behind entry points for Fuzz/ (libFuzzer).
let package = Package(
    name: "exo-guard",
    products: [
        .executable(name: "exo-guard", targets: ["ExoGuard"]),
        .library(name: "ExoCore", targets: ["ExoCore"]),
        .library(name: "ExoFuzzTargets", targets: ["ExoFuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Persistent hash trees (TreeSet, TreeDictionary): a nested overlay's configuration
        // shares its parent's and costs only what it adds (ExoModel's Config).
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        // TOMLKit 0.6.0, vendored with one fix: toml++'s assertions throw (Vendor/TOMLKit).
        .package(path: "Vendor/TOMLKit"),
    ],
    targets: [
        // libgit2's headers (Debian's libgit2-dev, in /usr/include): the library itself is
        // loaded with dlopen when a command first needs git (Sources/CGit2/shim.h), so no
        // pkg-config link flags.
        .systemLibrary(name: "CGit2"),
        // zlib (Debian's zlib1g-dev, a dependency of libgit2-dev), linked: git's object
        // files are read as far as a document's frontmatter goes (ExoGit's BlobPrefixReader).
        .systemLibrary(name: "CZlib"),
        .target(
            name: "ExoModel",
            dependencies: [
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "HashTreeCollections", package: "swift-collections"),
            ]),
        .target(name: "ExoRules"),
        .target(name: "ExoStore"),
        .target(name: "ExoSnapshot", dependencies: ["ExoModel", "ExoStore"]),
        .target(name: "ExoGraph", dependencies: ["ExoRules", "ExoModel", "ExoStore", "ExoSnapshot"]),
        .target(name: "ExoEngine", dependencies: ["ExoRules", "ExoModel", "ExoStore", "ExoSnapshot", "ExoGraph"]),
        .target(name: "ExoGit", dependencies: ["ExoModel", "ExoStore", "ExoSnapshot", "CGit2", "CZlib"]),
        .target(
            name: "ExoCore",
            dependencies: ["ExoRules", "ExoModel", "ExoStore", "ExoSnapshot", "ExoGraph", "ExoEngine", "ExoGit"],
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]),
        // The fuzz targets' entry points, for Fuzz/ (libFuzzer) and the replay in the tests.
        .target(
            name: "ExoFuzzTargets", dependencies: ["ExoModel", "ExoStore", "ExoSnapshot", "ExoGraph", "ExoEngine", "ExoGit"]),
        .executableTarget(
            name: "ExoGuard",
            dependencies: ["ExoCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            // libgit2 is loaded with dlopen, so the linker no longer sees that this
            // definition (Sources/ExoGuard/Interpositions.swift, in the executable only,
            // never in a library product) stands in for a library of its; exported, it
            // comes first when libgit2 is bound, in every build.
            linkerSettings: [
                .unsafeFlags([
                    "-Xlinker", "--export-dynamic-symbol=mbedtls_x509_crt_parse_file",
                ])
            ]
        ),
        .testTarget(
            name: "ExoCoreTests",
            dependencies: [
                "CGit2", "CZlib", "ExoRules", "ExoModel", "ExoStore", "ExoSnapshot", "ExoGraph", "ExoEngine", "ExoGit", "ExoCore",
                "ExoFuzzTargets",
            ]),
    ]
)
