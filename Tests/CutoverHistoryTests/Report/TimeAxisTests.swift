import Testing
@testable import CutoverHistory

/// The report's time axis and text helpers.
@Suite struct TimeAxisTests {
    @Test(arguments: [
        (0, 8, 1000),       // nothing took time: 1 s steps on a 1 s axis
        (6_000, 8, 1000),
        (65_000, 8, 10_000),
        (796_000, 8, 120_000),
        (3_600_000, 8, 600_000),
        (4_345_000, 8, 600_000),
        (86_400_000 * 3, 8, 43_200_000),
        (86_400_000 * 30, 8, 86_400_000 * 4),
    ])
    func stepsAreRound(span: Int, maxTicks: Int, step: Int) {
        #expect(TimeAxis.step(span: Int64(span), maxTicks: maxTicks) == Int64(step))
    }

    @Test func ticksAndLabels() {
        let axis = TimeAxis(span: 65_000, x0: 100, x1: 750)
        #expect(axis.ticks(maxTicks: 8) == [0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000])
        #expect(axis.ticks(maxTicks: 8).map(axis.label) == ["0:00", "0:10", "0:20", "0:30", "0:40", "0:50", "1:00"])
        #expect(axis.x(0) == 100 && axis.x(65_000) == 750 && axis.x(-5) == 100 && axis.x(99_999) == 750)
        #expect(TimeAxis(span: 4_345_000, x0: 0, x1: 1).label(3_600_000) == "1:00:00")
        #expect(TimeAxis.clock(48_500) == "0:48.5")
        #expect(TimeAxis.duration(400) == "0.4 s")
        #expect(TimeAxis.duration(6_000) == "6 s")
        #expect(TimeAxis.duration(65_000) == "1 min 05 s")
        #expect(TimeAxis.duration(3_720_000) == "1 h 02 min")
    }

    @Test func markupTextIsEscapedAndShortened() {
        #expect(MarkupText.escape("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;")
        #expect(MarkupText.escape("x\u{0}y\u{1B}z\u{FFFF}\tok\n") == "x\u{FFFD}y\u{FFFD}z\u{FFFD}\tok\n")
        #expect(MarkupText.shorten("CodeDeploy_web-prod_d-000000002-1", to: 20) == "CodeDeplo…00000002-1")
        #expect(MarkupText.shorten("web-1", to: 20) == "web-1")
    }
}
