import Foundation

/// ECS over JSON 1.1: services and their task sets, the pieces of a blue/green
/// deployment under an `EXTERNAL` (or `CODE_DEPLOY`) deployment controller.
///
/// Idempotency, per operation (what a retry after a lost answer may do):
/// - DescribeServices, DescribeTaskSets: reads.
/// - CreateTaskSet: always sent with a client token, so ECS answers a repeat with the
///   task set the first attempt made; retried. Derive the token from something stable
///   (`clientToken(_:)` of the deployment id) so a resumed run finds its own task set.
/// - UpdateServicePrimaryTaskSet, UpdateTaskSet: set a state; retried.
/// - DeleteTaskSet: retried; when a retry finds the task set gone
///   (TaskSetNotFoundException after a first attempt that may have deleted it), the
///   deletion is taken as done and nil returned.
/// - CreateCluster (tests): answers the existing cluster for a repeat; retried.
/// - CreateService (tests): retried only with a client token.
/// - RegisterTaskDefinition (tests): each call makes a new revision; not retried.
public struct ECS: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) { self.client = client }

    // MARK: - Results

    /// Who moves a service's tasks: ECS's rolling update, CodeDeploy, or someone
    /// else through task sets (Cutover, with `external`).
    public enum DeploymentController: String, Sendable, Equatable {
        case ecs = "ECS"
        case codeDeploy = "CODE_DEPLOY"
        case external = "EXTERNAL"
    }

    /// A target group a service's or task set's containers are registered in.
    public struct LoadBalancer: Sendable, Equatable {
        public var targetGroupARN: String
        public var containerName: String
        public var containerPort: Int

        public init(targetGroupARN: String, containerName: String, containerPort: Int) {
            self.targetGroupARN = targetGroupARN
            self.containerName = containerName
            self.containerPort = containerPort
        }
    }

    /// Where `awsvpc` tasks get their network interfaces (Fargate needs one).
    public struct NetworkConfiguration: Sendable, Equatable {
        public var subnets: [String]
        public var securityGroups: [String]
        public var assignPublicIP: Bool?

        public init(subnets: [String], securityGroups: [String], assignPublicIP: Bool? = nil) {
            self.subnets = subnets
            self.securityGroups = securityGroups
            self.assignPublicIP = assignPublicIP
        }
    }

    /// A set of tasks of one task definition inside a service.
    public struct TaskSet: Sendable, Equatable {
        /// `ecs-svc/…`.
        public var id: String
        public var arn: String
        /// `PRIMARY` (the one the service's task definition and load balancers follow),
        /// `ACTIVE` or `DRAINING`.
        public var status: String
        /// The task definition's ARN.
        public var taskDefinition: String
        public var externalID: String?
        /// The share of the service's desired count this set runs, in percent.
        public var scalePercent: Double
        /// What `scalePercent` comes to in tasks, and how many run or are starting
        /// (nil when the answer leaves them out).
        public var computedDesiredCount: Int?
        public var runningCount: Int?
        public var pendingCount: Int?
        /// `STEADY_STATE` or `STABILIZING`.
        public var stabilityStatus: String?
        public var loadBalancers: [LoadBalancer]
        public var launchType: String?
        public var createdAt: Date?
        public var updatedAt: Date?

        public var isPrimary: Bool { status == "PRIMARY" }
    }

    public struct Service: Sendable, Equatable {
        public var name: String
        public var arn: String
        public var clusterARN: String
        /// `ACTIVE`, `DRAINING` or `INACTIVE`.
        public var status: String
        public var deploymentController: DeploymentController
        /// The primary task set's task definition under EXTERNAL/CODE_DEPLOY (nil before
        /// there is one).
        public var taskDefinition: String?
        public var desiredCount: Int
        public var runningCount: Int
        public var pendingCount: Int
        public var loadBalancers: [LoadBalancer]
        public var taskSets: [TaskSet]

        public var primaryTaskSet: TaskSet? { taskSets.first(where: \.isPrimary) }
    }

    /// A name DescribeServices or DescribeTaskSets could not answer for.
    public struct Failure: Sendable, Equatable {
        public var arn: String?
        /// `MISSING`, …
        public var reason: String
        public var detail: String?
    }

    public struct TaskDefinition: Sendable, Equatable {
        public var arn: String
        public var family: String
        public var revision: Int
    }

    /// One container of a task definition (tests: what moto needs to run a task).
    public struct ContainerDefinition: Sendable, Equatable {
        public var name: String
        public var image: String
        /// MiB; moto needs it on the container to place tasks (AWS does not for Fargate).
        public var memory: Int?
        public var port: Int?

        public init(name: String, image: String, memory: Int? = 128, port: Int? = nil) {
            self.name = name
            self.image = image
            self.memory = memory
            self.port = port
        }
    }

    // MARK: - Services

    /// The services named (names or ARNs) in `cluster`, and the names ECS could not find
    /// (DescribeServices reports them as failures, not as an error). Ten names a call.
    public func describeServices(cluster: String, services names: [String]) throws -> (services: [Service], failures: [Failure]) {
        let operation = AWSOperation(.ecs, "DescribeServices")
        var services: [Service] = []
        var failures: [Failure] = []
        for start in stride(from: 0, to: names.count, by: 10) {
            let chunk = names[start..<min(start + 10, names.count)]
            let answer = try client.json(operation, ["cluster": .string(cluster), "services": .array(chunk.map(JSON.string))])
            services += try (answer["services"]?.array ?? []).map { try Self.service($0, operation.name) }
            failures += (answer["failures"]?.array ?? []).map(Self.failure)
        }
        return (services, failures)
    }

    /// One service; a missing one is an `AWSError` with ECS's own code for it,
    /// ServiceNotFoundException.
    public func describeService(cluster: String, service name: String) throws -> Service {
        let (services, failures) = try describeServices(cluster: cluster, services: [name])
        if let service = services.first { return service }
        let why = failures.first.map { " (DescribeServices answered \($0.reason)" + ($0.arn.map { " for \($0)" } ?? "") + ")" } ?? ""
        throw AWSError(kind: .service, service: AWSService.ecs.name, operation: "DescribeServices",
                       code: "ServiceNotFoundException", message: "no service \(name) in cluster \(cluster)\(why)")
    }

    // MARK: - Task sets

    /// The task sets of `service` (all of them, or those named by id or ARN). A named
    /// task set that does not exist is an `AWSError` (TaskSetNotFoundException).
    public func describeTaskSets(cluster: String, service: String, taskSets ids: [String] = []) throws -> [TaskSet] {
        let operation = AWSOperation(.ecs, "DescribeTaskSets")
        var input: [String: JSON] = ["cluster": .string(cluster), "service": .string(service)]
        if !ids.isEmpty { input["taskSets"] = .array(ids.map(JSON.string)) }
        let answer = try client.json(operation, .object(input))
        let failures = (answer["failures"]?.array ?? []).map(Self.failure)
        if !failures.isEmpty {
            let names = failures.map { ($0.arn ?? "?") + " (\($0.reason))" }.joined(separator: ", ")
            throw AWSError(kind: .service, service: AWSService.ecs.name, operation: operation.name,
                           code: "TaskSetNotFoundException", message: "no task set \(names) in service \(service) of cluster \(cluster)")
        }
        return try (answer["taskSets"]?.array ?? []).map { try Self.taskSet($0, operation.name) }
    }

    /// Creates a task set of `taskDefinition` in `service` running `scalePercent` of the
    /// service's desired count, registered in `loadBalancers`. `clientToken` (up to 36
    /// characters; `clientToken(_:)` makes one) lets ECS recognise a repeat.
    public func createTaskSet(cluster: String, service: String, taskDefinition: String, clientToken: String,
                              externalID: String? = nil, loadBalancers: [LoadBalancer] = [], scalePercent: Double = 100,
                              launchType: String? = nil, network: NetworkConfiguration? = nil) throws -> TaskSet {
        var input: [String: JSON] = [
            "cluster": .string(cluster), "service": .string(service), "taskDefinition": .string(taskDefinition),
            "clientToken": .string(clientToken), "scale": Self.scale(scalePercent),
        ]
        if let externalID { input["externalId"] = .string(externalID) }
        if !loadBalancers.isEmpty { input["loadBalancers"] = .array(loadBalancers.map(Self.json)) }
        if let launchType { input["launchType"] = .string(launchType) }
        if let network { input["networkConfiguration"] = Self.json(network) }
        let answer = try client.json(AWSOperation(.ecs, "CreateTaskSet", idempotent: true), .object(input))
        return try Self.taskSet(answer["taskSet"] ?? [:], "CreateTaskSet")
    }

    /// Makes `taskSet` (id or ARN; moto marks PRIMARY only by ARN) the service's primary
    /// task set; the others become ACTIVE.
    public func updateServicePrimaryTaskSet(cluster: String, service: String, taskSet: String) throws -> TaskSet {
        let answer = try client.json(AWSOperation(.ecs, "UpdateServicePrimaryTaskSet", idempotent: true),
                                     ["cluster": .string(cluster), "service": .string(service), "primaryTaskSet": .string(taskSet)])
        return try Self.taskSet(answer["taskSet"] ?? [:], "UpdateServicePrimaryTaskSet")
    }

    /// Scales `taskSet` to `scalePercent` of the service's desired count.
    public func updateTaskSet(cluster: String, service: String, taskSet: String, scalePercent: Double) throws -> TaskSet {
        let answer = try client.json(AWSOperation(.ecs, "UpdateTaskSet", idempotent: true),
                                     ["cluster": .string(cluster), "service": .string(service), "taskSet": .string(taskSet),
                                      "scale": Self.scale(scalePercent)])
        return try Self.taskSet(answer["taskSet"] ?? [:], "UpdateTaskSet")
    }

    /// Deletes `taskSet`; `force` deletes it even when it has not been scaled to zero.
    /// Returns the task set as ECS last described it (DRAINING), or nil when a retry
    /// found it already gone: the first attempt, whose answer was lost, deleted it.
    @discardableResult
    public func deleteTaskSet(cluster: String, service: String, taskSet: String, force: Bool = false) throws -> TaskSet? {
        let answer: JSON
        do {
            answer = try client.json(AWSOperation(.ecs, "DeleteTaskSet", idempotent: true),
                                     ["cluster": .string(cluster), "service": .string(service), "taskSet": .string(taskSet),
                                      "force": .bool(force)])
        } catch {
            if let failure = error as? AWSError, failure.code == "TaskSetNotFoundException", failure.attempts > 1 { return nil }
            throw error
        }
        return try Self.taskSet(answer["taskSet"] ?? [:], "DeleteTaskSet")
    }

    /// A client token (32 hexadecimal characters) that is the same whenever `seed` is:
    /// `clientToken("d-AB1CDEF23/replacement")`.
    public static func clientToken(_ seed: String) -> String {
        String(Digest.sha256Hex(Array(seed.utf8)).prefix(32))
    }

    // MARK: - Clusters, task definitions and services (tests)

    /// Creates `name` (or answers the existing cluster); returns its ARN.
    @discardableResult
    public func createCluster(_ name: String) throws -> String {
        let answer = try client.json(AWSOperation(.ecs, "CreateCluster", idempotent: true), ["clusterName": .string(name)])
        return answer["cluster"]?["clusterArn"]?.string ?? ""
    }

    /// Registers a new revision of `family`: Fargate-compatible, `awsvpc`, with the
    /// task-level `cpu` and `memory` Fargate requires.
    public func registerTaskDefinition(family: String, containers: [ContainerDefinition], cpu: String = "256",
                                       memory: String = "512") throws -> TaskDefinition {
        let definitions: [JSON] = containers.map { container in
            var definition: [String: JSON] = ["name": .string(container.name), "image": .string(container.image), "essential": true]
            if let memory = container.memory { definition["memory"] = .number(Double(memory)) }
            if let port = container.port { definition["portMappings"] = [["containerPort": .number(Double(port)), "protocol": "tcp"]] }
            return .object(definition)
        }
        let answer = try client.json(AWSOperation(.ecs, "RegisterTaskDefinition"), [
            "family": .string(family), "containerDefinitions": .array(definitions), "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"], "cpu": .string(cpu), "memory": .string(memory),
        ])
        let definition = answer["taskDefinition"] ?? [:]
        guard let arn = definition["taskDefinitionArn"]?.string, let revision = definition["revision"]?.int else {
            throw Self.malformed("RegisterTaskDefinition", "no taskDefinitionArn or revision in \(answer)")
        }
        return TaskDefinition(arn: arn, family: definition["family"]?.string ?? family, revision: revision)
    }

    /// Creates a service. Under `external`, the task definition, load balancers and
    /// network belong to task sets; under `codeDeploy` and `ecs`, to the service.
    public func createService(cluster: String, name: String, controller: DeploymentController, desiredCount: Int,
                              taskDefinition: String? = nil, loadBalancers: [LoadBalancer] = [], launchType: String? = nil,
                              network: NetworkConfiguration? = nil, clientToken: String? = nil) throws -> Service {
        var input: [String: JSON] = [
            "cluster": .string(cluster), "serviceName": .string(name), "desiredCount": .number(Double(desiredCount)),
            "deploymentController": ["type": .string(controller.rawValue)],
        ]
        if let taskDefinition { input["taskDefinition"] = .string(taskDefinition) }
        if !loadBalancers.isEmpty { input["loadBalancers"] = .array(loadBalancers.map(Self.json)) }
        if let launchType { input["launchType"] = .string(launchType) }
        if let network { input["networkConfiguration"] = Self.json(network) }
        if let clientToken { input["clientToken"] = .string(clientToken) }
        let answer = try client.json(AWSOperation(.ecs, "CreateService", idempotent: clientToken != nil), .object(input))
        return try Self.service(answer["service"] ?? [:], "CreateService")
    }

    // MARK: - Writing requests

    static func scale(_ percent: Double) -> JSON { ["value": .number(percent), "unit": "PERCENT"] }

    static func json(_ balancer: LoadBalancer) -> JSON {
        ["targetGroupArn": .string(balancer.targetGroupARN), "containerName": .string(balancer.containerName),
         "containerPort": .number(Double(balancer.containerPort))]
    }

    static func json(_ network: NetworkConfiguration) -> JSON {
        var vpc: [String: JSON] = ["subnets": .array(network.subnets.map(JSON.string)),
                                   "securityGroups": .array(network.securityGroups.map(JSON.string))]
        if let assign = network.assignPublicIP { vpc["assignPublicIp"] = .string(assign ? "ENABLED" : "DISABLED") }
        return ["awsvpcConfiguration": .object(vpc)]
    }

    // MARK: - Reading answers

    static func service(_ json: JSON, _ operation: String) throws -> Service {
        guard let name = json["serviceName"]?.string, let arn = json["serviceArn"]?.string else {
            throw malformed(operation, "no serviceName or serviceArn in \(json)")
        }
        // No deploymentController in the answer means ECS's own rolling updates.
        let controllerName = json["deploymentController"]?["type"]?.string ?? "ECS"
        guard let controller = DeploymentController(rawValue: controllerName) else {
            throw malformed(operation, "unknown deployment controller \(controllerName) for service \(name)")
        }
        return Service(
            name: name, arn: arn, clusterARN: json["clusterArn"]?.string ?? "", status: json["status"]?.string ?? "",
            deploymentController: controller, taskDefinition: json["taskDefinition"]?.string,
            desiredCount: json["desiredCount"]?.int ?? 0, runningCount: json["runningCount"]?.int ?? 0,
            pendingCount: json["pendingCount"]?.int ?? 0,
            loadBalancers: (json["loadBalancers"]?.array ?? []).compactMap(loadBalancer),
            taskSets: try (json["taskSets"]?.array ?? []).map { try taskSet($0, operation) })
    }

    static func taskSet(_ json: JSON, _ operation: String) throws -> TaskSet {
        guard let id = json["id"]?.string, let arn = json["taskSetArn"]?.string else {
            throw malformed(operation, "no id or taskSetArn in \(json)")
        }
        let scale = json["scale"]
        if let unit = scale?["unit"]?.string, unit != "PERCENT" {
            throw malformed(operation, "task set \(id) is scaled in \(unit), not PERCENT")
        }
        return TaskSet(
            id: id, arn: arn, status: json["status"]?.string ?? "", taskDefinition: json["taskDefinition"]?.string ?? "",
            externalID: json["externalId"]?.string.flatMap { $0.isEmpty ? nil : $0 },
            scalePercent: scale?["value"]?.number ?? 0,
            computedDesiredCount: json["computedDesiredCount"]?.int, runningCount: json["runningCount"]?.int,
            pendingCount: json["pendingCount"]?.int, stabilityStatus: json["stabilityStatus"]?.string,
            loadBalancers: (json["loadBalancers"]?.array ?? []).compactMap(loadBalancer),
            launchType: json["launchType"]?.string,
            createdAt: WireTimestamp.date(json["createdAt"]), updatedAt: WireTimestamp.date(json["updatedAt"]))
    }

    /// Target-group registrations; classic load balancers (`loadBalancerName`) are left out.
    static func loadBalancer(_ json: JSON) -> LoadBalancer? {
        guard let targetGroup = json["targetGroupArn"]?.string else { return nil }
        return LoadBalancer(targetGroupARN: targetGroup, containerName: json["containerName"]?.string ?? "",
                            containerPort: json["containerPort"]?.int ?? 0)
    }

    static func failure(_ json: JSON) -> Failure {
        Failure(arn: json["arn"]?.string, reason: json["reason"]?.string ?? "", detail: json["detail"]?.string)
    }

    static func malformed(_ operation: String, _ message: String) -> AWSError {
        AWSError(kind: .malformedResponse, service: AWSService.ecs.name, operation: operation, message: message)
    }
}
