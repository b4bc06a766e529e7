// swift-tools-version:6.0
import PackageDescription

// Language mode 5 keeps the synchronous, thread-based runtime simple; the code is still
// written to be data-race free (shared state is behind locks).
let package = Package(
    name: "runbook",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "runbook", targets: ["runbook"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CEditLine", path: "Sources/CEditLine", pkgConfig: "libedit",
                       providers: [.apt(["libedit-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .target(name: "RunbookKit", path: "Sources/RunbookKit",
                swiftSettings: [.swiftLanguageMode(.v5)]),
        // The local API server (fixture clusters, snapshots, the node test bed) and the
        // snapshot collector: everything that speaks the Kubernetes API itself.
        .target(name: "ClusterKit", dependencies: ["RunbookKit", "CZlib"], path: "Sources/ClusterKit",
                swiftSettings: [.swiftLanguageMode(.v5)]),
        .target(name: "RunbookCLI",
                dependencies: ["RunbookKit", "ClusterKit", "CEditLine",
                               .product(name: "ArgumentParser", package: "swift-argument-parser")],
                path: "Sources/RunbookCLI",
                swiftSettings: [.swiftLanguageMode(.v5)]),
        // -no-pie: a position-dependent executable needs no load-time relocations, which
        // are most of the start-up of a statically linked Swift program (docs/PERFORMANCE.md).
        // Release only: `make release` links the Swift libraries statically; a debug build
        // links them dynamically, where the loader warns about a position-dependent program.
        .executableTarget(name: "runbook", dependencies: ["RunbookCLI"], path: "Sources/runbook",
                          swiftSettings: [.swiftLanguageMode(.v5)],
                          linkerSettings: [.unsafeFlags(["-Xlinker", "-no-pie"], .when(configuration: .release))]),
        .testTarget(name: "RunbookKitTests", dependencies: ["RunbookKit"],
                    path: "Tests/RunbookKitTests",
                    swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "ClusterKitTests", dependencies: ["ClusterKit", "RunbookKit"],
                    path: "Tests/ClusterKitTests",
                    swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "EndToEndTests", dependencies: ["RunbookKit"],
                    path: "Tests/EndToEndTests",
                    swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)
