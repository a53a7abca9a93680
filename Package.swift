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
        // YAML for `kubectl apply -f` manifests and `-o yaml` output.
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // The real kubectl's endpoint (KubeAPI): HTTPS with a CA made at start, so kubectl verifies
        // the server and presents a per-session client certificate. Only KubeAPI and firedrill
        // depend on these; Simulation, Scripting and Training stay free of NIO.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // The sandbox in C: allocator, budget, trampoline, and the bounded, deterministic library
        // functions that replace Lua's own where those could run unbounded or print addresses.
        .target(name: "CLuaSandbox", dependencies: ["CLua"]),
        .systemLibrary(
            name: "CLineEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .target(
            name: "Simulation",
            dependencies: [
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            // The world runs on one thread and owns all its state; dynamic exclusivity checks on
            // every class property access cost a tenth of each kernel event in release builds.
            // Debug builds optimise the world too: the tests simulate hours of a 36-node bank
            // (the Monzo outage, its lab's sessions), which unoptimised code runs ten times slower.
            swiftSettings: [
                .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
                .unsafeFlags(["-O"], .when(configuration: .debug)),
            ]
        ),
        .target(
            name: "Scripting",
            dependencies: ["CLua", "CLuaSandbox", "Simulation", .product(name: "Yams", package: "Yams")],
            // Same reason as Simulation: one thread, and the checks cost a fifth of a Lua → Swift call.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .target(
            name: "Training",
            dependencies: ["KubeAPI", "Scripting", "Simulation"]
        ),
        // The Kubernetes API answered from a world, with no network in it: routes, discovery,
        // Table/Status encoding. Training re-executes recorded API requests through it.
        .target(
            name: "KubeAPI",
            dependencies: ["Scripting", "Simulation", .product(name: "OrderedCollections", package: "swift-collections")]
        ),
        // The same API served over HTTPS on loopback for the real kubectl, with a CA made at start
        // so kubectl verifies the server and presents a per-session client certificate.
        .target(
            name: "KubeAPIServer",
            dependencies: [
                "KubeAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "firedrill",
            dependencies: [
                "KubeAPI",
                "KubeAPIServer",
                "Training",
                "Scripting",
                "Simulation",
                "CLineEdit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Scenario files are read from the source tree (#filePath), so they are not resources.
        .testTarget(name: "SimulationTests", dependencies: ["Simulation"], exclude: ["testdata"]),
        .testTarget(name: "ScriptingTests", dependencies: ["Scripting", "Simulation"], exclude: ["Goldens", "Scripts", "Hostile"]),
        .testTarget(name: "FiredrillTests", dependencies: ["firedrill"]),
        .testTarget(name: "KubeAPITests", dependencies: ["KubeAPIServer", "KubeAPI", "Training", "Scripting", "Simulation"]),
        // Yams (already the runtime's YAML) reads deploy/grade-job.yaml in a test.
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Scripting", "Simulation", .product(name: "Yams", package: "Yams")]),
    ]
)
