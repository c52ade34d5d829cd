#if canImport(Glibc)
import Glibc
#endif

/// Why an end-to-end step could not complete.
///
/// Waiting failures carry the tail of what the program had printed, which is usually
/// the quickest clue to what went wrong.
enum HarnessError: Error, CustomStringConvertible {
    /// The `cutover` executable is not where the harness looked.
    case binaryMissing(path: String)
    /// A system call failed.
    case system(call: String, errno: Int32)
    /// The awaited thing did not happen before the failure guard ran out.
    case timedOut(waitingFor: String, output: String)
    /// The program ended before the awaited thing happened.
    case programEnded(waitingFor: String, output: String)

    var description: String {
        switch self {
        case .binaryMissing(let path):
            return "no executable at \(path): build it first (swift build) or set CUTOVER_BIN"
        case .system(let call, let code):
            return "\(call) failed: \(String(cString: strerror(code)))"
        case .timedOut(let awaited, let output):
            return "timed out waiting for \(awaited); output so far:\n\(Self.tail(of: output))"
        case .programEnded(let awaited, let output):
            return "program ended while waiting for \(awaited); output so far:\n\(Self.tail(of: output))"
        }
    }

    /// The last lines of `output`, enough to diagnose without flooding the test log.
    private static func tail(of output: String) -> String {
        let limit = 2000
        guard output.count > limit else { return output }
        return "…" + output.suffix(limit)
    }
}
