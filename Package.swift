// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "exo-guard",
    products: [
        .executable(name: "exo-guard", targets: ["ExoGuard"]),
        .library(name: "ExoCore", targets: ["ExoCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // libgit2's headers (Debian's libgit2-dev, in /usr/include): the library itself is
        // loaded with dlopen when a command first needs git (Sources/CGit2/shim.h), so no
        // pkg-config link flags.
        .systemLibrary(name: "CGit2"),
        .target(
            name: "ExoCore",
            dependencies: ["CGit2", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .executableTarget(
            name: "ExoGuard",
            dependencies: ["ExoCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            // libgit2 is loaded with dlopen, so the linker no longer sees that these two
            // definitions (Sources/ExoCore/Git/LibGit2.swift) stand in for libraries of its;
            // exported, they come first when libgit2 is bound, in every build.
            linkerSettings: [.unsafeFlags([
                "-Xlinker", "--export-dynamic-symbol=mbedtls_x509_crt_parse_file",
                "-Xlinker", "--export-dynamic-symbol=libssh2_init",
            ])]
        ),
        .testTarget(name: "ExoCoreTests", dependencies: ["ExoCore"]),
    ]
)
