/// The event log as JSON lines: one object per event, keys in a fixed order, so the
/// same run gives the same bytes (the determinism check compares these).
extension RecordedEvent {
    public func jsonLine(targets: [TargetDescription]) -> String {
        var out = "{\"seq\":\(sequence),\"t\":\(time),\"kind\":"
        func target(_ t: Int) -> String { t >= 0 && t < targets.count ? JSONText.quote(targets[t].id) : "\(t)" }
        switch event {
        case .created:
            out += "\"created\""
        case .started(let m, let b):
            out += "\"started\",\"minimum_healthy\":\(m),\"batch_size\":\(b)"
        case .batchStarted(let index, let ts):
            out += "\"batch\",\"index\":\(index),\"targets\":[" + ts.map(target).joined(separator: ",") + "]"
        case .lifecycleStarted(let t, let e):
            out += "\"event_started\",\"target\":\(target(t)),\"event\":\"\(e.rawValue)\""
        case .lifecycleEnded(let t, let e, let s, let code, let message):
            out += "\"event_ended\",\"target\":\(target(t)),\"event\":\"\(e.rawValue)\",\"status\":\"\(s.rawValue)\""
            if code != .success { out += ",\"error\":\"\(code.rawValue)\"" }
            if !message.isEmpty { out += ",\"message\":" + JSONText.quote(message) }
        case .targetEnded(let t, let s):
            out += "\"target_ended\",\"target\":\(target(t)),\"status\":\"\(s.rawValue)\""
        case .policyStep(let step):
            out += "\"policy_step\",\"step\":" + step.json(targets: targets)
        case .bakeStarted(let until, let alarms):
            out += "\"bake_started\",\"until\":\(until),\"alarms\":[" + alarms.map(JSONText.quote).joined(separator: ",") + "]"
        case .bakeEnded:
            out += "\"bake_ended\""
        case .approvalWaiting(let name):
            out += "\"approval_waiting\",\"name\":" + JSONText.quote(name)
        case .approved(let name):
            out += "\"approved\",\"name\":" + JSONText.quote(name)
        case .alarmActive(let name):
            out += "\"alarm\",\"name\":" + JSONText.quote(name)
        case .alarmPollFailed(let message):
            out += "\"alarm_poll_failed\",\"message\":" + JSONText.quote(message)
        case .stopRequested(let code, let rollback, let message):
            out += "\"stop_requested\",\"code\":\"\(code.rawValue)\",\"rollback\":\(rollback),\"message\":" + JSONText.quote(message)
        case .ended(let status, let code, let message):
            out += "\"ended\",\"status\":\"\(status.rawValue)\""
            if let code { out += ",\"error\":\"\(code.rawValue)\"" }
            out += ",\"message\":" + JSONText.quote(message)
        case .rollbackRequested(let revision):
            out += "\"rollback_requested\",\"revision\":" + JSONText.quote(revision)
        case .rollbackUnavailable(let message):
            out += "\"rollback_unavailable\",\"message\":" + JSONText.quote(message)
        case .trafficShiftRequested(let weight):
            out += "\"traffic_shift_requested\",\"weight\":\(weight)"
        case .trafficShifted(let weight):
            out += "\"traffic_shifted\",\"weight\":\(weight)"
        case .trafficRestoreRequested(let status, let code, let message, let rollback):
            out += "\"traffic_restore_requested\",\"status\":\"\(status.rawValue)\""
            if let code { out += ",\"error\":\"\(code.rawValue)\"" }
            out += ",\"rollback\":\(rollback),\"message\":" + JSONText.quote(message)
        case .trafficRestored(let message):
            out += "\"traffic_restored\",\"message\":" + JSONText.quote(message)
        case .terminationWaitStarted(let until):
            out += "\"termination_wait_started\",\"until\":\(until)"
        case .originalTerminationRequested:
            out += "\"original_termination_requested\""
        case .originalTerminated:
            out += "\"original_terminated\""
        case .stageStarted(let stage):
            out += "\"stage\",\"stage\":\"\(stage.rawValue)\""
        case .readyWaitStarted(let until):
            out += "\"ready_wait_started\",\"until\":\(until)"
        case .replacementDiscardRequested(let status, let code, let message):
            out += "\"replacement_discard_requested\",\"status\":\"\(status.rawValue)\""
            if let code { out += ",\"error\":\"\(code.rawValue)\"" }
            out += ",\"message\":" + JSONText.quote(message)
        case .replacementDiscarded(let message):
            out += "\"replacement_discarded\",\"message\":" + JSONText.quote(message)
        }
        return out + "}"
    }
}

extension PolicyStep {
    func json(targets: [TargetDescription]) -> String {
        switch self {
        case .deploy(let ts):
            return "{\"deploy\":[" + ts.map { $0 >= 0 && $0 < targets.count ? JSONText.quote(targets[$0].id) : "\($0)" }.joined(separator: ",") + "]}"
        case .bake(let seconds, let alarms):
            return "{\"bake\":\(seconds)" + (alarms.map { ",\"alarms\":[" + $0.map(JSONText.quote).joined(separator: ",") + "]" } ?? "") + "}"
        case .approve(let name): return "{\"approve\":" + JSONText.quote(name) + "}"
        case .abort(let reason): return "{\"abort\":" + JSONText.quote(reason) + "}"
        case .done: return "{\"done\":true}"
        case .shift(let weight): return "{\"shift\":\(weight)}"
        }
    }
}

/// JSON string literals without Foundation.
public enum JSONText {
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
