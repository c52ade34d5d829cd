/// The moment after which a wait counts as failed.
///
/// Every wait in the harness is bounded by a deadline and returns as soon as its
/// condition holds: timeouts guard against hangs, they never pace the test.
struct Deadline {
    /// How long any single step may take before the test fails. Generous, because a
    /// loaded two-core machine can be slow, and it costs nothing when things work.
    static let defaultTimeout: Duration = .seconds(20)

    private let instant: ContinuousClock.Instant

    init(after timeout: Duration) {
        instant = .now + timeout
    }

    var hasPassed: Bool { ContinuousClock.now >= instant }

    /// The time left in whole milliseconds, rounded up and at most `cap` if given, as
    /// `poll(2)` takes it.
    func pollTimeout(cappedAt cap: Duration? = nil) -> Int32 {
        let left = min(instant - .now, cap ?? .seconds(Int32.max / 1000))
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }
}
