import CutoverCore
import Foundation

/// `cutover report`: a recorded deployment as one self-contained HTML page — a header
/// (what, where, who, when, how it ended), the timeline as inline SVG (no scripts, no
/// external resources) and every event in a plain table, so the file is useful without
/// the picture too. Pure: the same record gives the same bytes.
public struct DeploymentReport {
    public var recorded: RecordedDeployment
    /// The deployment this one rolls back, when the history has it.
    public var rollsBack: DeploymentSummary?
    /// The rollback deployment that undid this one, when the history has it.
    public var rolledBackBy: DeploymentSummary?
    /// At most this many target lanes are drawn (the others are counted); large fleets
    /// stay a reasonable file.
    public var maximumLanes: Int
    /// At most this many rows in the events table.
    public var maximumTableRows: Int

    public init(_ recorded: RecordedDeployment, rollsBack: DeploymentSummary? = nil, rolledBackBy: DeploymentSummary? = nil,
                maximumLanes: Int = 100, maximumTableRows: Int = 1000) {
        self.recorded = recorded
        self.rollsBack = rollsBack
        self.rolledBackBy = rolledBackBy
        self.maximumLanes = max(1, maximumLanes)
        self.maximumTableRows = max(1, maximumTableRows)
    }

    /// The page.
    public func html() -> String {
        let timeline = ReportTimeline(spec: recorded.spec, events: recorded.events)
        let drawing = TimelineSVG(timeline: timeline, maximumLanes: maximumLanes)
        let spec = recorded.spec
        let summary = recorded.summary
        let status = timeline.state.status.rawValue
        var out = MarkupWriter()
        out.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        out.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        out.raw("<meta name=\"generator\" content=\"cutover report\">\n")
        out.element("title", text: "\(summary.key) · \(spec.application)/\(spec.group) · \(status)")
        out.raw("\n<style>\n" + Self.pageStyle + "</style>\n</head>\n<body>\n<main>\n")

        header(&out, timeline)
        out.raw("<section class=\"picture\">\n<h2>Timeline</h2>\n")
        out.raw("<div class=\"scroll\">")
        out.raw(drawing.render())
        out.raw("</div>\n")
        legend(&out, timeline)
        out.raw("</section>\n")
        table(&out, timeline, drawn: Set(drawing.drawnLanes.map(\.target)))
        out.open("footer", [:])
        out.text("Drawn by cutover report from the history (\(summary.key), \(recorded.events.count) events). Times are relative to the deployment's first event"
                 + (summary.provider == "sim" ? ", on the simulator's virtual clock." : "."))
        out.close("footer")
        out.raw("\n</main>\n</body>\n</html>\n")
        return out.text
    }

    // MARK: - Header

