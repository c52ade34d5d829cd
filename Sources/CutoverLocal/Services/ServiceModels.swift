/// The control API's JSON bodies for services (snake_case keys, as ECS's CLI shows them):
/// task definitions, services with a production and an optional test listener, task sets.
extension Control {
    // MARK: - Task definitions

    /// `POST /v1/task-definitions`: registers the next revision of a family.
    public struct RegisterTaskDefinition: Codable, Sendable, Equatable {
        public var family: String
        /// argv; the first element is looked up in PATH unless it contains a "/".
        public var command: [String]
        public var environment: [String: String]?
        public var containerName: String?
        /// The variable that carries the task's port (default `PORT`).
        public var containerPortEnv: String?
        /// What the target group's health check asks for (default `/health`).
        public var healthPath: String?
        public var workingDirectory: String?

        public init(family: String, command: [String], environment: [String: String]? = nil, containerName: String? = nil,
                    containerPortEnv: String? = nil, healthPath: String? = nil, workingDirectory: String? = nil) {
            self.family = family
            self.command = command
            self.environment = environment
            self.containerName = containerName
            self.containerPortEnv = containerPortEnv
            self.healthPath = healthPath
            self.workingDirectory = workingDirectory
        }

        enum CodingKeys: String, CodingKey {
            case family, command, environment
            case containerName = "container_name"
            case containerPortEnv = "container_port_env"
            case healthPath = "health_path"
            case workingDirectory = "working_directory"
        }
    }

    /// One immutable revision of a task definition.
    public struct TaskDefinition: Codable, Sendable, Equatable {
        /// `arn:cutover:ecs:local:task-definition/FAMILY:REV`.
        public var arn: String
        public var family: String
        public var revision: Int
        public var command: [String]
        public var environment: [String: String]
        public var containerName: String
        public var containerPortEnv: String
        public var healthPath: String
        /// Where tasks start; nil: the service's directory in the state directory.
        public var workingDirectory: String?

        public init(arn: String, family: String, revision: Int, command: [String], environment: [String: String],
                    containerName: String, containerPortEnv: String, healthPath: String, workingDirectory: String?) {
            self.arn = arn
            self.family = family
            self.revision = revision
            self.command = command
            self.environment = environment
            self.containerName = containerName
            self.containerPortEnv = containerPortEnv
            self.healthPath = healthPath
            self.workingDirectory = workingDirectory
        }

        /// `FAMILY:REV`, how services and task sets name it.
        public var reference: String { "\(family):\(revision)" }

        enum CodingKeys: String, CodingKey {
            case arn, family, revision, command, environment
            case containerName = "container_name"
            case containerPortEnv = "container_port_env"
            case healthPath = "health_path"
            case workingDirectory = "working_directory"
        }
    }

    // MARK: - Services

    /// `POST /v1/services`.
    public struct CreateService: Codable, Sendable, Equatable {
        public var name: String
        /// `FAMILY:REV` (or `FAMILY` for the latest revision, or the arn).
        public var taskDefinition: String
        public var desiredCount: Int
        /// The production listener's port; 0 picks a free one.
        public var port: Int
        /// The test listener's port (0 picks a free one); nil: no test listener.
        public var testPort: Int?
        public var healthIntervalMilliseconds: Int?

        public init(name: String, taskDefinition: String, desiredCount: Int, port: Int = 0, testPort: Int? = nil,
                    healthIntervalMilliseconds: Int? = nil) {
            self.name = name
            self.taskDefinition = taskDefinition
            self.desiredCount = desiredCount
            self.port = port
            self.testPort = testPort
            self.healthIntervalMilliseconds = healthIntervalMilliseconds
        }

        enum CodingKeys: String, CodingKey {
            case name, port
            case taskDefinition = "task_definition"
            case desiredCount = "desired_count"
            case testPort = "test_port"
            case healthIntervalMilliseconds = "health_interval_ms"
        }
    }

    /// A service as `GET /v1/services/NAME` describes it.
    public struct Service: Codable, Sendable, Equatable {
        public var name: String
        public var port: Int
        public var testPort: Int?
        public var desiredCount: Int
        /// The production listener's split: target group name → weight in percent.
        public var production: [String: Int]
        /// The target group the test listener forwards to, when there is one.
        public var testTargetGroup: String?
        /// The primary first, then the replacement (and a draining set during a promote).
        public var taskSets: [TaskSet]
        public var url: String
        public var testURL: String?

        public init(name: String, port: Int, testPort: Int?, desiredCount: Int, production: [String: Int],
                    testTargetGroup: String?, taskSets: [TaskSet], url: String, testURL: String?) {
            self.name = name
            self.port = port
            self.testPort = testPort
            self.desiredCount = desiredCount
            self.production = production
            self.testTargetGroup = testTargetGroup
            self.taskSets = taskSets
            self.url = url
            self.testURL = testURL
        }

        public var primary: TaskSet? { taskSets.first { $0.status == .primary } }
        public var replacement: TaskSet? { taskSets.first { $0.status == .active } }

