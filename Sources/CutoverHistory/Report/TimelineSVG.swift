import CutoverCore

/// Draws a `ReportTimeline` as one SVG: rows for the deployment as a whole (stages,
/// batches, waits, traffic, alarms and stops, the fleet's progress) over a swimlane per
/// target, all on one time axis. Colours come from classes the SVG's own `<style>`
/// defines, so the markup stays small for large fleets.
struct TimelineSVG {
    let timeline: ReportTimeline
    /// At most this many target lanes; the others are counted.
    let maximumLanes: Int
    /// The lanes drawn (see `sample`).
    let drawnLanes: [ReportTimeline.Lane]

    // MARK: - Layout

    private let width: Double = 1120
    private let rowHeight: Double = 24
    private let trafficHeight: Double = 86
    private let progressHeight: Double = 58
    private let statusWidth: Double = 104
    /// DejaVu Sans Mono at 11.5 px, the widest of the usual monospace fallbacks.
    private let monoAdvance = 6.9
    private let laneHeight: Double
    private let labelWidth: Double
    private let plotX0: Double
    private let plotX1: Double
    private let axis: TimeAxis

    init(timeline: ReportTimeline, maximumLanes: Int) {
        self.timeline = timeline
        self.maximumLanes = maximumLanes
        drawnLanes = Self.sample(timeline, maximumLanes)
        let n = drawnLanes.count
        laneHeight = n <= 24 ? 24 : n <= 60 ? 18 : 13
        let longest = drawnLanes.map(\.id.count).max() ?? 0
        labelWidth = min(260, max(118, Double(longest) * monoAdvance + 8))
        plotX0 = 16 + labelWidth + 12
        plotX1 = width - statusWidth - 14
        // A little room after the last event, so that what happened at the end is not drawn on the edge.
        axis = TimeAxis(span: timeline.end + timeline.end / 25, x0: plotX0, x1: plotX1)
    }

    /// Every target when they fit; else every failed or unfinished one, one of each
    /// batch (when there are few enough batches for that to leave room), and the others
    /// sampled evenly across the fleet, in the fleet's order.
    static func sample(_ timeline: ReportTimeline, _ maximumLanes: Int) -> [ReportTimeline.Lane] {
        let lanes = timeline.lanes
        guard lanes.count > maximumLanes else { return lanes }
        var kept = Set<Int>()
        let attention = lanes.indices.filter { [.failed, .inProgress, .unknown].contains(lanes[$0].status) }
        let firstOfBatch: [Int] = timeline.batches.count > maximumLanes / 2 ? []
            : timeline.batches.compactMap { if case .batch(_, let targets) = $0.kind { targets.first } else { nil } }
        for i in attention + firstOfBatch where kept.count < maximumLanes && i < lanes.count { kept.insert(i) }
        let rest = lanes.indices.filter { !kept.contains($0) }
        let room = maximumLanes - kept.count
        for k in 0..<room { kept.insert(rest[k * rest.count / room]) }
        return kept.sorted().map { lanes[$0] }
    }

    private var labelChars: Int { Int((labelWidth - 8) / monoAdvance) }
    private var maxTicks: Int { max(4, Int((plotX1 - plotX0) / 90)) }

    /// The fleet's progress says something the lanes do not only for larger in-place fleets.
    private var showsProgress: Bool {
        timeline.spec.platform == .server && timeline.spec.blueGreen == nil && timeline.lanes.count >= 10
    }
    private var showsAlarms: Bool {
        timeline.spec.alarms.isEnabled || timeline.markers.contains {
            switch $0.kind {
            case .alarm, .alarmPollFailed, .stop, .rollbackRequested, .rollbackUnavailable, .trafficRestored, .replacementDiscarded: true
            default: false
            }
        }
    }

    // MARK: - Drawing

