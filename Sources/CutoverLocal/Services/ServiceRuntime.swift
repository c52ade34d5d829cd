import CutoverLoadBalancer
import Foundation

/// One service as the daemon runs it: two target groups (`svc-NAME-blue` and
/// `svc-NAME-green`), a production listener and an optional test listener, and its task
/// sets — the PRIMARY, at most one replacement (ACTIVE), and briefly a DRAINING one.
///
/// Target groups alternate as in ECS blue/green (reference §12): the replacement goes into
/// whichever group the primary does not use, so the next deployment flips them.
///
/// Not thread-safe: `LocalServices` holds its lock around every use.
final class ServiceRuntime {
    /// What services.json keeps of a service: enough to build it again after a restart.
    struct Record: Codable, Equatable {
        struct TaskSetRecord: Codable, Equatable {
            var id: String
            var status: Control.TaskSetStatus
            /// `FAMILY:REV`.
            var taskDefinition: String
            var targetGroup: String
        }

        var name: String
        var port: Int
        var testPort: Int?
        var desiredCount: Int
        var healthIntervalMilliseconds: Int
        var replacementWeight: Int
        var testToReplacement: Bool
        var taskSets: [TaskSetRecord]
    }

    let name: String
    let port: Int
    let testPort: Int?
    let desiredCount: Int
    let healthIntervalMilliseconds: Int
    /// `services/NAME` in the state directory: logs, and the tasks' default working directory.
    let directory: String
    /// Blue and green, by name.
    var groups: [String: TargetGroup]
    var sets: [TaskSetSupervisor] = []
    /// The replacement's share of production traffic, in percent.
    var replacementWeight = 0
    /// Whether the test listener forwards to the replacement (else to the primary).
    var testToReplacement = false

    init(name: String, port: Int, testPort: Int?, desiredCount: Int, healthIntervalMilliseconds: Int, directory: String,
         groups: [String: TargetGroup]) {
        self.name = name
        self.port = port
        self.testPort = testPort
        self.desiredCount = desiredCount
        self.healthIntervalMilliseconds = healthIntervalMilliseconds
        self.directory = directory
        self.groups = groups
    }

    static func groupNames(of service: String) -> (blue: String, green: String) {
        ("svc-\(service)-blue", "svc-\(service)-green")
    }

    // MARK: - Task sets

    var primary: TaskSetSupervisor? { sets.first { $0.status == .primary } }
    var replacement: TaskSetSupervisor? { sets.first { $0.status == .active } }

    func taskSet(_ id: String) throws -> TaskSetSupervisor {
        guard let set = sets.first(where: { $0.id == id }) else { throw ServiceError.taskSetNotFound(service: name, id: id) }
        return set
    }

    /// The target group the primary does not use: where a replacement goes.
    var spareGroupName: String {
        let (blue, green) = Self.groupNames(of: name)
        return primary?.group.name == blue ? green : blue
    }

    // MARK: - Listeners

    /// The primary alone, or primary and replacement weighted 100 − w and w.
    var productionAction: ListenerAction? {
        guard let primary else { return nil }
        guard let replacement, replacementWeight > 0 else { return .forward(primary.group) }
        return .weightedForward([WeightedTargetGroup(primary.group, weight: 100 - replacementWeight),
                                 WeightedTargetGroup(replacement.group, weight: replacementWeight)])
    }

    var testGroup: TargetGroup? {
        guard testPort != nil else { return nil }
        if testToReplacement, let replacement { return replacement.group }
        return primary?.group
    }

    /// Points both listeners where the service's state says.
    func applyListeners(_ balancer: LoadBalancer) throws {
        do {
            if let action = productionAction { try balancer.modifyListener(port: port, action: action) }
            if let testPort, let group = testGroup { try balancer.modifyListener(port: testPort, action: .forward(group)) }
        } catch {
            throw ServiceError.invalid("service \(name): cannot change its listeners: \(error)")
        }
    }

    // MARK: - Descriptions

    func weight(of set: TaskSetSupervisor) -> Int {
        switch set.status {
        case .primary: replacement == nil ? 100 : 100 - replacementWeight
        case .active: replacementWeight
        case .draining: 0
        }
    }

    func describe() -> Control.Service {
        var production: [String: Int] = [:]
        if let primary { production[primary.group.name] = weight(of: primary) }
        if let replacement { production[replacement.group.name] = replacementWeight }
        let order: [Control.TaskSetStatus] = [.primary, .active, .draining]
        let ordered = sets.sorted { order.firstIndex(of: $0.status)! < order.firstIndex(of: $1.status)! }
        return Control.Service(name: name, port: port, testPort: testPort, desiredCount: desiredCount, production: production,
                               testTargetGroup: testGroup?.name, taskSets: ordered.map { $0.describe(trafficWeight: weight(of: $0)) },
                               url: "http://127.0.0.1:\(port)", testURL: testPort.map { "http://127.0.0.1:\($0)" })
    }

    /// Draining sets are left out: they are on their way out and not restarted.
    var record: Record {
        Record(name: name, port: port, testPort: testPort, desiredCount: desiredCount,
               healthIntervalMilliseconds: healthIntervalMilliseconds, replacementWeight: replacementWeight,
               testToReplacement: testToReplacement,
               taskSets: sets.filter { $0.status != .draining }.map {
                   Record.TaskSetRecord(id: $0.id, status: $0.status, taskDefinition: $0.definition.reference, targetGroup: $0.group.name)
               })
    }
}
