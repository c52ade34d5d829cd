import CutoverCore
import Yams

extension AppSpecReader {
    /// The lifecycle event a hook key names, or `nil` after reporting why it cannot have
    /// hooks on `platform`: reserved events are run by CodeDeploy itself (reference §5),
    /// and each platform has its own events (`LifecycleEvent.hookable(on:)`).
    mutating func hookableEvent(named keyNode: Node, on platform: ComputePlatform) -> LifecycleEvent? {
        let name = keyNode.text ?? ""
        let hookable = LifecycleEvent.hookable(on: platform)
        let order = Self.eventOrder(of: platform)
        let listing = hookable.map(\.rawValue).joined(separator: ", ")

        guard let event = LifecycleEvent(rawValue: name) else {
            if let meant = Spelling.suggestion(for: name, among: hookable.map(\.rawValue)) {
                report("unknown lifecycle event `\(name)`", at: keyNode, hint: "did you mean `\(meant)`?")
            } else {
                report("unknown lifecycle event `\(name)`", at: keyNode, hint: "\(platform.noun) hooks are: \(listing)")
            }
            return nil
        }
        guard order.contains(event) else {
            report(
                "`\(name)` is not a lifecycle event of \(platform.noun) deployments", at: keyNode,
                hint: "\(platform.noun) hooks are: \(listing)")
            return nil
        }
        guard hookable.contains(event) else {
            report(
                "`\(name)` is run by CodeDeploy itself and cannot have hooks", at: keyNode,
                hint: "hook the events around it instead: " + Self.neighbours(of: event, in: order)
                    .map { "`\($0.rawValue)`" }.joined(separator: " or "))
            return nil
        }
        return event
    }

    /// Every event of a platform, reserved ones included, in order.
    private static func eventOrder(of platform: ComputePlatform) -> [LifecycleEvent] {
        switch platform {
        case .server: LifecycleEvent.serverInPlaceWithLoadBalancer
        case .ecs: LifecycleEvent.ecs
        case .lambda: LifecycleEvent.lambda
        }
    }

    /// The hookable events just before and after a reserved one.
    private static func neighbours(of event: LifecycleEvent, in order: [LifecycleEvent]) -> [LifecycleEvent] {
        guard let index = order.firstIndex(of: event) else { return [] }
        let before = order[..<index].last { !$0.isReserved }
        let after = order[(index + 1)...].first { !$0.isReserved }
        return [before, after].compactMap { $0 }
    }
}

extension ComputePlatform {
    /// The platform as messages name it: "server", "ECS", "Lambda".
    var noun: String {
        switch self {
        case .server: "server"
        case .ecs: "ECS"
        case .lambda: "Lambda"
        }
    }
}