        enum CodingKeys: String, CodingKey {
            case name, port, production, url
            case testPort = "test_port"
            case desiredCount = "desired_count"
            case testTargetGroup = "test_target_group"
            case taskSets = "task_sets"
            case testURL = "test_url"
        }
    }

    /// ECS's task set statuses: the set serving production, the replacement, the one going away.
    public enum TaskSetStatus: String, Codable, Sendable, Equatable {
        case primary = "PRIMARY"
        case active = "ACTIVE"
        case draining = "DRAINING"
    }

    public struct TaskSet: Codable, Sendable, Equatable {
        public var id: String
        public var status: TaskSetStatus
        /// `FAMILY:REV`.
        public var taskDefinition: String
        public var targetGroup: String
        public var desired: Int
        /// Tasks whose process runs.
        public var running: Int
        /// Tasks healthy in the target group.
        public var healthy: Int
        /// Percent of the production listener's traffic.
        public var trafficWeight: Int
        /// The last time a task could not start or exited.
        public var failure: String?
        public var tasks: [ServiceTask]

        public init(id: String, status: TaskSetStatus, taskDefinition: String, targetGroup: String, desired: Int,
                    running: Int, healthy: Int, trafficWeight: Int, failure: String?, tasks: [ServiceTask]) {
            self.id = id
            self.status = status
            self.taskDefinition = taskDefinition
            self.targetGroup = targetGroup
            self.desired = desired
            self.running = running
            self.healthy = healthy
            self.trafficWeight = trafficWeight
            self.failure = failure
            self.tasks = tasks
        }

        enum CodingKeys: String, CodingKey {
            case id, status, desired, running, healthy, failure, tasks
            case taskDefinition = "task_definition"
            case targetGroup = "target_group"
            case trafficWeight = "traffic_weight"
        }
    }

    /// One task of a task set: a process on its own port (a new pid and port after a restart).
    public struct ServiceTask: Codable, Sendable, Equatable {
        public var id: String
        /// RUNNING, or PENDING while it waits to be (re)started.
        public var status: String
        public var pid: Int32?
        public var port: Int?
        /// Its target's state in the target group (initial, healthy, unhealthy, draining).
        public var health: String?
        public var restarts: Int
        /// The task's stdout and stderr.
        public var log: String

        public init(id: String, status: String, pid: Int32?, port: Int?, health: String?, restarts: Int, log: String) {
            self.id = id
            self.status = status
            self.pid = pid
            self.port = port
            self.health = health
            self.restarts = restarts
            self.log = log
        }
    }

    // MARK: - Task sets and traffic

    /// `POST /v1/services/NAME/task-sets`: the replacement task set.
    public struct CreateTaskSet: Codable, Sendable, Equatable {
        public var taskDefinition: String
        public init(taskDefinition: String) { self.taskDefinition = taskDefinition }
        enum CodingKeys: String, CodingKey { case taskDefinition = "task_definition" }
    }

    /// `POST /v1/services/NAME/task-sets/ID/wait-stable`.
    public struct WaitStable: Codable, Sendable, Equatable {
        public var timeoutMilliseconds: Int?
        public init(timeoutMilliseconds: Int? = nil) { self.timeoutMilliseconds = timeoutMilliseconds }
        enum CodingKeys: String, CodingKey { case timeoutMilliseconds = "timeout_ms" }
    }

    /// A stable task set (a set that does not become stable is an `ECS_UPDATE_ERROR` problem).
    public struct Stability: Codable, Sendable, Equatable {
        public var stable: Bool
        public var taskSet: TaskSet
        public var waitedMilliseconds: Int

        public init(stable: Bool, taskSet: TaskSet, waitedMilliseconds: Int) {
            self.stable = stable
            self.taskSet = taskSet
            self.waitedMilliseconds = waitedMilliseconds
        }

        enum CodingKeys: String, CodingKey {
            case stable
            case taskSet = "task_set"
            case waitedMilliseconds = "waited_ms"
        }
    }

    /// `PUT /v1/services/NAME/traffic`: the replacement's share of production, 0–100.
    public struct ShiftTraffic: Codable, Sendable, Equatable {
        public var replacementWeight: Int
        public init(replacementWeight: Int) { self.replacementWeight = replacementWeight }
        enum CodingKeys: String, CodingKey { case replacementWeight = "replacement_weight" }
    }

    /// `PUT /v1/services/NAME/test-traffic`: which set the test listener forwards to.
    public struct RouteTestTraffic: Codable, Sendable, Equatable {
        public enum Destination: String, Codable, Sendable {
            case primary, replacement
        }

        public var to: Destination
        public init(to: Destination) { self.to = to }
    }

    /// `DELETE /v1/services/NAME`.
    public struct DeletedService: Codable, Sendable, Equatable {
        public var name: String
        /// Task processes stopped.
        public var stopped: Int
        public init(name: String, stopped: Int) {
            self.name = name
            self.stopped = stopped
        }
    }
}
