// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "NodeFleet",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "FleetKit", targets: ["FleetKit"]),
        .executable(name: "fleet", targets: ["fleet"]),
        .library(name: "ButlerKit", targets: ["ButlerKit"]),
    ],
    targets: [
        .target(name: "FleetKit", path: "Sources/FleetKit"),
        .executableTarget(name: "fleet", dependencies: ["FleetKit"], path: "Sources/Tools/fleet"),
        .executableTarget(name: "deploy-motd", dependencies: ["FleetKit"], path: "Examples/DeployMotd"),
        .executableTarget(name: "converge-bench", dependencies: ["FleetKit"], path: "bench/ConvergeBench"),
        .testTarget(name: "FleetKitTests", dependencies: ["FleetKit"], path: "Tests/FleetKitTests"),
        .target(name: "ButlerKit", dependencies: ["FleetKit"], path: "Sources/ButlerKit"),
        .testTarget(
            name: "ButlerKitTests", dependencies: ["ButlerKit", "FleetKit"], path: "Tests/ButlerKitTests",
            exclude: ["Fixtures"]),
        .executableTarget(name: "chain-views-bench", dependencies: ["ButlerKit", "FleetKit"], path: "bench/ChainViewsBench"),
    ],
    swiftLanguageModes: [.v6]
)