    func render() -> String {
        var out = MarkupWriter()
        let lanes = drawnLanes
        let omitted = timeline.lanes.count - lanes.count
        let ticks = axis.ticks(maxTicks: maxTicks)

        // Rows, top to bottom; their heights decide the picture's.
        var y: Double = 34
        var rows: [(String, Double, (inout MarkupWriter, Double) -> Void)] = []
        if !timeline.stages.isEmpty { rows.append(("Stage", rowHeight, drawStages)) }
        if timeline.spec.platform == .server && !timeline.batches.isEmpty { rows.append(("Batch", rowHeight, drawBatches)) }
        if !timeline.waits.isEmpty { rows.append(("Waits", rowHeight, drawWaits)) }
        if timeline.weights != nil { rows.append(("Traffic", trafficHeight, drawTraffic)) }
        if showsAlarms { rows.append(("Alarms, stops", rowHeight + 4, drawSignals)) }
        if showsProgress { rows.append(("Fleet", progressHeight, drawProgress)) }
        let rowsHeight = rows.reduce(0) { $0 + $1.1 + 4 }
        let groups = Self.groups(lanes)
        let lanesTop = y + rowsHeight + 14
        let lanesHeight = Double(lanes.count) * laneHeight + Double(groups.count > 1 ? groups.count : 0) * 22
        let bottomAxis = lanes.count > 16
        let height = lanesTop + lanesHeight + (omitted > 0 ? 24 : 0) + (bottomAxis ? 40 : 24)

        out.open("svg", ["xmlns": "http://www.w3.org/2000/svg", "class": "timeline", "role": "img",
                         "viewBox": "0 0 \(f(width)) \(f(height))", "width": f(width), "height": f(height),
                         "font-family": "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif"])
        out.element("title", text: "Timeline of \(timeline.spec.id): \(timeline.lanes.count) target(s) over \(TimeAxis.duration(timeline.end))")
        out.raw(Self.styleAndPatterns)

        // Grid and axis first, under everything.
        let plotBottom = lanesTop + lanesHeight + (omitted > 0 ? 24 : 0)
        out.open("g", ["class": "grid"])
        for tick in ticks {
            out.line(x1: axis.x(tick), y1: 28, x2: axis.x(tick), y2: plotBottom)
        }
        out.close("g")
        out.open("g", ["class": "axis"])
        for tick in ticks {
            out.element("text", ["x": f(axis.x(tick)), "y": "20", "text-anchor": tick == 0 ? "start" : "middle"], text: axis.label(tick))
            if bottomAxis { out.element("text", ["x": f(axis.x(tick)), "y": f(plotBottom + 16), "text-anchor": tick == 0 ? "start" : "middle"], text: axis.label(tick)) }
        }
        out.element("text", ["x": f(plotX0 - 8), "y": "20", "text-anchor": "end", "class": "caption"], text: axis.unitCaption)
        out.close("g")

        // The whole-deployment rows.
        for (label, h, draw) in rows {
            out.element("text", ["x": "16", "y": f(y + min(h, rowHeight) / 2 + 4), "class": "rowlabel"], text: label)
            draw(&out, y)
            out.line(x1: 16, y1: y + h + 2, x2: width - 14, y2: y + h + 2, cls: "sep")
            y += h + 4
        }

        // The lanes.
        y = lanesTop
        out.element("text", ["x": "16", "y": f(y - 4), "class": "rowlabel"], text: lanes.count == 1 ? Self.title(lanes[0].role) : "Targets")
        if omitted > 0 {
            out.element("text", ["x": f(plotX0), "y": f(y - 4), "class": "small"],
                        text: "\(lanes.count) of \(timeline.lanes.count) drawn: every failed or unfinished one, the others spread evenly over the fleet")
        }
        var batchTone: [Int: Int] = [:]
        for (n, span) in timeline.batches.enumerated() { if case .batch(let index, _) = span.kind { batchTone[index] = n % 2 } }
        let spanOfBatch = Dictionary(timeline.batches.compactMap { s -> (Int, ReportTimeline.Span)? in
            if case .batch(let index, _) = s.kind { (index, s) } else { nil }
        }, uniquingKeysWith: { a, _ in a })
        for group in groups {
            if groups.count > 1 {
                let total = timeline.lanes.filter { $0.role == group.role }.count
                out.element("text", ["x": "16", "y": f(y + 15), "class": "group"],
                            text: Self.groupTitle(group.role) + " (\(total))")
                out.line(x1: plotX0, y1: y + 21, x2: plotX1, y2: y + 21, cls: "sep")
                y += 22
            }
            for lane in group.lanes {
                drawLane(&out, lane, y: y, batches: spanOfBatch, batchTone: batchTone)
                y += laneHeight
            }
        }
        if omitted > 0 {
            let drawn = Set(lanes.map(\.target))
            let left = timeline.lanes.filter { !drawn.contains($0.target) }
            let counts = Dictionary(grouping: left, by: \.status).map { "\($0.value.count) \($0.key.rawValue)" }.sorted()
            out.element("text", ["x": f(plotX0), "y": f(y + 16), "class": "omitted"],
                        text: "+ \(omitted) more target(s) not drawn (\(counts.joined(separator: ", "))); cutover show lists every target")
        }

        drawMarkerLines(&out, top: 28, bottom: plotBottom)
        out.close("svg")
        return out.text
    }

