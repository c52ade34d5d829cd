import NIOCore

/// A deregistration under way: the target gets no new requests, and `outcome()` returns
/// once its in-flight requests have finished or the drain timeout has passed.
///
/// Returned by `TargetGroup.beginDeregistration` so a caller (the daemon answering a
/// control request) can start draining, reply, and await the end separately.
public struct TargetDrain: Sendable {
    public let target: Target
    let future: EventLoopFuture<DrainOutcome>

    public func outcome() async -> DrainOutcome {
        // The future is only ever succeeded.
        (try? await future.get()) ?? .drained
    }
}
