/// A lifecycle event, with CodeDeploy's names (reference §5).
///
/// Reserved events are run by the deployment system itself (downloading, installing,
/// moving traffic); the others run the appspec's hooks.
public enum LifecycleEvent: String, Sendable, Codable, CaseIterable {
    case beforeBlockTraffic = "BeforeBlockTraffic"
    case blockTraffic = "BlockTraffic"
    case afterBlockTraffic = "AfterBlockTraffic"
    case applicationStop = "ApplicationStop"
    case downloadBundle = "DownloadBundle"
    case beforeInstall = "BeforeInstall"
    case install = "Install"
    case afterInstall = "AfterInstall"
    case applicationStart = "ApplicationStart"
    case validateService = "ValidateService"
    case beforeAllowTraffic = "BeforeAllowTraffic"
    case allowTraffic = "AllowTraffic"
    case afterAllowTraffic = "AfterAllowTraffic"
    // ECS only.
    case allowTestTraffic = "AllowTestTraffic"
    case afterAllowTestTraffic = "AfterAllowTestTraffic"

    /// Run by the system, never by a hook.
    public var isReserved: Bool {
        switch self {
        case .blockTraffic, .downloadBundle, .install, .allowTraffic, .allowTestTraffic: true
        default: false
        }
    }

    /// Hooks of these events come from the last successful revision on the target,
    /// because the new bundle is not there yet (reference §5.6).
    public var usesLastSuccessfulRevision: Bool {
        switch self {
        case .beforeBlockTraffic, .afterBlockTraffic, .applicationStop: true
        default: false
        }
    }

    /// Failures that `ignoreApplicationStopFailures` forgives (reference §5.7).
    public var isIgnorableStopFailure: Bool { usesLastSuccessfulRevision }

    // MARK: - Orders

    /// Server in-place, no load balancer (§5.1).
    public static let serverInPlace: [LifecycleEvent] = [
        .applicationStop, .downloadBundle, .beforeInstall, .install, .afterInstall, .applicationStart,
        .validateService,
    ]

    /// Server in-place behind a load balancer (§5.2).
    public static let serverInPlaceWithLoadBalancer: [LifecycleEvent] = [
        .beforeBlockTraffic, .blockTraffic, .afterBlockTraffic,
    ] + serverInPlace + [.beforeAllowTraffic, .allowTraffic, .afterAllowTraffic]

    /// Lambda (§5.9).
    public static let lambda: [LifecycleEvent] = [.beforeAllowTraffic, .allowTraffic, .afterAllowTraffic]

    /// ECS blue/green (§5.8).
    public static let ecs: [LifecycleEvent] = [
        .beforeInstall, .install, .afterInstall, .allowTestTraffic, .afterAllowTestTraffic,
        .beforeAllowTraffic, .allowTraffic, .afterAllowTraffic,
    ]

    /// The events an appspec may name in `hooks` for a platform (the non-reserved ones).
    public static func hookable(on platform: ComputePlatform) -> [LifecycleEvent] {
        switch platform {
        case .server: serverInPlaceWithLoadBalancer.filter { !$0.isReserved }
        case .lambda: lambda.filter { !$0.isReserved }
        case .ecs: ecs.filter { !$0.isReserved }
        }
    }
}