    private func header(_ out: inout MarkupWriter, _ timeline: ReportTimeline) {
        let spec = recorded.spec
        let summary = recorded.summary
        let state = timeline.state
        let tone = ReportPalette.tone(state.status.rawValue)
        out.raw("<header>\n<div class=\"titlerow\">")
        out.open("h1", [:])
        out.element("span", ["class": "id"], text: summary.id)
        if summary.key != summary.id, summary.key.hasPrefix(summary.id) { out.element("span", ["class": "key"], text: String(summary.key.dropFirst(summary.id.count))) }
        out.element("span", ["class": "app"], text: "\(spec.application) / \(spec.group)")
        out.close("h1")
        out.element("span", ["class": "status s-\(tone)"], text: state.status.rawValue)
        out.raw("</div>\n")
        if state.error != nil || !state.message.isEmpty {
            out.open("p", ["class": "outcome o-\(tone)"])
            if let error = state.error { out.element("code", [:], text: error.rawValue) }
            if !state.message.isEmpty { out.element("span", [:], text: state.message) }
            out.close("p")
            out.raw("\n")
        }

        var facts: [(String, String)] = []
        let platform = spec.platform.codeDeployName + (spec.blueGreen != nil ? " blue/green" : spec.platform == .server ? " in-place" : "")
            + (spec.blueGreen?.rollingBack == true ? " (rolling back)" : "")
        facts.append(("Platform", platform))
        facts.append(("Provider", summary.provider))
        facts.append(("Configuration", spec.configuration.name + (spec.policy.map { " · policy \($0)" } ?? "")))
        if let traffic = spec.traffic {
            let what = traffic.kind == .function ? "\(traffic.name)" + (traffic.alias.map { ":\($0)" } ?? "") : traffic.name
            facts.append(("Revision", "\(what): \(traffic.currentVersion) → \(traffic.targetVersion)"))
        } else {
            let from = spec.lastSuccessfulRevision.flatMap { $0 == spec.revision ? nil : "\($0) → " } ?? ""
            facts.append(("Revision", from + spec.revision))
        }
        facts.append(("Creator", summary.creator))
        facts.append(("Created", Self.date(summary.createdAt)))
        facts.append(("Ended", summary.endedAt.map(Self.date) ?? (state.isEnded ? "—" : "not ended when recorded")))
        facts.append(("Duration", TimeAxis.duration(timeline.end) + (summary.provider == "sim" ? " (simulated clock)" : "")))
        facts.append(("Targets", Self.targetSummary(timeline)))
        if spec.alarms.isEnabled { facts.append(("Alarms", spec.alarms.names.joined(separator: ", "))) }
        if !spec.autoRollback.triggers.isEmpty {
            facts.append(("Auto-rollback", spec.autoRollback.triggers.map(\.rawValue).sorted().joined(separator: ", ")))
        }
        out.raw("<dl class=\"facts\">\n")
        for (name, value) in facts {
            out.raw(value.count > 30 ? "<div class=\"wide\">" : "<div>")
            out.element("dt", [:], text: name)
            out.element("dd", [:], text: value)
            out.raw("</div>\n")
        }
        out.raw("</dl>\n")

        // Rollbacks, both ways.
        var links: [(String, String, DeploymentSummary?)] = []
        if let original = spec.rollbackOf { links.append(("Rolls back", original, rollsBack)) }
        if let rollback = rolledBackBy {
            links.append(("Rolled back by", rollback.id, rollback))
        } else if let revision = state.rollbackRevision {
            links.append(("Rollback to \(revision) requested", "", nil))
        }
        if !links.isEmpty {
            out.raw("<ul class=\"links\">\n")
            for (label, id, found) in links {
                out.raw("<li>")
                out.element("span", ["class": "linklabel"], text: label)
                if let found {
                    out.element("code", [:], text: found.key)
                    out.element("span", ["class": "status small s-\(ReportPalette.tone(found.status))"], text: found.status)
                    out.element("span", ["class": "hint"], text: "cutover report \(found.key) -o \(found.key).html")
                } else if !id.isEmpty {
                    out.element("code", [:], text: id)
                    out.element("span", ["class": "hint"], text: "not in this history")
                } else {
                    out.element("span", ["class": "hint"], text: "its deployment is not in this history")
                }
                out.raw("</li>\n")
            }
            out.raw("</ul>\n")
        }
        out.raw("</header>\n")
    }

