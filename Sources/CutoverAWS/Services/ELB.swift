import Foundation

/// Classic Load Balancers (query protocol, version 2012-06-01): the registration calls
/// a server deployment's BlockTraffic and AllowTraffic need, as CodeDeploy does for a
/// group's `elbInfoList`.
public struct ELB: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) { self.client = client }

    /// An instance as a Classic Load Balancer sees it.
    public struct InstanceState: Sendable, Equatable {
        public var instanceID: String
        /// `InService`, `OutOfService` or `Unknown`.
        public var state: String
        public var reasonCode: String?
        public var description: String?
    }

    /// Registers instances. Retried: registering one twice changes nothing.
    public func register(_ instanceIDs: [String], with loadBalancer: String) throws {
        guard !instanceIDs.isEmpty else { return }
        _ = try client.query(AWSOperation(.elb, "RegisterInstancesWithLoadBalancer", idempotent: true),
                             ["LoadBalancerName": .string(loadBalancer), "Instances": Self.instances(instanceIDs)])
    }

    /// Deregisters instances (with connection draining, they finish their requests
    /// first). Retried: deregistering an absent one changes nothing.
    public func deregister(_ instanceIDs: [String], from loadBalancer: String) throws {
        guard !instanceIDs.isEmpty else { return }
        _ = try client.query(AWSOperation(.elb, "DeregisterInstancesFromLoadBalancer", idempotent: true),
                             ["LoadBalancerName": .string(loadBalancer), "Instances": Self.instances(instanceIDs)])
    }

    /// The state of `instanceIDs` (all registered ones when empty). A read. An instance
    /// that is not registered is an `InvalidInstance` error.
    public func instanceHealth(_ loadBalancer: String, instanceIDs: [String] = []) throws -> [InstanceState] {
        var parameters: [(String, QueryValue)] = [("LoadBalancerName", .string(loadBalancer))]
        if !instanceIDs.isEmpty { parameters.append(("Instances", Self.instances(instanceIDs))) }
        return try client.query(AWSOperation(.elb, "DescribeInstanceHealth"), parameters).list("InstanceStates").map {
            InstanceState(instanceID: $0.text("InstanceId") ?? "", state: $0.text("State") ?? "",
                          reasonCode: $0.nonEmptyText("ReasonCode"), description: $0.nonEmptyText("Description"))
        }
    }

    static func instances(_ ids: [String]) -> QueryValue {
        .list(ids.map { QueryValue.structure([("InstanceId", .string($0))]) })
    }
}