    // MARK: - Rows

    private func drawStages(_ out: inout MarkupWriter, _ y: Double) {
        for span in timeline.stages {
            guard case .stage(let stage) = span.kind else { continue }
            let (x0, x1) = (axis.x(span.start), max(axis.x(span.end), axis.x(span.start) + 2))
            out.open("g", [:])
            out.rect(x: x0, y: y + 3, w: x1 - x0, h: rowHeight - 6, cls: "stage stage-\(Self.stageTone(stage))")
            out.element("title", text: "Stage \(Self.stageName(stage)): \(TimeAxis.clock(span.start)) → \(TimeAxis.clock(span.end))"
                        + (span.open ? " (still going when the record ends)" : ""))
            out.close("g")
            text(&out, Self.stageName(stage), x0: x0, x1: x1, y: y + rowHeight / 2 + 4, cls: "inband")
        }
    }

    /// At most this many batch segments: beyond, consecutive batches share one (a
    /// OneAtATime deployment of thousands of instances stays a small file).
    static let maximumBatchSegments = 120

    private func drawBatches(_ out: inout MarkupWriter, _ y: Double) {
        let batches = timeline.batches
        let per = (batches.count + Self.maximumBatchSegments - 1) / Self.maximumBatchSegments
        for (n, start) in stride(from: 0, to: batches.count, by: per).enumerated() {
            let group = batches[start..<min(start + per, batches.count)]
            guard let first = group.first, let last = group.last,
                  case .batch(let index, let targets) = first.kind, case .batch(let lastIndex, _) = last.kind else { continue }
            let (begin, end) = (first.start, group.map(\.end).max() ?? first.end)
            let (x0, x1) = (axis.x(begin), max(axis.x(end), axis.x(begin) + 2))
            out.open("g", [:])
            out.rect(x: x0, y: y + 3, w: x1 - x0, h: rowHeight - 6, cls: n % 2 == 0 ? "batch" : "batch alt")
            if group.count == 1 {
                let names = targets.prefix(8).compactMap { $0 < timeline.lanes.count ? timeline.lanes[$0].id : nil }
                out.element("title", text: "Batch \(index + 1): \(targets.count) target(s), \(TimeAxis.clock(begin)) → \(TimeAxis.clock(end))\n"
                            + names.joined(separator: ", ") + (targets.count > names.count ? ", …" : ""))
            } else {
                out.element("title", text: "Batches \(index + 1)–\(lastIndex + 1), \(TimeAxis.clock(begin)) → \(TimeAxis.clock(end))")
            }
            out.close("g")
            out.line(x1: x0, y1: y + 1, x2: x0, y2: y + rowHeight - 1, cls: "tick")
            text(&out, group.count == 1 ? "B\(index + 1)" : "B\(index + 1)–\(lastIndex + 1)", x0: x0, x1: x1, y: y + rowHeight / 2 + 4, cls: "inband")
        }
    }

    private func drawWaits(_ out: inout MarkupWriter, _ y: Double) {
        for span in timeline.waits {
            let (x0, x1) = (axis.x(span.start), max(axis.x(span.end), axis.x(span.start) + 2))
            let (cls, label, detail): (String, String, String) = switch span.kind {
            case .bake(let alarms):
                ("wait bake", "bake", alarms.isEmpty ? "" : "watching " + alarms.joined(separator: ", "))
            case .approval(let name): ("wait approval", "approval", "waiting for approval “\(name)”")
            case .readyWait: ("wait ready", "ready wait", "replacements Ready, waiting to reroute")
            case .terminationWait: ("wait termination", "termination wait", "originals kept before termination")
            case .batch, .stage: ("wait", "", "")
            }
            out.open("g", [:])
            out.rect(x: x0, y: y + 4, w: x1 - x0, h: rowHeight - 8, cls: cls)
            var title = "\(label.prefix(1).uppercased() + label.dropFirst()): \(TimeAxis.clock(span.start)) → \(TimeAxis.clock(span.end))"
                + " (\(TimeAxis.duration(span.end - span.start)))"
            if let planned = span.planned, planned != span.end { title += ", planned until \(TimeAxis.clock(planned))" }
            if !detail.isEmpty { title += "\n" + detail }
            out.element("title", text: title)
            out.close("g")
            let alarms = if case .bake(let names) = span.kind, !names.isEmpty { " · " + names.joined(separator: ", ") } else { "" }
            text(&out, label + alarms, x0: x0, x1: x1, y: y + rowHeight / 2 + 4, cls: "inband dark")
        }
    }