    static func targetSummary(_ timeline: ReportTimeline) -> String {
        let noun: String = switch timeline.spec.platform {
        case .server: timeline.lanes.count == 1 ? "instance" : "instances"
        case .lambda: "function alias"
        case .ecs: "service"
        }
        let counts = Dictionary(grouping: timeline.lanes, by: \.status).mapValues(\.count)
        let order: [TargetStatus] = [.succeeded, .failed, .ready, .inProgress, .skipped, .pending, .unknown]
        let parts = order.compactMap { s in counts[s].map { "\($0) \(s.rawValue.lowercased())" } }
        var text = "\(timeline.lanes.count) \(noun)"
        if let blueGreen = timeline.spec.blueGreen {
            text += " (\(blueGreen.replacementCount) replacement, \(timeline.lanes.count - blueGreen.replacementCount) original)"
        }
        return text + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
    }

    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: date)
    }

    // MARK: - Legend

    private func legend(_ out: inout MarkupWriter, _ timeline: ReportTimeline) {
        var items: [(String, String)] = [
            ("sw-ok", "succeeded"), ("sw-fail", "failed"), ("sw-skip", "skipped"), ("sw-run", "running when the record ends"),
        ]
        if timeline.spec.platform == .server && !timeline.batches.isEmpty { items.append(("sw-batch", "a batch (shaded behind its targets)")) }
        if timeline.waits.contains(where: { if case .bake = $0.kind { true } else { false } }) { items.append(("sw-bake", "bake (alarms watched)")) }
        if timeline.waits.contains(where: { if case .bake = $0.kind { false } else { true } }) { items.append(("sw-wait", "waiting")) }
        if timeline.weights != nil {
            items.append(("sw-weight", timeline.spec.traffic != nil ? "share of the traffic \(timeline.weightMeaning)"
                                        : "share of the registered instances that are replacements"))
        }
        if !timeline.alarmMarkers.isEmpty || timeline.spec.alarms.isEnabled { items.append(("sw-alarm", "alarm seen in ALARM")) }
        if timeline.markers.contains(where: { if case .stop = $0.kind { true } else { false } }) { items.append(("sw-stop", "stop requested")) }
        out.raw("<ul class=\"legend\">")
        for (cls, label) in items {
            out.raw("<li><span class=\"sw \(cls)\"></span>")
            out.text(label)
            out.raw("</li>")
        }
        out.raw("<li class=\"abbrs\">")
        out.text("ST ApplicationStop · DL DownloadBundle · BI BeforeInstall · IN Install · AI AfterInstall · SA ApplicationStart · "
                 + "VS ValidateService · BB/BT/AB block traffic · BA/AT/AA allow traffic · TT/AT2 test traffic; hover a bar for details")
        out.raw("</li></ul>\n")
    }

    // MARK: - Events table

    private func table(_ out: inout MarkupWriter, _ timeline: ReportTimeline, drawn: Set<Int>) {
        let spec = recorded.spec
        let events = recorded.events
        // A large fleet: the events of the targets drawn and of the deployment as a whole,
        // without the "started" rows (a bar's tooltip has its start).
        var rows = events
        if rows.count > maximumTableRows {
            rows = events.filter { e in
                switch e.event {
                case .lifecycleStarted: false
                case .lifecycleEnded(let t, _, _, _, _), .targetEnded(let t, _): drawn.contains(t)
                case .batchStarted(_, let targets): targets.contains(where: drawn.contains)
                default: true
                }
            }
            if rows.count > maximumTableRows { rows = Array(rows.prefix(maximumTableRows)) }
        }
        out.raw("<section class=\"events\">\n")
        out.element("h2", [:], text: "Events")
        if rows.count < events.count {
            out.element("p", ["class": "note"],
                        text: "\(rows.count) of \(events.count) events are listed: those of the targets drawn, without the rows of events starting"
                            + (rows.count == maximumTableRows ? ", up to \(TimeAxis.clock(rows.last.map { $0.time - timeline.origin } ?? 0))" : "")
                            + ". cutover show \(recorded.summary.key) --json has them all.")
        }
        out.raw("<div class=\"tablewrap\"><table>\n<thead><tr><th class=\"num\">#</th><th>Time</th><th>Target</th><th>Event</th><th>Result</th><th>Detail</th></tr></thead>\n<tbody>\n")
        for e in rows {
            let row = Self.describe(e.event, spec: spec, origin: timeline.origin)
            // Cells without classes (the style sheet places them by column): large tables stay small.
            out.raw("<tr>")
            out.element("td", text: "\(e.sequence)")
            out.element("td", text: TimeAxis.clock(e.time - timeline.origin))
            out.element("td", text: Self.target(of: e.event).map { $0 < spec.targets.count ? spec.targets[$0].id : "#\($0)" } ?? "")
            out.element("td", text: row.event)
            if let result = row.result {
                out.raw("<td>")
                out.element("span", ["class": "result r-\(ReportPalette.tone(result))"], text: result)
                out.raw("</td>")
            } else {
                out.raw("<td></td>")
            }
            out.element("td", text: row.detail)
            out.raw("</tr>\n")
        }
        out.raw("</tbody>\n</table></div>\n</section>\n")
    }

    static func target(of event: DeploymentEvent) -> Int? {
        switch event {
        case .lifecycleStarted(let t, _), .lifecycleEnded(let t, _, _, _, _), .targetEnded(let t, _): t
        default: nil
        }
    }

    /// An event in words: what, its result (a status), and the rest.
    /// Times in it (a bake's end) are relative to `origin`, as the table's are.
    static func describe(_ event: DeploymentEvent, spec: DeploymentSpec, origin: Int64) -> (event: String, result: String?, detail: String) {
        func names(_ targets: [Int]) -> String {
            let shown = targets.prefix(12).map { $0 < spec.targets.count ? spec.targets[$0].id : "#\($0)" }
            return shown.joined(separator: ", ") + (targets.count > shown.count ? " and \(targets.count - shown.count) more" : "")
        }
        func ending(_ error: DeploymentErrorCode?, _ message: String) -> String {
            [error?.rawValue, message.isEmpty ? nil : message].compactMap { $0 }.joined(separator: ": ")
        }
        switch event {
        case .created: return ("Created", nil, "")
        case .started(let minimum, let batch): return ("Started", nil, "minimum healthy \(minimum), batch size \(batch)")
        case .batchStarted(let index, let targets): return ("Batch \(index + 1)", nil, "\(targets.count) target(s): " + names(targets))
        case .lifecycleStarted(_, let e): return ("\(e.rawValue) started", nil, "")
        case .lifecycleEnded(_, let e, let status, let error, let message):
            return (e.rawValue, status.rawValue, [error == .success ? nil : error.rawValue, message.isEmpty ? nil : message]
                .compactMap { $0 }.joined(separator: ": "))
        case .targetEnded(_, let status): return ("Target ended", status.rawValue, "")
        case .policyStep(let step):
            let detail: String = switch step {
            case .deploy(let targets): "deploy " + names(targets)
            case .bake(let seconds, let alarms): "bake \(TimeAxis.duration(Int64(seconds) * 1000))" + (alarms.map { " watching " + $0.joined(separator: ", ") } ?? "")
            case .approve(let name): "wait for approval “\(name)”"
            case .abort(let reason): "abort: \(reason)"
            case .done: "done"
            case .shift(let weight): "shift \(weight)% of the traffic"
            }
            return ("Policy step", nil, detail)
        case .bakeStarted(let until, let alarms):
            return ("Bake", nil, "until \(TimeAxis.clock(until - origin))" + (alarms.isEmpty ? "" : ", watching " + alarms.joined(separator: ", ")))
        case .bakeEnded: return ("Bake ended", nil, "")
        case .approvalWaiting(let name): return ("Waiting for approval", nil, name)
        case .approved(let name): return ("Approved", nil, name)
        case .alarmActive(let name): return ("Alarm", "ALARM", name)
        case .alarmPollFailed(let message): return ("Alarms unreadable", nil, message)
        case .stopRequested(let code, let rollback, let message):
            return ("Stop requested", nil, ending(code, message) + (rollback ? " (with rollback)" : ""))
        case .ended(let status, let error, let message): return ("Ended", status.rawValue, ending(error, message))
        case .rollbackRequested(let revision): return ("Rollback requested", nil, "to \(revision)")
        case .rollbackUnavailable(let message): return ("No rollback", nil, message)
        case .trafficShiftRequested(let weight): return ("Traffic shift requested", nil, "\(weight)% to \(spec.traffic?.targetVersion ?? "the target")")
        case .trafficShifted(let weight): return ("Traffic shifted", nil, "\(weight)% on \(spec.traffic?.targetVersion ?? "the target")")
        case .trafficRestoreRequested(let status, let error, let message, let rollback):
            return ("Traffic restore requested", nil, "then \(status.rawValue)" + (error.map { " (\($0.rawValue))" } ?? "")
                    + (message.isEmpty ? "" : ": \(message)") + (rollback ? ", with rollback" : ""))
        case .trafficRestored(let message): return ("Traffic restored", nil, message)
        case .terminationWaitStarted(let until): return ("Termination wait", nil, "until \(TimeAxis.clock(until - origin))")
        case .originalTerminationRequested: return ("Original termination requested", nil, "")
        case .originalTerminated: return ("Original terminated", nil, "")
        case .stageStarted(let stage): return ("Stage", nil, TimelineSVG.stageName(stage))
        case .readyWaitStarted(let until): return ("Ready wait", nil, "until \(TimeAxis.clock(until - origin))")
        case .replacementDiscardRequested(let status, let error, let message):
            return ("Replacement discard requested", nil, "then \(status.rawValue)" + (error.map { " (\($0.rawValue))" } ?? "")
                    + (message.isEmpty ? "" : ": \(message)"))
        case .replacementDiscarded(let message): return ("Replacements discarded", nil, message)
        }
    }

    // MARK: - Style

    static let pageStyle = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #F5F7FA; color: \(ReportPalette.ink);
          font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
        main { max-width: 1180px; margin: 0 auto; padding: 28px 28px 40px; }
        code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
        header, section { background: #FFFFFF; border: 1px solid #E1E6EC; border-radius: 10px; padding: 20px 24px; margin-bottom: 18px; }
        .titlerow { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; }
        h1 { margin: 0; font-size: 22px; font-weight: 650; display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; }
        h1 .id { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
        h1 .key { color: \(ReportPalette.muted); font-weight: 400; font-size: 15px; margin-left: -8px; }
        h1 .app { color: \(ReportPalette.muted); font-weight: 500; font-size: 17px; }
        h2 { font-size: 15px; margin: 0 0 12px; color: \(ReportPalette.muted); text-transform: uppercase; letter-spacing: 0.06em; }
        .status { display: inline-block; padding: 3px 12px; border-radius: 999px; font-weight: 700; font-size: 13px; color: #FFFFFF; }
        .status.small { padding: 1px 8px; font-size: 11.5px; margin: 0 8px; }
        .s-ok { background: \(ReportPalette.succeeded); } .s-fail { background: \(ReportPalette.failed); }
        .s-stop { background: \(ReportPalette.stopped); color: \(ReportPalette.ink); } .s-run { background: \(ReportPalette.running); }
        .s-ready { background: \(ReportPalette.ready); color: \(ReportPalette.ink); } .s-skip, .s-pending { background: #E6E9EE; color: \(ReportPalette.ink); }
        .outcome { margin: 12px 0 0; padding: 9px 12px; border-radius: 6px; border-left: 4px solid; background: #F7F8FA; }
        .outcome code { font-weight: 700; margin-right: 10px; }
        .o-fail { border-color: \(ReportPalette.failed); background: #FDF1EA; } .o-fail code { color: #A84A00; }
        .o-stop { border-color: \(ReportPalette.stopped); background: #FEF7E8; } .o-stop code { color: #8A5A00; }
        .o-ok { border-color: \(ReportPalette.succeeded); background: #EAF7F2; } .o-ok code { color: #006E50; }
        .o-run, .o-ready, .o-skip, .o-pending { border-color: \(ReportPalette.running); }
        .facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 10px 24px; margin: 16px 0 0; }
        .facts div { min-width: 0; }
        .facts .wide { grid-column: span 2; }
        .facts dt { font-size: 11.5px; text-transform: uppercase; letter-spacing: 0.05em; color: \(ReportPalette.muted); }
        .facts dd { margin: 1px 0 0; overflow-wrap: break-word; }
        .links { list-style: none; margin: 14px 0 0; padding: 10px 0 0; border-top: 1px solid #EEF1F5; }
        .links li { margin: 2px 0; }
        .linklabel { color: \(ReportPalette.muted); margin-right: 8px; }
        .hint { color: \(ReportPalette.muted); font-size: 12.5px; }
        .scroll { overflow-x: auto; }
        svg.timeline { display: block; max-width: 100%; height: auto; }
        .legend { list-style: none; padding: 0; margin: 14px 0 0; display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 12.5px; color: \(ReportPalette.muted); }
        .legend li { display: flex; align-items: center; gap: 6px; }
        .legend .abbrs { flex-basis: 100%; font-size: 11.5px; }
        .sw { display: inline-block; width: 22px; height: 11px; border-radius: 2px; }
        .sw-ok { background: \(ReportPalette.succeeded); } .sw-fail { background: \(ReportPalette.failed); outline: 1.4px solid #7A2E00; }
        .sw-skip { background: \(ReportPalette.skipped); outline: 1px dashed #8F98A6; }
        .sw-run { background: repeating-linear-gradient(45deg, \(ReportPalette.running) 0 3px, #7FB0D8 3px 5px); }
        .sw-batch { background: \(ReportPalette.band); outline: 1px solid #C9D3E0; }
        .sw-bake { background: \(ReportPalette.bake); }
        .sw-wait { background: repeating-linear-gradient(45deg, #EDEFF3 0 3px, #C3CAD4 3px 4.6px); }
        .sw-weight { height: 3px; background: \(ReportPalette.running); }
        .sw-alarm { width: 11px; background: \(ReportPalette.alarm); transform: rotate(45deg) scale(0.8); }
        .sw-stop { width: 0; height: 14px; border-left: 2px dashed \(ReportPalette.failed); border-radius: 0; }
        table { border-collapse: collapse; width: 100%; font-size: 13px; }
        th { text-align: left; font-size: 11.5px; text-transform: uppercase; letter-spacing: 0.05em; color: \(ReportPalette.muted);
          border-bottom: 1px solid #D9DFE7; padding: 6px 10px; position: sticky; top: 0; background: #FFFFFF; }
        td { padding: 4px 10px; border-bottom: 1px solid #F0F2F5; vertical-align: top; }
        tbody tr:nth-child(even) { background: #FAFBFC; }
        td:nth-child(1) { color: \(ReportPalette.muted); text-align: right; }
        td:nth-child(1), td:nth-child(2), td:nth-child(3) {
          font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
        td:nth-child(1), td:nth-child(2), td:nth-child(3), td:nth-child(4) { white-space: nowrap; }
        td:nth-child(6) { overflow-wrap: anywhere; }
        th.num { text-align: right; }
        .tablewrap { overflow-x: auto; }
        .result { font-weight: 600; }
        .r-ok { color: #007A58; } .r-fail { color: #B24E00; } .r-stop { color: #8A5A00; } .r-skip, .r-pending { color: \(ReportPalette.muted); }
        .r-run, .r-ready { color: \(ReportPalette.running); }
        .note { color: \(ReportPalette.muted); margin: 0 0 10px; }
        footer { color: \(ReportPalette.muted); font-size: 12px; text-align: center; }

        """
}
