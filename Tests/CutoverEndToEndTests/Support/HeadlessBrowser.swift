import Foundation

/// Debian's Chromium, headless: a page rendered as the browser renders it, its DOM and
/// a screenshot from one launch. `scripts/bootstrap` installs it; a test that needs it
/// fails, with a message saying so, when it is missing.
struct HeadlessBrowser {
    let executable: String

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "chromium is not installed (or not on PATH): scripts/bootstrap installs Debian's chromium, or run apt-get install -y chromium"
        }
    }

    /// What the browser made of a page.
    struct Rendering {
        /// The DOM after parsing, serialised (`--dump-dom`).
        let dom: String
        let screenshot: PNGImage
        let seconds: Double
    }

    init() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let found = path.split(separator: ":").lazy.flatMap { dir in ["chromium", "chromium-browser"].map { "\(dir)/\($0)" } }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let found else { throw Missing() }
        executable = found
    }

    /// Loads `file` at `width`×`height`, with a profile of its own in the sandbox.
    func render(_ file: String, width: Int, height: Int, in sandbox: Sandbox) throws -> Rendering {
        let shot = sandbox.home + "/screenshot-\(UUID().uuidString).png"
        let started = ContinuousClock.now
        let run = try Pipes.run(Invocation(
            executable: executable,
            arguments: ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                        "--user-data-dir=\(sandbox.home)/chromium-profile", "--window-size=\(width),\(height)",
                        "--screenshot=\(shot)", "--dump-dom", URL(fileURLWithPath: file).absoluteString],
            environment: sandbox.environment, directory: sandbox.home, sandbox: sandbox), timeout: .seconds(90))
        let elapsed = ContinuousClock.now - started
        guard run.status == 0 else { throw PNGImage.Failure(description: "chromium failed: \(run)") }
        let image = try PNGImage(contentsOf: shot)
        let (seconds, attoseconds) = elapsed.components
        return Rendering(dom: run.stdout, screenshot: image, seconds: Double(seconds) + Double(attoseconds) / 1e18)
    }
}