    private func drawTraffic(_ out: inout MarkupWriter, _ y: Double) {
        guard let weights = timeline.weights, !weights.isEmpty else { return }
        let top = y + 8, bottom = y + trafficHeight - 6
        func wy(_ w: Int) -> Double { bottom - (bottom - top) * Double(min(max(w, 0), 100)) / 100 }
        for w in [0, 50, 100] {
            out.line(x1: plotX0, y1: wy(w), x2: plotX1, y2: wy(w), cls: w == 0 ? "base" : "sep")
            out.element("text", ["x": f(plotX0 - 6), "y": f(wy(w) + 4), "text-anchor": "end", "class": "small"], text: "\(w)%")
        }
        out.element("text", ["x": "16", "y": f(y + 34), "class": "small"], text: MarkupText.shorten(timeline.weightMeaning, to: labelChars + 4))
        // The step line and the area under it.
        var path = "M\(f(axis.x(0))),\(f(wy(weights[0].weight)))"
        for (i, step) in weights.enumerated() {
            if i > 0 { path += "H\(f(axis.x(step.time)))V\(f(wy(step.weight)))" }
        }
        path += "H\(f(axis.x(timeline.end)))"
        out.element("path", ["d": path + "V\(f(bottom))H\(f(axis.x(0)))Z", "class": "weight-area"])
        out.element("path", ["d": path, "class": "weight-line"])
        for step in weights.dropFirst() {
            out.open("g", [:])
            out.element("circle", ["cx": f(axis.x(step.time)), "cy": f(wy(step.weight)), "r": "3.5", "class": "weight-dot"])
            out.element("title", text: "\(step.weight)% \(timeline.weightMeaning) from \(TimeAxis.clock(step.time))")
            out.close("g")
        }
        let final = weights.last?.weight ?? 0
        out.element("text", ["x": f(plotX1 + 12), "y": f(wy(final) + 4), "class": "weight-end"], text: "\(final)%")
    }

    /// What happened at one moment in the alarms row: alarms seen, a stop, what undid
    /// the deployment. Markers closer than a few pixels are drawn as one.
    struct Signal {
        var time: Int64
        var alarms: [String] = []
        var pollFailures = 0
        var stop: DeploymentErrorCode?
        var notes: [String] = []
        var details: [String] = []
    }

    var signals: [Signal] {
        var out: [Signal] = []
        for marker in timeline.markers {
            var s = Signal(time: marker.time)
            let at = TimeAxis.clock(marker.time)
            switch marker.kind {
            case .alarm(let name):
                s.alarms = [name]
                s.details = ["\(at) alarm \(name) seen in ALARM"]
            case .alarmPollFailed(let message):
                s.pollFailures = 1
                s.details = ["\(at) alarms could not be read: \(message)"]
            case .stop(let code, let rollback, let message):
                s.stop = code
                s.details = ["\(at) stop (\(code.rawValue))\(rollback ? " with rollback" : ""): \(message)"]
            case .trafficRestored(let message):
                s.notes = ["traffic restored"]
                s.details = ["\(at) traffic restored: \(message)"]
            case .replacementDiscarded(let message):
                s.notes = ["replacements discarded"]
                s.details = ["\(at) replacements discarded: \(message)"]
            case .rollbackRequested(let revision):
                s.notes = ["rollback to \(revision)"]
                s.details = ["\(at) rollback to \(revision) requested"]
            case .rollbackUnavailable(let message):
                s.notes = ["no rollback"]
                s.details = ["\(at) no rollback: \(message)"]
            case .originalTerminated, .approved, .ended:
                continue
            }
            if let last = out.last, axis.x(marker.time) - axis.x(last.time) < 4 {
                out[out.count - 1].alarms += s.alarms.filter { !last.alarms.contains($0) }
                out[out.count - 1].pollFailures += s.pollFailures
                out[out.count - 1].stop = last.stop ?? s.stop
                out[out.count - 1].notes += s.notes
                out[out.count - 1].details += s.details
            } else {
                out.append(s)
            }
        }
        return out
    }

