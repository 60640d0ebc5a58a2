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
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .target(
            name: "ExoCore",
            dependencies: ["CGit2", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .executableTarget(
            name: "ExoGuard",
            dependencies: ["ExoCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "ExoCoreTests", dependencies: ["ExoCore"]),
    ]
)
