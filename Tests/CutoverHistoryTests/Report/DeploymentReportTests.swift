import CutoverCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import CutoverHistory

/// The HTML report of a recorded deployment: what it draws, that user strings cannot
/// break it, that its SVG is well-formed XML, and that large fleets stay small.
@Suite struct DeploymentReportTests {
    @Test func everyRecordedStringIsEscaped() throws {
        let hostile = "<script>alert(\"x\")</script>&'"
        let recorded = Recordings.inPlace(hosts: 3, prefix: hostile, failing: [(1, .afterInstall)], application: "a&b <app>",
                                          group: "</title><h1>", message: "bad </title> \u{01}\u{7F} & \"quoted\"", alarms: ["<alarm>"])
        let html = DeploymentReport(recorded).html()
        #expect(!html.contains("<script"), "a report has no scripts, and a name cannot add one")
        #expect(!html.contains(hostile))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;1"))
        #expect(html.contains("a&amp;b &lt;app&gt;"))
        #expect(!html.contains("</title><h1>"))
        #expect(html.contains("bad &lt;/title&gt; \u{FFFD}\u{FFFD} &amp; &quot;quoted&quot;"))
        #expect(!html.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" })
        #expect(html.contains("&lt;alarm&gt;"))
        try #require(SVGDocument(html)).expectWellFormed()
    }

    @Test func aLanePerTargetWithItsBarsAndFinalStatus() throws {
        let recorded = Recordings.inPlace(hosts: 6, config: Recordings.oneAtATime, failing: [(2, .afterInstall)])
        let timeline = ReportTimeline(spec: recorded.spec, events: recorded.events)
        #expect(timeline.lanes.map(\.id) == (1...6).map { "web-\($0)" })
        #expect(timeline.lanes.map(\.status) == [.succeeded, .succeeded, .failed, .skipped, .skipped, .skipped])
        // web-3 ran up to AfterInstall, which failed; the skipped ones ran nothing.
        let failed = try #require(timeline.lanes[2].bars.last)
        #expect(failed.event == .afterInstall && failed.status == .failed && failed.error == .scriptFailed)
        #expect(timeline.lanes[3].bars.isEmpty)
        #expect(timeline.batches.count == 3)
        #expect(timeline.weights == nil)

        let svg = try #require(SVGDocument(DeploymentReport(recorded).html()))
        try svg.expectWellFormed()
        #expect(svg.lanes == (1...6).map { "web-\($0)" })
        let bars = recorded.events.filter { if case .lifecycleEnded = $0.event { true } else { false } }.count
        #expect(svg.count(class: "bar") == bars)
        #expect(svg.count(class: "b-fail") == 1)
        #expect(svg.titles.contains { $0.hasPrefix("web-3 · AfterInstall: Failed (ScriptFailed) — exit status 1") })
        #expect(svg.count(class: "chip c-fail") == 1)
        #expect(svg.count(class: "chip c-skip") == 3)
    }

    @Test func blueGreenDrawsReplacementsAndOriginals() throws {
        let recorded = Recordings.blueGreen(replacements: 3, originals: 2)
        let timeline = ReportTimeline(spec: recorded.spec, events: recorded.events)
        #expect(timeline.lanes.map(\.role) == [.replacement, .replacement, .replacement, .original, .original])
        #expect(timeline.stages.map(\.kind) == [.stage(.install), .stage(.reroute), .stage(.block)])
        // The share of registered instances that are replacements: 0 before the reroute, 100 once the originals are out.
        let weights = try #require(timeline.weights)
        #expect(weights.first?.weight == 0 && weights.last?.weight == 100, "\(weights)")
        #expect(timeline.waits.contains { $0.kind == .terminationWait })
        let html = DeploymentReport(recorded).html()
        #expect(html.contains("Replacement instances (3)") && html.contains("Original instances (2)"))
        let svg = try #require(SVGDocument(html))
        try svg.expectWellFormed()
        #expect(svg.lanes == ["green-1", "green-2", "green-3", "blue-1", "blue-2"])
        #expect(svg.count(class: "weight-line") == 1)
    }

    @Test func trafficIsDrawnOnlyWhenTheDeploymentMovesTraffic() throws {
        let canary = Recordings.lambdaCanary(alarmAt: nil)
        let timeline = ReportTimeline(spec: canary.spec, events: canary.events)
        #expect(timeline.state.status == .succeeded)
        #expect(timeline.weights?.map(\.weight) == [0, 10, 100])
        // The canary's 5 minutes at 10 % before the rest moved.
        let steps = try #require(timeline.weights)
        #expect(steps[2].time - steps[1].time == 300_000)
        let svg = try #require(SVGDocument(DeploymentReport(canary).html()))
        try svg.expectWellFormed()
        #expect(svg.count(class: "weight-line") == 1)
        #expect(svg.lanes == ["checkout:live"])

        let inPlace = Recordings.inPlace()
        #expect(ReportTimeline(spec: inPlace.spec, events: inPlace.events).weights == nil)
        let plain = try #require(SVGDocument(DeploymentReport(inPlace).html()))
        #expect(plain.count(class: "weight-line") == 0 && plain.count(class: "weight-area") == 0)
    }