    private func drawSignals(_ out: inout MarkupWriter, _ y: Double) {
        let mid = y + (rowHeight + 4) / 2
        out.line(x1: plotX0, y1: mid, x2: plotX1, y2: mid, cls: "sep")
        let signals = self.signals
        if !signals.contains(where: { !$0.alarms.isEmpty }) && timeline.spec.alarms.isEnabled {
            out.element("text", ["x": f(plotX0 + 6), "y": f(mid - 5), "class": "small"],
                        text: "no alarm seen in ALARM (watching " + timeline.spec.alarms.names.joined(separator: ", ") + ")")
        }
        var taken: [(Double, Double)] = []
        for signal in signals {
            let x = axis.x(signal.time)
            let shape = !signal.alarms.isEmpty ? "alarm" : signal.pollFailures > 0 ? "poll" : signal.stop != nil ? "stop" : "note"
            out.open("g", ["class": "mark-\(shape)"])
            switch shape {
            case "alarm", "poll": out.element("path", ["d": "M\(f(x)),\(f(mid - 7))l7,7l-7,7l-7,-7z"])
            case "stop": out.rect(x: x - 5.5, y: mid - 5.5, w: 11, h: 11, cls: nil)
            default: out.element("circle", ["cx": f(x), "cy": f(mid), "r": "4.5"])
            }
            out.element("title", text: signal.details.joined(separator: "\n"))
            out.close("g")
            // A label beside it, on whichever side has room and is free.
            var parts = signal.alarms
            if signal.pollFailures > 0 { parts.append(signal.pollFailures == 1 ? "alarms unreadable" : "alarms unreadable ×\(signal.pollFailures)") }
            if let stop = signal.stop { parts.append("stop (\(stop.rawValue))") }
            parts += signal.notes
            var label = parts.joined(separator: " · ")
            let advance = 6.1
            let room = max(plotX1 + statusWidth - 8 - (x + 10), x - 10 - plotX0)
            if Double(label.count) * advance > room { label = String(label.prefix(max(0, Int(room / advance) - 1))) + "…" }
            let w = Double(label.count) * advance
            let right = x + 10 + w <= plotX1 + statusWidth - 8
            let span = right ? (x + 10, x + 10 + w) : (x - 10 - w, x - 10)
            guard label.count > 1, !taken.contains(where: { $0.0 < span.1 + 6 && span.0 < $0.1 + 6 }) else { continue }
            taken.append(span)
            out.element("text", ["x": f(right ? span.0 : span.1), "y": f(mid + 4), "class": "small marklabel",
                                 "text-anchor": right ? "start" : "end"], text: label)
        }
    }

    private func drawProgress(_ out: inout MarkupWriter, _ y: Double) {
        let total = max(1, timeline.lanes.count)
        let top = y + 5, bottom = y + progressHeight - 3
        func py(_ n: Int) -> Double { bottom - (bottom - top) * Double(n) / Double(total) }
        out.line(x1: plotX0, y1: bottom, x2: plotX1, y2: bottom, cls: "base")
        // Stacked from the bottom: succeeded, ready, failed, in progress, skipped.
        let layers: [(String, (ReportTimeline.Progress) -> Int)] = [
            ("ok", { $0.succeeded }), ("ready", { $0.ready }), ("fail", { $0.failed }), ("run", { $0.inProgress }),
            ("skip", { $0.skipped }),
        ]
        // One step a pixel at most: thousands of batches make thousands of steps no one can see.
        var steps: [ReportTimeline.Progress] = []
        for p in timeline.progress {
            if let last = steps.last, axis.x(p.time) - axis.x(last.time) < 1 {
                steps[steps.count - 1] = p
                steps[steps.count - 1].time = last.time
            } else {
                steps.append(p)
            }
        }
        var below: [Int] = Array(repeating: 0, count: steps.count)
        for (tone, value) in layers {
            let above = zip(below, steps).map { $0 + value($1) }
            guard above != below else { continue }
            var d = ""
            for (i, p) in steps.enumerated() {
                let x = axis.x(p.time), next = i + 1 < steps.count ? axis.x(steps[i + 1].time) : axis.x(timeline.end)
                d += (i == 0 ? "M\(f(x)),\(f(py(above[i])))" : "V\(f(py(above[i])))") + "H\(f(next))"
            }
            for i in steps.indices.reversed() {
                let next = i + 1 < steps.count ? axis.x(steps[i + 1].time) : axis.x(timeline.end)
                d += "L\(f(next)),\(f(py(below[i])))H\(f(axis.x(steps[i].time)))"
            }
            out.element("path", ["d": d + "Z", "class": "area area-\(tone)"])
            below = above
        }
        let last = timeline.progress.last ?? ReportTimeline.Progress(time: 0)
        out.element("text", ["x": f(plotX0 - 6), "y": f(top + 8), "text-anchor": "end", "class": "small"], text: "\(total)")
        out.element("text", ["x": f(plotX0 - 6), "y": f(bottom), "text-anchor": "end", "class": "small"], text: "0")
        out.element("text", ["x": "16", "y": f(y + 34), "class": "small"], text: "targets by status")
        var summary: [String] = []
        if last.succeeded > 0 { summary.append("\(last.succeeded) ok") }
        if last.ready > 0 { summary.append("\(last.ready) ready") }
        if last.failed > 0 { summary.append("\(last.failed) failed") }
        if last.skipped > 0 { summary.append("\(last.skipped) skipped") }
        for (i, line) in summary.prefix(4).enumerated() {
            out.element("text", ["x": f(plotX1 + 12), "y": f(top + 8 + Double(i) * 13), "class": "small"], text: line)
        }
    }

