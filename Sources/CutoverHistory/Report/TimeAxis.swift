/// The report's shared time axis: milliseconds since the deployment started, mapped
/// onto a horizontal range, with ticks at round intervals and labels people read at a
/// glance.
struct TimeAxis {
    /// The span drawn, in milliseconds from the start (at least one second, so that a
    /// deployment that took no time still has an axis).
    let span: Int64
    let x0: Double
    let x1: Double

    init(span: Int64, x0: Double, x1: Double) {
        self.span = max(span, 1000)
        self.x0 = x0
        self.x1 = x1
    }

    /// Where `ms` (since the start) falls; clamped to the axis.
    func x(_ ms: Int64) -> Double {
        let clamped = min(max(ms, 0), span)
        return x0 + (x1 - x0) * Double(clamped) / Double(span)
    }

    /// The tick interval: the smallest round step (1, 2, 5, 10, 15, 30 s; 1, 2, 5, 10,
    /// 15, 30 min; 1, 2, 3, 6, 12 h; days) that gives at most `maxTicks` intervals.
    ///
    ///     step(span: 65_000, maxTicks: 8)   → 10_000   (0:00 0:10 … 1:00)
    ///     step(span: 796_000, maxTicks: 8)  → 120_000  (0:00 2:00 … 12:00)
    static func step(span: Int64, maxTicks: Int) -> Int64 {
        let seconds: [Int64] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]
        for s in seconds where span <= s * 1000 * Int64(maxTicks) { return s * 1000 }
        let day: Int64 = 86_400_000
        return ((span / Int64(maxTicks)) / day + 1) * day
    }

    /// The ticks, from 0 to the span.
    func ticks(maxTicks: Int) -> [Int64] {
        let step = Self.step(span: span, maxTicks: maxTicks)
        return Array(stride(from: Int64(0), through: span, by: Int(step)))
    }

    /// A tick's label: `m:ss` below an hour, `h:mm:ss` from an hour on (the unit is said
    /// once, under the axis).
    func label(_ ms: Int64) -> String {
        span >= 3_600_000 ? Self.clock(ms, hours: true) : Self.clock(ms, hours: false)
    }

    /// What the labels mean, said once under the axis.
    var unitCaption: String { span >= 3_600_000 ? "h:mm:ss from the start" : "m:ss from the start" }

    /// `m:ss` (or `h:mm:ss`), with tenths when the time is not a whole second.
    static func clock(_ ms: Int64, hours: Bool = false) -> String {
        let s = ms / 1000
        let (h, m, sec) = (s / 3600, hours ? (s % 3600) / 60 : s / 60, s % 60)
        let tenths = (ms % 1000) / 100
        let fraction = ms % 1000 == 0 ? "" : ".\(tenths)"
        return hours ? "\(h):\(two(m)):\(two(sec))\(fraction)" : "\(m):\(two(sec))\(fraction)"
    }

    /// A duration in words: `0.4 s`, `6 s`, `1 min 05 s`, `1 h 02 min`.
    static func duration(_ ms: Int64) -> String {
        if ms < 1000 { return ms == 0 ? "0 s" : "0.\(max(1, ms / 100)) s" }
        let s = ms / 1000
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(two(s % 60)) s" }
        return "\(s / 3600) h \(two((s % 3600) / 60)) min"
    }

    private static func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
