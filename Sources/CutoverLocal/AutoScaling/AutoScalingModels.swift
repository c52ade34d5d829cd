/// The control API's JSON bodies for Auto Scaling groups (snake_case keys): groups of
/// hosts kept at a desired capacity, their scaling activities and launch deployments.
extension Control {
    // MARK: - Requests

    /// What a group launches: hosts named `PREFIX-N` with these tags (plus
    /// `cutover:asg = GROUP`), as a launch template describes an instance.
    public struct LaunchDescription: Codable, Sendable, Equatable {
        public var prefix: String
        public var tags: [String: String]
        /// The ports new hosts get, `[first, last]`; nil: any free port.
        public var portRange: [Int]?

        public init(prefix: String, tags: [String: String] = [:], portRange: [Int]? = nil) {
            self.prefix = prefix
            self.tags = tags
            self.portRange = portRange
        }

        enum CodingKeys: String, CodingKey {
            case prefix, tags
            case portRange = "port_range"
        }
    }

    /// `POST /v1/auto-scaling-groups`.
    public struct CreateAutoScalingGroup: Codable, Sendable, Equatable {
        public var name: String
        public var min: Int
        public var max: Int
        public var desired: Int
        public var launch: LaunchDescription
        /// Load balancers an InService instance is registered with.
        public var loadBalancers: [String]?
        /// How long after going InService an instance counts as healthy whatever its
        /// load balancers say (HealthCheckGracePeriod); default 0.
        public var healthGraceMilliseconds: Int?

        public init(name: String, min: Int, max: Int, desired: Int, launch: LaunchDescription, loadBalancers: [String]? = nil,
                    healthGraceMilliseconds: Int? = nil) {
            self.name = name
            self.min = min
            self.max = max
            self.desired = desired
            self.launch = launch
            self.loadBalancers = loadBalancers
            self.healthGraceMilliseconds = healthGraceMilliseconds
        }

        enum CodingKeys: String, CodingKey {
            case name, min, max, desired, launch
            case loadBalancers = "load_balancers"
            case healthGraceMilliseconds = "health_grace_ms"
        }
    }

    /// `PUT /v1/auto-scaling-groups/NAME/capacity`: any of the three; a desired capacity
    /// left out is brought inside the new min and max.
    public struct SetCapacity: Codable, Sendable, Equatable {
        public var desired: Int?
        public var min: Int?
        public var max: Int?

        public init(desired: Int? = nil, min: Int? = nil, max: Int? = nil) {
            self.desired = desired
            self.min = min
            self.max = max
        }
    }

    /// `PUT /v1/auto-scaling-groups/NAME/launch-hook`: the deployment group whose last
    /// successful revision every new instance gets before it goes InService (reference §11).
    public struct LaunchHook: Codable, Sendable, Equatable {
        public var deploymentGroupID: String
        /// A directory or an archive on this machine; nil: the deployment group has no
        /// successful revision yet, and new instances go InService at once.
        public var revision: String?
        public var application: String
        public var group: String
        /// The deployment group's load balancer: AllowTraffic registers the host with it
        /// too (besides the Auto Scaling group's own).
        public var loadBalancer: String?

        public init(deploymentGroupID: String, revision: String?, application: String, group: String, loadBalancer: String? = nil) {
            self.deploymentGroupID = deploymentGroupID
            self.revision = revision
            self.application = application
            self.group = group
            self.loadBalancer = loadBalancer
        }

        enum CodingKeys: String, CodingKey {
            case revision, application, group
            case deploymentGroupID = "deployment_group_id"
            case loadBalancer = "load_balancer"
        }
    }

    /// `POST /v1/auto-scaling-groups/NAME/copy`.
    public struct CopyAutoScalingGroup: Codable, Sendable, Equatable {
        public var name: String
        public init(name: String) { self.name = name }
    }

    /// `POST /v1/auto-scaling-groups/NAME/detach-instances`: the hosts leave the group
    /// and keep running (KEEP_ALIVE). Lowering the desired capacity below the min size
    /// lowers the min with it (a blue/green deployment lets every original go).
    public struct DetachInstances: Codable, Sendable, Equatable {
        public var hosts: [String]
        /// Lower the desired capacity by the number detached (default), or launch
        /// replacements.
        public var decrementDesired: Bool?

        public init(hosts: [String], decrementDesired: Bool? = nil) {
            self.hosts = hosts
            self.decrementDesired = decrementDesired
        }

        enum CodingKeys: String, CodingKey {
            case hosts
            case decrementDesired = "decrement_desired"
        }
    }

    // MARK: - Answers

    /// Where an instance is in its life, as Auto Scaling names it.
    public enum InstanceLifecycleState: String, Codable, Sendable, Equatable {
        /// Launched; its launch deployment (if any) has not succeeded yet.
        case pending = "Pending"
        case inService = "InService"
        /// Being drained out of the load balancers and stopped.
        case terminating = "Terminating"
    }

    public struct AutoScalingInstance: Codable, Sendable, Equatable {
        public var host: String
        public var port: Int
        public var lifecycleState: InstanceLifecycleState
        /// `Healthy` or `Unhealthy`: an InService instance past its grace period is
        /// Unhealthy when one of the group's load balancers does not report it healthy.
        public var health: String
        /// Each load balancer's view of the instance (`initial`, `healthy`, `unhealthy`,
        /// `draining`, or `unregistered`).
        public var loadBalancerStates: [String: String]

        enum CodingKeys: String, CodingKey {
            case host, port, health
            case lifecycleState = "lifecycle_state"
            case loadBalancerStates = "load_balancer_states"
        }
    }

    /// One scaling activity (DescribeScalingActivities).
    public struct ScalingActivity: Codable, Sendable, Equatable {
        /// ISO 8601, UTC.
        public var time: String
        public var description: String
    }

    /// One lifecycle event of a launch deployment.
    public struct LaunchEventResult: Codable, Sendable, Equatable {
        public var event: String
        public var status: String
        public var message: String
    }

    /// A launch deployment: the hook's revision installed on a new instance (creator
    /// `autoscaling`).
    public struct LaunchDeployment: Codable, Sendable, Equatable {
        public var deploymentID: String
        public var host: String
        public var revision: String
        public var deploymentGroupID: String
        /// `InProgress`, `Succeeded` or `Failed`.
        public var status: String
        public var events: [LaunchEventResult]

        enum CodingKeys: String, CodingKey {
            case host, revision, status, events
            case deploymentID = "deployment_id"
            case deploymentGroupID = "deployment_group_id"
        }
    }

    /// A group as `GET /v1/auto-scaling-groups/NAME` describes it.
    public struct AutoScalingGroup: Codable, Sendable, Equatable {
        public var name: String
        public var min: Int
        public var max: Int
        public var desired: Int
        public var launch: LaunchDescription
        public var loadBalancers: [String]
        public var healthGraceMilliseconds: Int
        public var launchHook: LaunchHook?
        /// In launch order.
        public var instances: [AutoScalingInstance]
        /// The last 50, newest first.
        public var activities: [ScalingActivity]
        /// The last 50 launch deployments, newest first.
        public var launches: [LaunchDeployment]

        enum CodingKeys: String, CodingKey {
            case name, min, max, desired, launch, instances, activities, launches
            case loadBalancers = "load_balancers"
            case healthGraceMilliseconds = "health_grace_ms"
            case launchHook = "launch_hook"
        }
    }

    /// `DELETE /v1/auto-scaling-groups/NAME`.
    public struct DeletedAutoScalingGroup: Codable, Sendable, Equatable {
        public var name: String
        /// The hosts terminated with the group.
        public var terminated: [String]
    }
}