    // MARK: - Lanes

    private func drawLane(_ out: inout MarkupWriter, _ lane: ReportTimeline.Lane, y: Double,
                          batches: [Int: ReportTimeline.Span], batchTone: [Int: Int]) {
        let h = laneHeight
        out.open("g", ["class": "lane", "data-target": lane.id])
        // The batches the target was in, shaded behind its bars.
        for index in lane.batches {
            guard let span = batches[index] else { continue }
            let x0 = axis.x(span.start), x1 = max(axis.x(span.end), x0 + 1)
            out.rect(x: x0, y: y + 1, w: x1 - x0, h: h - 2, cls: batchTone[index] == 1 ? "lanebatch alt" : "lanebatch")
        }
        out.line(x1: plotX0, y1: y + h, x2: plotX1, y2: y + h, cls: "lanesep")
        out.open("text", ["x": "16", "y": f(y + h / 2 + 4), "class": lane.status == .failed ? "target failed" : "target"])
        out.element("title", text: lane.id)
        out.text(MarkupText.shorten(lane.id, to: labelChars))
        out.close("text")
        let barHeight = max(7, h - 9)
        let by = y + (h - barHeight) / 2
        for bar in lane.bars {
            let x0 = axis.x(bar.start)
            let w = max(axis.x(bar.end) - x0, 2)
            out.open("g", [:])
            out.rect(x: x0, y: by, w: w, h: barHeight, cls: "bar b-\(ReportPalette.tone(bar.status))")
            var title = "\(lane.id) · \(bar.event.rawValue): \(bar.status?.rawValue ?? "still running at the end of the record")"
            if bar.error != .success { title += " (\(bar.error.rawValue))" }
            if !bar.message.isEmpty { title += " — \(bar.message)" }
            title += "\n\(TimeAxis.clock(bar.start)) → \(TimeAxis.clock(bar.end)) (\(TimeAxis.duration(bar.end - bar.start)))"
            out.element("title", text: title)
            out.close("g")
            if h >= 18, let short = Self.abbreviations[bar.event], w >= Double(short.count) * 6.5 + 4 {
                out.element("text", ["x": f(x0 + w / 2), "y": f(by + barHeight / 2 + 3.5), "text-anchor": "middle",
                                     "class": bar.status == .skipped ? "abbr dark" : "abbr"], text: short)
            }
        }
        // The target's final status, at the lane's end: a chip, or in narrow lanes a square and the word.
        let tone = ReportPalette.tone(lane.status.rawValue)
        if h >= 18 {
            let chipHeight = min(h - 4, 17)
            out.rect(x: plotX1 + 10, y: y + (h - chipHeight) / 2, w: statusWidth - 14, h: chipHeight, cls: "chip c-\(tone)", rx: 3)
            out.element("text", ["x": f(plotX1 + 10 + (statusWidth - 14) / 2), "y": f(y + h / 2 + 4), "text-anchor": "middle",
                                 "class": "chiptext t-\(tone)"], text: lane.status.rawValue)
        } else {
            out.rect(x: plotX1 + 10, y: y + h / 2 - 4, w: 8, h: 8, cls: "chip c-\(tone)", rx: 1.5)
            out.element("text", ["x": f(plotX1 + 23), "y": f(y + h / 2 + 3.5), "class": "small"], text: lane.status.rawValue)
        }
        out.close("g")
    }

    /// Stops (and the rollback or restore that followed) as lines across every row.
    private func drawMarkerLines(_ out: inout MarkupWriter, top: Double, bottom: Double) {
        for marker in timeline.markers {
            guard case .stop(let code, _, _) = marker.kind else { continue }
            let x = axis.x(marker.time)
            out.open("g", ["class": "stopline"])
            out.line(x1: x, y1: top, x2: x, y2: bottom)
            out.element("title", text: "Stop requested at \(TimeAxis.clock(marker.time)) (\(code.rawValue))")
            out.close("g")
        }
    }

