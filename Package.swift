// swift-tools-version:6.0
import PackageDescription

// Dependencies flow one way: firedrill → Training → Scripting → Simulation (see ../shared/DESIGN.md).
let package = Package(
    name: "Firedrill",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "firedrill", targets: ["firedrill"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        .systemLibrary(
            name: "CLineEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .target(
            name: "Simulation",
            dependencies: [
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        .target(
            name: "Scripting",
            dependencies: ["CLua", "Simulation"]
        ),
        .executableTarget(
            name: "firedrill",
            dependencies: [
                "Scripting",
                "Simulation",
                "CLineEdit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation"]),
        .testTarget(name: "ScriptingTests", dependencies: ["Scripting", "Simulation"]),
        .testTarget(name: "FiredrillTests", dependencies: ["firedrill"]),
    ]
)
