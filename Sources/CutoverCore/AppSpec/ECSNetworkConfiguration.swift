/// `NetworkConfiguration.AwsvpcConfiguration` of an ECS appspec: all three parts or none.
public struct ECSNetworkConfiguration: Sendable, Equatable {
    public var subnets: [String]
    public var securityGroups: [String]
    /// `AssignPublicIp: ENABLED` (`true`) or `DISABLED`.
    public var assignPublicIP: Bool

    public init(subnets: [String], securityGroups: [String], assignPublicIP: Bool) {
        self.subnets = subnets
        self.securityGroups = securityGroups
        self.assignPublicIP = assignPublicIP
    }
}