    /// A label inside a band, when it fits.
    private func text(_ out: inout MarkupWriter, _ label: String, x0: Double, x1: Double, y: Double, cls: String) {
        let room = Int((x1 - x0 - 8) / 6.6)
        guard room >= 2 else { return }
        let shown = label.count <= room ? label : (room >= 5 ? String(label.prefix(room - 1)) + "…" : "")
        guard !shown.isEmpty else { return }
        out.element("text", ["x": f(x0 + 5), "y": f(y), "class": cls], text: shown)
    }

    // MARK: - Names

    static let abbreviations: [LifecycleEvent: String] = [
        .beforeBlockTraffic: "BB", .blockTraffic: "BT", .afterBlockTraffic: "AB", .applicationStop: "ST",
        .downloadBundle: "DL", .beforeInstall: "BI", .install: "IN", .afterInstall: "AI", .applicationStart: "SA",
        .validateService: "VS", .beforeAllowTraffic: "BA", .allowTraffic: "AT", .afterAllowTraffic: "AA",
        .allowTestTraffic: "TT", .afterAllowTestTraffic: "AT2",
    ]

    struct Group { var role: ReportTimeline.Role; var lanes: [ReportTimeline.Lane] }

    /// Lanes grouped by role, in the fleet's order (blue/green: replacements, then originals).
    static func groups(_ lanes: [ReportTimeline.Lane]) -> [Group] {
        var groups: [Group] = []
        for lane in lanes {
            if groups.last?.role == lane.role { groups[groups.count - 1].lanes.append(lane) } else { groups.append(Group(role: lane.role, lanes: [lane])) }
        }
        return groups
    }

    static func groupTitle(_ role: ReportTimeline.Role) -> String {
        switch role {
        case .replacement: "Replacement instances"
        case .original: "Original instances"
        case .instance: "Instances"
        case .function: "Function alias"
        case .service: "Service"
        }
    }

    static func title(_ role: ReportTimeline.Role) -> String {
        switch role {
        case .function: "Function alias"
        case .service: "Service"
        default: "Target"
        }
    }

    static func stageName(_ stage: BlueGreenStage) -> String {
        switch stage {
        case .install: "install on replacements"
        case .reroute: "reroute traffic"
        case .block: "block originals"
        case .restoreOriginals: "restore originals"
        case .blockReplacements: "block replacements"
        }
    }

    static func stageTone(_ stage: BlueGreenStage) -> Int {
        switch stage {
        case .install, .restoreOriginals: 0
        case .reroute, .blockReplacements: 1
        case .block: 2
        }
    }

