import Foundation
import Testing

/// `cutover report` through the built binary: recorded deployments drawn as HTML files,
/// checked by rendering them in headless Chromium; bad ids and paths fail cleanly.
@Suite(.timeLimit(.minutes(5)))
struct ReportTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The keys of the recorded deployments, newest first, with their fields.
    private func recorded(_ sandbox: Sandbox) throws -> [[String: Any]] {
        let listing = try Pipes.run(sandbox.cutover(["history", "--json", "--limit", "50"]))
        #expect(listing.status == 0, "\(listing)")
        let json = try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [String: Any]
        return json?["deployments"] as? [[String: Any]] ?? []
    }

    @Test func reportsRenderInAHeadlessBrowser() throws {
        let browser = try HeadlessBrowser()
        let sandbox = try Sandbox()
        // An in-place deployment with a failure, and a Lambda canary stopped by an alarm.
        for example in ["sim/one-at-a-time.lua", "lambda/canary.lua"] {
            let run = try Pipes.run(sandbox.cutover(["run", "--provider", "sim", Self.root + "/examples/" + example]))
            #expect(run.status == 0, "\(example): \(run)")
        }
        let deployments = try recorded(sandbox)
        let inPlace = try #require(deployments.first { $0["application"] as? String == "shop" })
        let canary = try #require(deployments.first { $0["group"] as? String == "checkout-live" && $0["status"] as? String == "Stopped" })

        // The in-place one: eight instances, web-3 failed, five skipped.
        let inPlaceFile = sandbox.home + "/in-place.html"
        let made = try Pipes.run(sandbox.cutover(["report", try #require(inPlace["key"] as? String), "-o", inPlaceFile]))
        #expect(made.status == 0 && made.stdout.isEmpty && made.stderr.isEmpty, "\(made)")
        let page = try String(contentsOfFile: inPlaceFile, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>") && !page.contains("<script"))
        #expect(!page.contains("src=") && !page.contains("<link") && !page.contains("url(http") && !page.contains("@import"),
                "self-contained: nothing is fetched")

        let shown = try browser.render(inPlaceFile, width: 1280, height: 1400, in: sandbox)
        // The browser's DOM has the swimlanes the SVG drew, one per instance.
        #expect(shown.dom.components(separatedBy: "<g class=\"lane\"").count - 1 == 8, "\(shown.dom.prefix(2000))")
        for host in 1...8 { #expect(shown.dom.contains("data-target=\"web-\(host)\"")) }
        #expect(shown.dom.contains("<svg") && shown.dom.contains("class=\"bar b-fail\""))
        // The screenshot is the size asked for and shows the picture: green bars, the
        // vermillion failure, more than a handful of colours.
        #expect(shown.screenshot.width == 1280 && shown.screenshot.height == 1400)
        #expect(shown.screenshot.distinctColours > 50, "\(shown.screenshot.distinctColours) colours")
        #expect(shown.screenshot.count(near: "#009E73") > 2000, "succeeded green: \(shown.screenshot.count(near: "#009E73"))")
        #expect(shown.screenshot.count(near: "#D55E00") > 200, "failed vermillion: \(shown.screenshot.count(near: "#D55E00"))")
        #expect(shown.seconds < 30, "rendering took \(shown.seconds) s")

        // The canary: one lane (the alias), the traffic weight, the alarm and the stop.
        let canaryFile = sandbox.home + "/canary.html"
        let key = try #require(canary["key"] as? String)
        #expect(try Pipes.run(sandbox.cutover(["report", key, "-o", canaryFile])).status == 0)
        let drawn = try browser.render(canaryFile, width: 1280, height: 900, in: sandbox)
        #expect(drawn.dom.components(separatedBy: "<g class=\"lane\"").count - 1 == 1)
        #expect(drawn.dom.contains("class=\"weight-line\"") && drawn.dom.contains("class=\"mark-alarm\""))
        #expect(drawn.dom.contains("Rolled back by"), "the rollback deployment is linked")
        #expect(drawn.screenshot.count(near: "#0072B2") > 300, "the traffic line: \(drawn.screenshot.count(near: "#0072B2"))")
        #expect(drawn.screenshot.count(near: "#CC79A7") > 20, "the alarm marker: \(drawn.screenshot.count(near: "#CC79A7"))")
    }

    @Test func badInputFailsCleanly() throws {
        let sandbox = try Sandbox()
        let run = try Pipes.run(sandbox.cutover(["run", "--provider", "sim", Self.root + "/examples/sim/one-at-a-time.lua"]))
        #expect(run.status == 0, "\(run)")
        let key = try #require(try recorded(sandbox).first?["key"] as? String)

        // Standard output.
        let out = try Pipes.run(sandbox.cutover(["report", key, "-o", "-"]))
        #expect(out.status == 0 && out.stdout.hasPrefix("<!DOCTYPE html>") && out.stdout.hasSuffix("</html>\n"), "\(out.stderr)")

        // An unknown id: the history's message, status 1, no file.
        let missing = try Pipes.run(sandbox.cutover(["report", "d-NOPE", "-o", "nope.html"]))
        #expect(missing.status == 1 && missing.stderr.contains("no deployment d-NOPE in the history"), "\(missing)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.home + "/nope.html"))

        // Paths that cannot be written: nothing half-written is left behind.
        for path in [sandbox.home + "/no/such/dir/r.html", sandbox.home] {
            let bad = try Pipes.run(sandbox.cutover(["report", key, "-o", path]))
            #expect(bad.status == 1 && bad.stderr.hasPrefix("cutover: cannot write the report to \(path): "), "\(bad)")
        }
        let blocked = sandbox.home + "/blocked"
        try "not a directory".write(toFile: blocked, atomically: true, encoding: .utf8)
        let under = try Pipes.run(sandbox.cutover(["report", key, "-o", blocked + "/r.html"]))
        #expect(under.status == 1 && under.stderr.contains("cannot write the report"), "\(under)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: sandbox.home).filter { $0.hasPrefix(".") && $0.contains(".html.") }
        #expect(leftovers.isEmpty, "\(leftovers)")

        // An existing report is replaced whole.
        let file = sandbox.home + "/r.html"
        try "old".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try Pipes.run(sandbox.cutover(["report", key, "-o", file])).status == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))

        // CUTOVER_STATE_DIR moves the history, as for cutover show.
        var elsewhere = try sandbox.cutover(["report", key, "-o", "-"])
        elsewhere.environment["CUTOVER_STATE_DIR"] = sandbox.home + "/other-state"
        let moved = try Pipes.run(elsewhere)
        #expect(moved.status == 1 && moved.stderr.contains("no deployment \(key)"), "\(moved)")

        let usage = try Pipes.run(sandbox.cutover(["report", key]))
        #expect(usage.status == 2 && usage.stderr.contains("-o"), "\(usage)")
    }
}
