// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "NodeFleet",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "FleetKit", targets: ["FleetKit"]),
        .library(name: "ButlerKit", targets: ["ButlerKit"]),
        .library(name: "GonkaKit", targets: ["GonkaKit"]),
        .library(name: "FleetKitTesting", targets: ["FleetKitTesting"]),
        .executable(name: "fleet", targets: ["fleet"]),
        .executable(name: "aztec-fleet", targets: ["aztec-fleet"]),
        .executable(name: "aztec-butler", targets: ["aztec-butler"]),
        .executable(name: "gonka-deploy", targets: ["gonka-deploy"]),
    ],
    targets: [
        // Libraries
        .target(name: "FleetKit", path: "Sources/FleetKit"),
        .target(name: "ButlerKit", dependencies: ["FleetKit"], path: "Sources/ButlerKit"),
        .target(name: "GonkaKit", dependencies: ["FleetKit"], path: "Sources/GonkaKit"),
        // Fakes and real local sshd hosts for tests of FleetKit users (no test framework inside)
        .target(name: "FleetKitTesting", dependencies: ["FleetKit"], path: "Sources/FleetKitTesting"),

        // Thin executables
        .executableTarget(name: "fleet", dependencies: ["FleetKit"], path: "Sources/Tools/fleet"),
        .executableTarget(name: "aztec-fleet", dependencies: ["ButlerKit", "FleetKit"], path: "Sources/Tools/aztec-fleet"),
        .executableTarget(name: "aztec-butler", dependencies: ["ButlerKit", "FleetKit"], path: "Sources/Tools/aztec-butler"),
        .executableTarget(name: "gonka-deploy", dependencies: ["GonkaKit", "FleetKit"], path: "Sources/Tools/gonka-deploy"),

        // Examples and benchmark drivers
        .executableTarget(name: "deploy-motd", dependencies: ["FleetKit"], path: "Examples/DeployMotd"),
        .executableTarget(name: "aztec-install-with-proof", dependencies: ["ButlerKit", "FleetKit"], path: "Examples/AztecInstallWithProof"),
        .executableTarget(name: "butler-attesters-report", dependencies: ["ButlerKit", "FleetKit"], path: "Examples/ButlerAttestersReport"),
        .executableTarget(name: "gonka-render-and-check", dependencies: ["GonkaKit", "FleetKit"], path: "Examples/GonkaRenderAndCheck"),
        .executableTarget(name: "converge-bench", dependencies: ["FleetKit"], path: "bench/ConvergeBench"),
        .executableTarget(name: "chain-views-bench", dependencies: ["ButlerKit", "FleetKit"], path: "bench/ChainViewsBench"),
        .executableTarget(name: "sanity-bench", dependencies: ["ButlerKit", "FleetKit"], path: "bench/SanityBench"),

        // Tests
        .target(name: "FleetTestSupport", dependencies: ["FleetKit", "FleetKitTesting"], path: "Tests/TestSupport"),
        // Each test target depends on the tools its tests run (found with BuiltTool), so they are built first.
        .testTarget(
            name: "FleetKitTests", dependencies: ["FleetKit", "FleetKitTesting", "FleetTestSupport", "fleet", "deploy-motd"],
            path: "Tests/FleetKitTests"),
        .testTarget(
            name: "ButlerKitTests", dependencies: ["ButlerKit", "FleetKit", "FleetKitTesting", "FleetTestSupport", "aztec-fleet", "aztec-butler"],
            path: "Tests/ButlerKitTests", exclude: ["Fixtures"]),
        .testTarget(
            name: "GonkaKitTests", dependencies: ["GonkaKit", "FleetKit", "FleetKitTesting", "FleetTestSupport", "gonka-deploy"],
            path: "Tests/GonkaKitTests", exclude: ["Fixtures"]),
        // What one kit writes and another reads: ButlerKit's Gonka alert rules against GonkaKit's status gauges.
        .testTarget(
            name: "MonitoringContractTests", dependencies: ["ButlerKit", "GonkaKit", "FleetKit", "FleetTestSupport"],
            path: "Tests/MonitoringContractTests"),
    ],
    swiftLanguageModes: [.v6]
)