    @Test func anAlarmStopsTheCanaryAndIsMarked() throws {
        let recorded = Recordings.lambdaCanary(alarmAt: 90_000)
        let timeline = ReportTimeline(spec: recorded.spec, events: recorded.events)
        #expect(timeline.state.status == .stopped && timeline.state.error == .alarmActive)
        #expect(timeline.alarmMarkers.map(\.kind) == [.alarm(name: "checkout-errors")])
        // Back to 0 % when the traffic was restored.
        #expect(timeline.weights?.map(\.weight) == [0, 10, 0])
        let html = DeploymentReport(recorded).html()
        #expect(html.contains("<code>ALARM_ACTIVE</code>"))
        #expect(html.contains("class=\"status s-stop\""))
        let svg = try #require(SVGDocument(html))
        try svg.expectWellFormed()
        // The alarm, the stop it caused and the restore are one marker at one moment, said in one label.
        #expect(svg.count(class: "mark-alarm") == 1)
        #expect(svg.text.contains(">checkout-errors · stop (ALARM_ACTIVE) · traffic restored · rollback to 1<"))
        #expect(svg.count(class: "stopline") == 1)
    }

    @Test func aLargeFleetStaysReasonable() throws {
        let recorded = Recordings.inPlace(hosts: 2000, prefix: "i-0123456789abcdef-", config: Recordings.oneAtATime,
                                          failing: [(1500, .validateService)])
        let html = DeploymentReport(recorded).html()
        #expect(html.utf8.count < 400_000, "\(html.utf8.count) bytes")
        let svg = try #require(SVGDocument(html))
        try svg.expectWellFormed()
        #expect(svg.lanes.count == 100)
        // The failed instance is among the lanes drawn; the others are counted.
        #expect(svg.lanes.contains("i-0123456789abcdef-1501"))
        #expect(html.contains("+ 1900 more target(s) not drawn"))
        #expect(html.contains("events are listed: those of the targets drawn"))
    }

    @Test func unfinishedEmptyAndTargetlessRecordsStillDraw() throws {
        // A record cut short (its process was killed): the running events are hatched to the end.
        var cut = Recordings.inPlace(hosts: 4)
        cut.events = Array(cut.events.prefix(12))
        cut.summary.endedAt = nil
        let timeline = ReportTimeline(spec: cut.spec, events: cut.events)
        #expect(timeline.lanes.flatMap(\.bars).contains { $0.status == nil && $0.end == timeline.end })
        let html = DeploymentReport(cut).html()
        #expect(html.contains("not ended when recorded"))
        let svg = try #require(SVGDocument(html))
        try svg.expectWellFormed()
        #expect(svg.count(class: "bar b-run") >= 1)

        // Nothing recorded but the specification, and a deployment with no targets at all.
        var empty = Recordings.inPlace(hosts: 2)
        empty.events = []
        try #require(SVGDocument(DeploymentReport(empty).html())).expectWellFormed()
        var none = Recordings.inPlace(hosts: 1)
        none.spec.targets = []
        none.events = [RecordedEvent(sequence: 0, time: 0, event: .created),
                       RecordedEvent(sequence: 1, time: 0, event: .ended(status: .failed, error: .noInstances, message: "no instances match"))]
        try #require(SVGDocument(DeploymentReport(none).html())).expectWellFormed()
    }

    @Test func theSameRecordGivesTheSameBytes() {
        let recorded = Recordings.blueGreen()
        #expect(DeploymentReport(recorded).html() == DeploymentReport(recorded).html())
    }

    @Test func rollbacksAreLinked() {
        var recorded = Recordings.inPlace()
        recorded.spec.rollbackOf = "d-000000000"
        var original = recorded.summary
        original.key = "d-000000000@1"
        original.status = "Failed"
        var rollback = recorded.summary
        rollback.key = "d-000000009@1"
        rollback.id = "d-000000009"
        let html = DeploymentReport(recorded, rollsBack: original, rolledBackBy: rollback).html()
        #expect(html.contains("Rolls back</span><code>d-000000000@1</code>"))
        #expect(html.contains("Rolled back by</span><code>d-000000009@1</code>"))
        recorded.spec.rollbackOf = "d-000000007"
        #expect(DeploymentReport(recorded).html().contains("<code>d-000000007</code><span class=\"hint\">not in this history</span>"))
    }
}

/// The `<svg>` of a report, parsed as XML (FoundationXML's XMLParser): what the
/// browser's SVG parser would refuse, this refuses too.
final class SVGDocument: NSObject, XMLParserDelegate {
    let text: String
    private(set) var classes: [String] = []
    private(set) var lanes: [String] = []
    private(set) var titles: [String] = []
    private var title: String?
    private(set) var parsed = false
    private(set) var error: Error?

    init?(_ html: String) {
        guard let start = html.range(of: "<svg "), let end = html.range(of: "</svg>", range: start.upperBound..<html.endIndex) else { return nil }
        text = String(html[start.lowerBound..<end.upperBound])
        super.init()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = self
        parsed = parser.parse()
        error = parser.parserError
    }

    func expectWellFormed(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        #expect(parsed, "the SVG is not well-formed XML", sourceLocation: sourceLocation)
        #expect(error == nil, "\(String(describing: error))", sourceLocation: sourceLocation)
    }

    /// Elements whose classes include every class of `name` ("bar b-fail", "mark-alarm").
    func count(class name: String) -> Int {
        let wanted = Set(name.split(separator: " "))
        return classes.filter { wanted.isSubset(of: Set($0.split(separator: " "))) }.count
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if let c = attributes["class"] { classes.append(c) }
        if elementName == "g", attributes["class"] == "lane", let target = attributes["data-target"] { lanes.append(target) }
        if elementName == "title" { title = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { title? += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if elementName == "title", let t = title { titles.append(t); title = nil }
    }
}
