import CutoverCore

/// The control API's JSON bodies (daemon ⇄ orchestrator).
public enum Control {
    public struct DaemonInfo: Codable, Sendable, Equatable {
        public var pid: Int32
        public var port: Int
        public var stateDirectory: String
        public var version: String
        public var hosts: Int?
    }

    public struct Host: Codable, Sendable, Equatable {
        public var name: String
        public var port: Int
        public var tags: [String: String]
        /// The host's directory; its `root/` plays the instance's "/".
        public var directory: String
        /// The revision last installed successfully, per deployment group.
        public var revisions: [String: String]
        /// Process groups of background processes its hooks started.
        public var processGroups: [Int32]
    }

    public struct CreateHosts: Codable, Sendable {
        public var prefix: String
        public var count: Int
        public var tags: [String: String]
        /// The hosts' ports come from this range (`[first, last]`); nil: any free port.
        public var portRange: [Int]?
        public init(prefix: String, count: Int, tags: [String: String], portRange: [Int]? = nil) {
            self.prefix = prefix
            self.count = count
            self.tags = tags
            self.portRange = portRange
        }
    }

    public struct Tags: Codable, Sendable {
        public var tags: [String: String]
        public init(tags: [String: String]) { self.tags = tags }
    }

    /// Run one lifecycle event on a host.
    public struct LifecycleRequest: Codable, Sendable {
        public var deploymentID: String
        public var application: String
        public var group: String
        /// CodeDeploy's deployment group id (a stable id for the group's directories).
        public var groupID: String
        /// A directory or a .zip/.tar/.tgz archive.
        public var revision: String
        public var revisionName: String
        public var event: String
        public var fileExistsBehavior: String?
        /// The load balancer BlockTraffic and AllowTraffic act on.
        public var loadBalancer: String?

        public init(deploymentID: String, application: String, group: String, groupID: String, revision: String,
                    revisionName: String, event: String, fileExistsBehavior: String? = nil, loadBalancer: String? = nil) {
            self.loadBalancer = loadBalancer
            self.deploymentID = deploymentID
            self.application = application
            self.group = group
            self.groupID = groupID
            self.revision = revision
            self.revisionName = revisionName
            self.event = event
            self.fileExistsBehavior = fileExistsBehavior
        }
    }

    public struct LifecycleResult: Codable, Sendable, Equatable {
        public var status: String
        public var error: String
        public var message: String
        public var script: String?
        public var logTail: String

        public init(status: LifecycleEventStatus, error: LifecycleErrorCode, message: String, script: String? = nil, logTail: String = "") {
            self.status = status.rawValue
            self.error = error.rawValue
            self.message = message
            self.script = script
            self.logTail = logTail
        }
    }

    /// What the daemon remembers of a deployment group between runs.
    public struct GroupRecord: Codable, Sendable, Equatable {
        public var lastSuccessfulRevision: String?
        public init(lastSuccessfulRevision: String?) { self.lastSuccessfulRevision = lastSuccessfulRevision }
    }

    public struct LoadBalancerTarget: Codable, Sendable, Equatable {
        public var port: Int
        public var state: String
    }

    public struct LoadBalancer: Codable, Sendable, Equatable {
        public var name: String
        public var port: Int
        public var url: String
        public var healthPath: String
        public var targets: [LoadBalancerTarget]
    }

    public struct CreateLoadBalancer: Codable, Sendable {
        public var name: String
        public var port: Int
        public var healthPath: String
        public var healthIntervalMilliseconds: Int?
        public init(name: String, port: Int, healthPath: String, healthIntervalMilliseconds: Int? = nil) {
            self.name = name
            self.port = port
            self.healthPath = healthPath
            self.healthIntervalMilliseconds = healthIntervalMilliseconds
        }
    }

    public struct Problem: Codable, Sendable, Error, CustomStringConvertible {
        public var error: String
        public var code: String?
        public init(_ error: String, code: String? = nil) {
            self.error = error
            self.code = code
        }
        public var description: String { code.map { "\($0): \(error)" } ?? error }
    }
}
