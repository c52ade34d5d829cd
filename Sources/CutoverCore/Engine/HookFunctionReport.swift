/// What a Lambda or ECS hook function reports through its result — `{"status":
/// "Succeeded" | "Failed", "message": …}`, as PutLifecycleEventHookExecutionStatus would
/// carry it — as the engine's lifecycle result. One reading for every provider.
public enum HookFunctionReport {
    /// `status` and `message` from the function's result; `answer` is its result as text,
    /// shown when it reported no status.
    public static func result(hook: String, status: String?, message: String, answer: String,
                              event: LifecycleEvent, target: Int) -> EngineInput {
        let said = message.isEmpty ? "" : ": \(message)"
        let (outcome, code, text): (LifecycleEventStatus, LifecycleErrorCode, String) = switch status {
        case "Succeeded": (.succeeded, .success, "hook function \(hook) reported Succeeded\(said)")
        case "Failed": (.failed, .scriptFailed, "hook function \(hook) reported Failed\(said)")
        default: (.failed, .scriptFailed,
                  "hook function \(hook) returned \(answer.prefix(200)) without a status (return {status = \"Succeeded\"} or \"Failed\")")
        }
        return .lifecycleResult(target: target, event: event, status: outcome, error: code, message: text)
    }
}
