import CutoverLoadBalancer
import Testing

@Suite struct LatencyHistogramTests {
    @Test func emptyHasNoPercentiles() {
        #expect(LatencyHistogram().percentile(0.5) == nil)
    }

    @Test func documentedExample() {
        var histogram = LatencyHistogram()
        for _ in 0..<990 { histogram.record(microseconds: 100) }
        for _ in 0..<10 { histogram.record(microseconds: 5_000) }
        #expect(histogram.percentile(0.50) == .microseconds(103))
        #expect(histogram.percentile(0.99) == .microseconds(103))
        #expect(histogram.percentile(0.995) == .microseconds(5_000))
        #expect(histogram.count == 1000)
    }

    @Test func smallValuesAreExact() {
        var histogram = LatencyHistogram()
        for value in 1...20 { histogram.record(microseconds: UInt64(value)) }
        #expect(histogram.percentile(0.5) == .microseconds(10))
        #expect(histogram.percentile(1.0) == .microseconds(20))
    }

    @Test(arguments: [37, 1_000, 12_345, 999_999, 60_000_000, 1 << 40])
    func withinOneSixteenth(value: Int) {
        var histogram = LatencyHistogram()
        histogram.record(microseconds: UInt64(value))
        histogram.record(microseconds: UInt64(value) * 4)  // so the cap at the maximum does not hide the bucket edge
        let p50 = histogram.percentile(0.5)!
        let micros = Double(p50.components.seconds) * 1e6 + Double(p50.components.attoseconds) / 1e12
        #expect(micros >= Double(value))
        #expect(micros <= Double(value) * (1 + 1.0 / 16))
    }

    @Test func recordsDurations() {
        var histogram = LatencyHistogram()
        histogram.record(.milliseconds(3))
        #expect(histogram.maxMicroseconds == 3000)
        #expect(histogram.mean == .microseconds(3000))
    }

    @Test func subtractingGivesTheSamplesSinceASnapshot() {
        var histogram = LatencyHistogram()
        for _ in 0..<990 { histogram.record(microseconds: 100) }
        let snapshot = histogram
        for _ in 0..<10 { histogram.record(microseconds: 5_000) }
        let period = histogram.subtracting(snapshot)
        #expect(period.count == 10)
        #expect(period.percentile(0.5) == .microseconds(5_000))
        #expect(period.mean == .microseconds(5_000))
        #expect(period.maxMicroseconds == 5_000)
        // Nothing new: empty.
        let nothing = histogram.subtracting(histogram)
        #expect(nothing.count == 0)
        #expect(nothing.percentile(0.99) == nil)
        // The maximum of a difference is the upper edge of its highest bucket, capped.
        var later = histogram
        later.record(microseconds: 1_000)
        let one = later.subtracting(histogram)
        #expect(one.maxMicroseconds == 1_023)  // the bucket 992…1023, not the overall 5,000
        #expect(one.percentile(1.0) == .microseconds(1_023))
    }
}
