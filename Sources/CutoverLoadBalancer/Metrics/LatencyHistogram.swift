/// Counts request latencies in log-linear buckets so percentiles cost a fixed amount
/// of memory however many requests a target group serves.
///
/// Values are microseconds. Below 32 µs every value has its own bucket; above, each
/// power of two is split into 16 buckets, so a reported percentile is within 1/16
/// (6.25%) of the true value — HdrHistogram's idea at a fixed, coarse precision, which is
/// plenty for alarms on p99. A percentile is the upper edge of the bucket holding that
/// rank, capped at the largest value seen.
///
/// Example: 990 samples of 100 µs and 10 of 5,000 µs give p50 = p90 = 103 µs (the
/// bucket 100…103) and p99 = 103 µs; p99.5 falls in the slow bucket and reports 5,000 µs.
public struct LatencyHistogram: Sendable, Equatable {
    private static let subBucketBits = 4
    private static let subBuckets = 1 << subBucketBits  // 16
    private static let linearLimit: UInt64 = UInt64(subBuckets) * 2  // 32 µs
    private static let bucketCount = Int(linearLimit) + (64 - (subBucketBits + 1)) * subBuckets

    private var counts: [UInt64]
    public private(set) var count: UInt64 = 0
    public private(set) var maxMicroseconds: UInt64 = 0
    public private(set) var totalMicroseconds: UInt64 = 0

    public init() {
        counts = Array(repeating: 0, count: Self.bucketCount)
    }

    public mutating func record(microseconds value: UInt64) {
        counts[Self.bucket(of: value)] += 1
        count += 1
        totalMicroseconds &+= value
        if value > maxMicroseconds { maxMicroseconds = value }
    }

    public mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let micros = max(0, seconds) * 1_000_000 + max(0, attoseconds) / 1_000_000_000_000
        record(microseconds: UInt64(micros))
    }

    /// The latency at or below which `fraction` (0–1) of the samples fall; nil when empty.
    public func percentile(_ fraction: Double) -> Duration? {
        guard count > 0 else { return nil }
        let rank = max(1, UInt64((fraction * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, n) in counts.enumerated() where n > 0 {
            seen += n
            if seen >= rank {
                return .microseconds(Int64(min(Self.upperEdge(of: index), maxMicroseconds)))
            }
        }
        return .microseconds(Int64(maxMicroseconds))
    }

    public var mean: Duration? {
        count == 0 ? nil : .microseconds(Int64(totalMicroseconds / count))
    }

    /// The samples recorded since `earlier`, an earlier snapshot of this histogram: what
    /// an alarm needs for one period's percentile from two cumulative snapshots.
    ///
    /// Counts, the total and the count subtract bucket by bucket (a bucket that would go
    /// below zero — `earlier` was not an earlier snapshot — counts 0). The maximum of the
    /// difference is not known exactly: it is the upper edge of its highest non-empty
    /// bucket, capped at this histogram's maximum, so p100 stays within 1/16 as others do.
    ///
    /// Example: 990 samples of 100 µs, a snapshot, then 10 of 5,000 µs: the difference
    /// holds 10 samples and its p50 is 5,000 µs.
    public func subtracting(_ earlier: LatencyHistogram) -> LatencyHistogram {
        var difference = LatencyHistogram()
        var highest = -1
        for index in counts.indices {
            let n = counts[index] >= earlier.counts[index] ? counts[index] - earlier.counts[index] : 0
            difference.counts[index] = n
            difference.count += n
            if n > 0 { highest = index }
        }
        guard highest >= 0 else { return difference }
        difference.totalMicroseconds = totalMicroseconds &- earlier.totalMicroseconds
        difference.maxMicroseconds = min(Self.upperEdge(of: highest), maxMicroseconds)
        return difference
    }

    static func bucket(of value: UInt64) -> Int {
        if value < linearLimit { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount  // ≥ subBucketBits + 1
        let sub = Int((value >> UInt64(exponent - subBucketBits)) & UInt64(subBuckets - 1))
        return Int(linearLimit) + (exponent - subBucketBits - 1) * subBuckets + sub
    }

    static func upperEdge(of bucket: Int) -> UInt64 {
        if bucket < Int(linearLimit) { return UInt64(bucket) }
        let offset = bucket - Int(linearLimit)
        let exponent = offset / subBuckets + subBucketBits + 1
        let sub = UInt64(offset % subBuckets)
        let width = UInt64(1) << UInt64(exponent - subBucketBits)
        // Wrapping: the last bucket's edge is 2^64 - 1, one past which overflows.
        return ((UInt64(subBuckets) + sub + 1) &* width) &- 1
    }
}
