// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "NodeFleet",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "FleetKit", targets: ["FleetKit"]),
        .executable(name: "fleet", targets: ["fleet"]),
        .library(name: "ButlerKit", targets: ["ButlerKit"]),
        .executable(name: "aztec-fleet", targets: ["aztec-fleet"]),
    ],
    targets: [
        .target(name: "FleetKit", path: "Sources/FleetKit"),
        .executableTarget(name: "fleet", dependencies: ["FleetKit"], path: "Sources/Tools/fleet"),
        .target(name: "FleetTestSupport", dependencies: ["FleetKit"], path: "Tests/TestSupport"),
        .testTarget(name: "FleetKitTests", dependencies: ["FleetKit", "FleetTestSupport"], path: "Tests/FleetKitTests"),
        .target(name: "ButlerKit", dependencies: ["FleetKit"], path: "Sources/ButlerKit"),
        .executableTarget(name: "aztec-fleet", dependencies: ["ButlerKit", "FleetKit"], path: "Sources/Tools/aztec-fleet"),
        .testTarget(
            name: "ButlerKitTests", dependencies: ["ButlerKit", "FleetKit", "FleetTestSupport", "aztec-fleet"],
            path: "Tests/ButlerKitTests", exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
