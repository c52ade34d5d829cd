// swift-tools-version:6.0
//
// Cutover: a scriptable deployment shell driven from Lua 5.4.
// Read top to bottom, the targets are the architecture (see shared DESIGN.md "Modules").

import PackageDescription

let package = Package(
    name: "cutover",
    products: [
        .executable(name: "cutover", targets: ["cutover"]),
        .executable(name: "cutover-bench", targets: ["cutover-bench"]),
        .library(name: "LuaRuntime", targets: ["LuaRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // MARK: - C boundary

        /// Lua 5.4 (Debian's liblua5.4-dev), with a shim for the macros Swift cannot import.
        .systemLibrary(
            name: "CLua",
            path: "Sources/CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        /// libedit's readline-compatible interface, with a shim for its globals.
        .systemLibrary(
            name: "CEditline",
            path: "Sources/CEditline",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        /// The little C that must be C: the error trampoline, protected calls with a
        /// traceback handler, the interrupt hook, the capped allocator, the SIGINT
        /// handler and libedit's character reader.
        .target(
            name: "CShellSupport",
            dependencies: ["CLua"],
            path: "Sources/CShellSupport"
        ),
        /// libcurl (the OpenSSL flavour) for the AWS provider's HTTPS, with typed
        /// wrappers for curl_easy_setopt and curl_easy_getinfo, which are variadic.
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        /// OpenSSL's libcrypto for SHA-256 and HMAC (SigV4), without a second TLS stack.
        .systemLibrary(
            name: "CLibCrypto",
            path: "Sources/CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),

        // MARK: - Core

        /// Pure: the model, planning arithmetic, the deployment engine (events in,
        /// commands out), policies and provider protocols. No clock, no I/O, no Lua.
        .target(
            name: "CutoverCore",
            path: "Sources/CutoverCore"
        ),
        /// appspec files (YAML and JSON, server/ECS/Lambda forms) parsed and validated
        /// as the CodeDeploy agent does, every error with file:line:col.
        .target(
            name: "CutoverAppSpec",
            dependencies: ["CutoverCore", .product(name: "Yams", package: "Yams")],
            path: "Sources/CutoverAppSpec"
        ),

        // MARK: - Providers

        /// The simulator: fleets, a virtual clock, scripted and seeded faults.
        .target(
            name: "CutoverSim",
            dependencies: ["CutoverCore"],
            path: "Sources/CutoverSim"
        ),

        /// Process spawning for the agent: a new session and process group, pipes, and
        /// killing the whole group (glibc's spawn flags need _GNU_SOURCE).
        .target(
            name: "CProcess",
            path: "Sources/CProcess"
        ),
        /// The local cloud: hosts as directories with ports, the agent that runs lifecycle
        /// events for real (bundles, installs, hook scripts), the daemon and its control API.
        .target(
            name: "CutoverLocal",
            dependencies: [
                "CutoverCore", "CutoverAppSpec", "CProcess", "CutoverLoadBalancer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/CutoverLocal"
        ),
        /// An HTTP/1.1 reverse proxy on SwiftNIO: listeners, target groups, health checks,
        /// draining, weighted forwarding.
        .target(
            name: "CutoverLoadBalancer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/CutoverLoadBalancer"
        ),

        /// AWS over the wire: SigV4, the credential, region and endpoint chains, a
        /// libcurl transport, retries, the five protocols and their errors, service clients.
        .target(
            name: "CutoverAWS",
            dependencies: ["CutoverCore", "CCurl", "CLibCrypto"],
            path: "Sources/CutoverAWS"
        ),

        /// History: one SQLite database of sessions, inputs, deployments and their
        /// events (GRDB; WAL, numbered migrations), read by history, show and replay.
        .target(
            name: "CutoverHistory",
            dependencies: ["CutoverCore", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/CutoverHistory"
        ),

        // MARK: - Host runtime

        /// Owns a Lua VM: values across the boundary, protected calls, userdata,
        /// interrupts, memory caps, the stdlib search path. Knows nothing of deployments.
        .target(
            name: "LuaRuntime",
            dependencies: ["CLua", "CShellSupport"],
            path: "Sources/LuaRuntime"
        ),
        /// The prompt: line editors (libedit and plain), chunk reader, completion,
        /// pretty printer, history, prompt commands.
        .target(
            name: "CutoverREPL",
            dependencies: ["LuaRuntime", "CEditline", "CShellSupport"],
            path: "Sources/CutoverREPL"
        ),

        /// The `cutover` Lua module: the only module that knows both Lua and deployments.
        .target(
            name: "CutoverBindings",
            dependencies: ["LuaRuntime", "CutoverCore", "CutoverSim", "CutoverAppSpec", "CutoverLocal", "CutoverHistory", "CutoverAWS"],
            path: "Sources/CutoverBindings"
        ),

        // MARK: - Executable

        .executableTarget(
            name: "cutover",
            dependencies: [
                "LuaRuntime",
                "CutoverREPL",
                "CutoverCore",
                "CutoverAppSpec",
                "CutoverBindings",
                "CutoverLocal",
                "CutoverHistory",
                "CutoverAWS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/cutover"
        ),

        // MARK: - Benchmarks (scripts/bench)

        /// A plain C function registered the usual way: the reference for call costs.
        .target(
            name: "CBenchSupport",
            dependencies: ["CLua"],
            path: "Sources/CBenchSupport"
        ),
        .executableTarget(
            name: "cutover-bench",
            dependencies: ["LuaRuntime", "CBenchSupport", "CLua", "CutoverCore", "CutoverSim", "CutoverLoadBalancer", "CutoverLocal"],
            path: "Sources/cutover-bench"
        ),

        // MARK: - Tests

        /// Pseudo-terminal helpers for the end-to-end tests (glibc's pty functions need
        /// _GNU_SOURCE, which Swift's Glibc module does not define).
        .target(
            name: "CTestPTY",
            path: "Sources/CTestPTY"
        ),
        /// Starts, resets and stops a moto server (the AWS emulator, PyPI moto[server]) on
        /// 127.0.0.1 for the AWS tests, in its own process group.
        .target(
            name: "MotoHarness",
            dependencies: ["CProcess", "CutoverAWS"],
            path: "Sources/MotoHarness"
        ),
        .testTarget(
            name: "CutoverCoreTests",
            dependencies: ["CutoverCore"]
        ),
        .testTarget(
            name: "CutoverHistoryTests",
            dependencies: ["CutoverHistory", "CutoverCore"]
        ),
        .testTarget(
            name: "CutoverSimTests",
            dependencies: ["CutoverSim", "CutoverCore"]
        ),
        .testTarget(
            name: "CutoverAppSpecTests",
            dependencies: ["CutoverAppSpec", "CutoverCore"]
        ),
        .testTarget(
            name: "CutoverLocalTests",
            dependencies: ["CutoverLocal", "CutoverCore", "CutoverAppSpec"]
        ),
        .testTarget(
            name: "CutoverAWSTests",
            dependencies: ["CutoverAWS", "MotoHarness"]
        ),
        .testTarget(
            name: "CutoverLoadBalancerTests",
            dependencies: [
                "CutoverLoadBalancer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "CutoverBindingsTests",
            dependencies: ["CutoverBindings", "CutoverREPL", "LuaRuntime", "CutoverCore"]
        ),
        .testTarget(
            name: "LuaRuntimeTests",
            dependencies: ["LuaRuntime"]
        ),
        .testTarget(
            name: "CutoverREPLTests",
            dependencies: ["CutoverREPL", "LuaRuntime"]
        ),
        .testTarget(
            name: "CutoverEndToEndTests",
            dependencies: ["CTestPTY", "MotoHarness"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