    /// Classes, patterns and markers the drawing uses (no `<` or `&` inside: the style
    /// sheet stays valid XML without CDATA).
    static let styleAndPatterns = """
        <defs><pattern id="co-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
        <rect width="6" height="6" fill="\(ReportPalette.running)"/><rect width="2.4" height="6" fill="#FFFFFF" fill-opacity="0.5"/></pattern>\
        <pattern id="co-wait" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
        <rect width="6" height="6" fill="#EDEFF3"/><rect width="1.6" height="6" fill="#C3CAD4"/></pattern></defs>
        <style>
        .timeline text { fill: \(ReportPalette.ink); font-size: 12px; }
        .timeline .axis text { fill: \(ReportPalette.muted); font-size: 11px; font-variant-numeric: tabular-nums; }
        .timeline .axis .caption { font-size: 10.5px; font-style: italic; }
        .timeline .grid line { stroke: \(ReportPalette.grid); stroke-width: 1; }
        .timeline .sep { stroke: #EEF1F5; stroke-width: 1; }
        .timeline .base { stroke: #B8C0CC; stroke-width: 1; }
        .timeline .lanesep { stroke: #F1F3F6; stroke-width: 1; }
        .timeline .tick { stroke: #9AA5B4; stroke-width: 1; }
        .timeline .rowlabel { font-weight: 600; fill: \(ReportPalette.muted); font-size: 11.5px; }
        .timeline .group { font-weight: 600; font-size: 11.5px; fill: \(ReportPalette.ink); }
        .timeline .small { font-size: 10.5px; fill: \(ReportPalette.muted); }
        .timeline .omitted { font-size: 11.5px; fill: \(ReportPalette.muted); font-style: italic; }
        .timeline .target { font-family: ui-monospace, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace; font-size: 11.5px; }
        .timeline .target.failed { font-weight: 700; fill: #A84A00; }
        .timeline .inband { font-size: 10.5px; fill: #FFFFFF; font-weight: 600; }
        .timeline .inband.dark, .timeline .abbr.dark { fill: \(ReportPalette.ink); }
        .timeline .abbr { font-size: 9px; font-weight: 700; fill: #FFFFFF; pointer-events: none; letter-spacing: 0.02em; }
        .timeline .stage { fill-opacity: 0.9; }
        .timeline .stage-0 { fill: #3E7CB1; } .timeline .stage-1 { fill: \(ReportPalette.running); } .timeline .stage-2 { fill: #4B5563; }
        .timeline .batch { fill: #7B8798; } .timeline .batch.alt { fill: #5D6878; }
        .timeline .lanebatch { fill: \(ReportPalette.band); } .timeline .lanebatch.alt { fill: \(ReportPalette.bandAlternate); }
        .timeline .wait { fill: url(#co-wait); stroke: #AEB6C2; stroke-width: 0.8; }
        .timeline .wait.bake { fill: \(ReportPalette.bake); fill-opacity: 0.75; stroke: #B8AC00; }
        .timeline .wait.ready { fill: \(ReportPalette.ready); fill-opacity: 0.45; stroke: \(ReportPalette.ready); }
        .timeline .bar { stroke: #FFFFFF; stroke-width: 0.8; }
        .timeline .b-ok { fill: \(ReportPalette.succeeded); }
        .timeline .b-fail { fill: \(ReportPalette.failed); stroke: #7A2E00; stroke-width: 1.4; }
        .timeline .b-skip { fill: \(ReportPalette.skipped); stroke: #8F98A6; stroke-dasharray: 2 1.5; }
        .timeline .b-run { fill: url(#co-hatch); stroke: \(ReportPalette.running); }
        .timeline .b-pending { fill: #FFFFFF; stroke: #8F98A6; }
        .timeline .chip { stroke-width: 1; }
        .timeline .c-ok { fill: \(ReportPalette.succeeded); } .timeline .c-fail { fill: \(ReportPalette.failed); }
        .timeline .c-run { fill: \(ReportPalette.running); } .timeline .c-ready { fill: \(ReportPalette.ready); }
        .timeline .c-stop { fill: \(ReportPalette.stopped); } .timeline .c-skip { fill: #E6E9EE; stroke: #B8C0CC; }
        .timeline .c-pending { fill: #FFFFFF; stroke: #B8C0CC; }
        .timeline .chiptext { font-size: 10.5px; font-weight: 700; fill: #FFFFFF; }
        .timeline .t-ready, .timeline .t-stop, .timeline .t-skip, .timeline .t-pending { fill: \(ReportPalette.ink); }
        .timeline .weight-area { fill: \(ReportPalette.running); fill-opacity: 0.12; }
        .timeline .weight-line { fill: none; stroke: \(ReportPalette.running); stroke-width: 2.2; stroke-linejoin: round; }
        .timeline .weight-dot { fill: #FFFFFF; stroke: \(ReportPalette.running); stroke-width: 2; }
        .timeline .weight-end { font-weight: 700; fill: \(ReportPalette.running); }
        .timeline .area-ok { fill: \(ReportPalette.succeeded); } .timeline .area-fail { fill: \(ReportPalette.failed); }
        .timeline .area-ready { fill: \(ReportPalette.ready); } .timeline .area-run { fill: url(#co-hatch); }
        .timeline .area-skip { fill: \(ReportPalette.skipped); }
        .timeline .mark-alarm path { fill: \(ReportPalette.alarm); stroke: #7D3B66; stroke-width: 1; }
        .timeline .mark-poll path { fill: #FFFFFF; stroke: \(ReportPalette.alarm); stroke-width: 1.6; }
        .timeline .mark-stop rect { fill: \(ReportPalette.failed); stroke: #7A2E00; }
        .timeline .mark-note circle { fill: #FFFFFF; stroke: \(ReportPalette.ink); stroke-width: 1.6; }
        .timeline .marklabel { font-weight: 600; fill: \(ReportPalette.ink); }
        .timeline .stopline line { stroke: \(ReportPalette.failed); stroke-width: 1.5; stroke-dasharray: 5 3; }
        </style>
        """
}

private func f(_ x: Double) -> String { MarkupWriter.number(x) }
