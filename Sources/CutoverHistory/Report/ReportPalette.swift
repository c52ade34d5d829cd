import CutoverCore

/// The report's colours: Okabe and Ito's palette, which stays distinguishable with every
/// common colour-vision deficiency; shapes and labels repeat what colour says (a failed
/// bar is also outlined, a running one hatched, an alarm a diamond).
enum ReportPalette {
    static let succeeded = "#009E73"   // bluish green
    static let failed = "#D55E00"      // vermillion
    static let running = "#0072B2"     // blue (hatched)
    static let ready = "#56B4E9"       // sky blue
    static let stopped = "#E69F00"     // orange
    static let alarm = "#CC79A7"       // reddish purple
    static let bake = "#F0E442"        // yellow
    static let skipped = "#C9CED6"
    static let ink = "#1F2933"
    static let muted = "#5F6B7A"
    static let grid = "#E4E8EE"
    static let band = "#EEF2F7"
    static let bandAlternate = "#E3E9F1"

    /// A deployment's or target's status as a CSS class suffix: `ok`, `fail`, `stop`,
    /// `run`, `ready`, `skip`, `pending`.
    static func tone(_ status: String) -> String {
        switch status {
        case DeploymentStatus.succeeded.rawValue: "ok"
        case DeploymentStatus.failed.rawValue: "fail"
        case DeploymentStatus.stopped.rawValue: "stop"
        case DeploymentStatus.ready.rawValue: "ready"
        case DeploymentStatus.inProgress.rawValue, DeploymentStatus.baking.rawValue: "run"
        case TargetStatus.skipped.rawValue: "skip"
        case "ALARM": "fail"
        default: "pending"
        }
    }

    /// A lifecycle event's result as a tone (nil: still running at the end).
    static func tone(_ status: LifecycleEventStatus?) -> String {
        switch status {
        case .succeeded: "ok"
        case .failed: "fail"
        case .skipped: "skip"
        case nil, .inProgress: "run"
        case .pending, .unknown: "pending"
        }
    }
}
