import Synchronization

/// Chooses the target group for each request a listener receives.
///
/// Shared by all of a listener's connections, so the weighted sequence is one sequence
/// per listener — that is what makes a 10/90 split exact over any number of clients.
final class ListenerRouter: Sendable {
    private struct Routing {
        var action: ListenerAction
        var picker: SmoothWeightedRoundRobin<TargetGroup>
    }

    private let routing: Mutex<Routing>

    init(_ action: ListenerAction) {
        routing = Mutex(Routing(action: action, picker: SmoothWeightedRoundRobin(action.weighted)))
    }

    var action: ListenerAction {
        routing.withLock { $0.action }
    }

    /// Replaces the action; the weighted sequence restarts from the new weights.
    func setAction(_ action: ListenerAction) {
        let picker = SmoothWeightedRoundRobin(action.weighted)
        routing.withLock { $0 = Routing(action: action, picker: picker) }
    }

    func pick() -> TargetGroup {
        routing.withLock { $0.picker.next() }
    }
}
