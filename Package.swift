// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "inboxwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "inboxwatch", targets: ["inboxwatch"]),
        .library(name: "Kafka", targets: ["Kafka"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["JSON", "YAML"]),
    ],
    targets: [
        // librdkafka, as Debian's librdkafka-dev installs it (rdkafka.h and rdkafka_mock.h).
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Events",
            dependencies: [
                "Kafka",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Non-variadic C wrappers over libcurl (Swift cannot call curl_easy_setopt and friends).
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        .target(
            name: "HTTP",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // Token provider, Management Activity API client, Graph reads and Graph actions.
        .target(
            name: "M365",
            dependencies: [
                "HTTP",
                "Events",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // A local stand-in for a Microsoft 365 tenant: token endpoint, Management Activity API, Graph.
        .target(
            name: "TenantSimulator",
            dependencies: [
                "Events",
                "HTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Audit and mail collectors, file ingest, checkpoints and the single-runner lease.
        .target(
            name: "Collector",
            dependencies: [
                "Kafka",
                "Events",
                "HTTP",
                "M365",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // Normalizer, per-user state, detections, stories and the correlator loop.
        .target(
            name: "Correlation",
            dependencies: [
                "Kafka",
                "Events",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // What every worker shares: configuration, structured logs, metrics, health and readiness.
        .target(
            name: "Service",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Remediation policy, command gate, executor and the action worker.
        .target(
            name: "Actions",
            dependencies: [
                "Kafka",
                "Events",
                "HTTP",
                "M365",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "inboxwatch",
            dependencies: [
                "Kafka",
                "Events",
                "HTTP",
                "M365",
                "Collector",
                "Correlation",
                "Actions",
                "Service",
                "TenantSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "KafkaThroughput",
            dependencies: [
                "Kafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/KafkaThroughput",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "HTTPThroughput",
            dependencies: [
                "HTTP",
                "TenantSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/HTTPThroughput",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "CollectorThroughput",
            dependencies: [
                "Collector",
                "Kafka",
                "Events",
                "HTTP",
                "M365",
                "TenantSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/CollectorThroughput",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "CorrelatorThroughput",
            dependencies: [
                "Correlation",
                "Kafka",
                "Events",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/CorrelatorThroughput",
            swiftSettings: strict
        ),
        .testTarget(
            name: "M365Tests",
            dependencies: ["M365", "HTTP", "TenantSimulator"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CollectorTests",
            dependencies: ["Collector", "Kafka", "Events", "M365", "HTTP", "TenantSimulator", "InboxwatchTestSupport"],
            swiftSettings: strict
        ),
        // What tests of several modules share: running `inboxwatch` as a child process, and the
        // records the collectors would publish for a simulated world, built in-process.
        .target(
            name: "InboxwatchTestSupport",
            dependencies: ["Collector", "Events", "M365", "TenantSimulator"],
            path: "Tests/InboxwatchTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "CorrelationTests",
            dependencies: [
                "Correlation", "Events", "Kafka", "TenantSimulator", "Collector", "M365", "HTTP",
                "InboxwatchTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ActionsTests",
            dependencies: [
                "Actions", "Events", "Kafka", "M365", "HTTP", "TenantSimulator", "InboxwatchTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                "Service", "HTTP", "Kafka", "Events", "Actions", "InboxwatchTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // The whole product from the outside: `inboxwatch demo` and the workers as processes.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Events", "Kafka", "HTTP", "TenantSimulator", "InboxwatchTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HTTPTests",
            dependencies: ["HTTP", "TenantSimulator", "InboxwatchTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EventsTests",
            dependencies: ["Events"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TenantSimulatorTests",
            dependencies: ["TenantSimulator", "Events", "HTTP", "InboxwatchTestSupport"],
            swiftSettings: strict
        ),
        // `inboxwatch doctor` as a process against the simulator and the embedded broker.
        .testTarget(
            name: "InboxwatchDoctorTests",
            dependencies: [
                "M365", "Kafka", "Events", "HTTP", "TenantSimulator", "InboxwatchTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
