import CutoverCore

/// A scripted fault in the simulated cloud.
public enum SimFault: Sendable, Equatable {
    /// Instance `instance` fails `event` with `code` (every time, or only the first).
    case failEvent(instance: String, event: LifecycleEvent, code: LifecycleErrorCode, message: String, once: Bool)
    /// Instance `instance` stops answering from `atMilliseconds` on.
    case unreachable(instance: String, atMilliseconds: Int64)
    /// Alarm `name` is in ALARM from `fromMilliseconds` for `durationMilliseconds` (nil: for good).
    case alarm(name: String, fromMilliseconds: Int64, durationMilliseconds: Int64?)
    /// Reading alarm states fails from `fromMilliseconds` for `durationMilliseconds` (nil: for good).
    case alarmPollFailure(fromMilliseconds: Int64, durationMilliseconds: Int64?)
}

/// How long lifecycle events take in the simulation, in milliseconds.
public struct SimDurations: Sendable, Equatable {
    public var byEvent: [LifecycleEvent: Int64]
    /// Per instance id, per event: overrides `byEvent`.
    public var byInstance: [String: [LifecycleEvent: Int64]] = [:]

    public static let defaults: [LifecycleEvent: Int64] = [
        .beforeBlockTraffic: 1_000, .blockTraffic: 15_000, .afterBlockTraffic: 1_000,
        .applicationStop: 2_000, .downloadBundle: 5_000, .beforeInstall: 2_000, .install: 8_000,
        .afterInstall: 2_000, .applicationStart: 3_000, .validateService: 4_000,
        .beforeAllowTraffic: 1_000, .allowTraffic: 15_000, .afterAllowTraffic: 1_000,
        .allowTestTraffic: 5_000, .afterAllowTestTraffic: 1_000,
    ]

    public init(byEvent: [LifecycleEvent: Int64] = SimDurations.defaults) { self.byEvent = byEvent }

    public func duration(of event: LifecycleEvent, on instance: String) -> Int64 {
        byInstance[instance]?[event] ?? byEvent[event] ?? 1_000
    }
}
