import Foundation

/// What the wire layer needs to know about one AWS service: how to name it, reach it,
/// sign for it and speak to it.
///
/// Adding a service is one static here (its values are in the service's model, the
/// `metadata` block of botocore's `data/<service>/<version>/service-2.json`).
public struct AWSService: Sendable, Hashable, CustomStringConvertible {
    /// The short name messages use: `EC2`, `ELBv2`, `Lambda`.
    public let name: String
    /// AWS's service id (`Elastic Load Balancing v2`): `AWS_ENDPOINT_URL_<ID>` and the
    /// shared config's `services` sections use it, spaces made underscores.
    public let serviceID: String
    /// The first label of the default hostname (`elasticloadbalancing`, `monitoring`).
    public let endpointPrefix: String
    /// The service name in the signature's scope.
    public let signingName: String
    public let wireProtocol: WireProtocol
    /// A partition-wide endpoint (IAM's `iam.amazonaws.com`), signed for this region.
    public let globalEndpoint: (host: String, signingRegion: String)?

    public init(name: String, serviceID: String, endpointPrefix: String, signingName: String? = nil,
                wireProtocol: WireProtocol, globalEndpoint: (host: String, signingRegion: String)? = nil) {
        self.name = name
        self.serviceID = serviceID
        self.endpointPrefix = endpointPrefix
        self.signingName = signingName ?? endpointPrefix
        self.wireProtocol = wireProtocol
        self.globalEndpoint = globalEndpoint
    }

    public var description: String { name }

    /// `ELASTIC_LOAD_BALANCING_V2`: the suffix of its endpoint variable.
    public var environmentKey: String { serviceID.uppercased().replacingOccurrences(of: " ", with: "_") }

    /// `elastic_load_balancing_v2`: its key in a shared config `services` section.
    public var configKey: String { environmentKey.lowercased() }

    public static func == (a: AWSService, b: AWSService) -> Bool { a.serviceID == b.serviceID }
    public func hash(into hasher: inout Hasher) { hasher.combine(serviceID) }

    // MARK: - The services Cutover uses

    public static let ec2 = AWSService(name: "EC2", serviceID: "EC2", endpointPrefix: "ec2",
                                       wireProtocol: .ec2(version: "2016-11-15"))
    public static let autoScaling = AWSService(name: "Auto Scaling", serviceID: "Auto Scaling", endpointPrefix: "autoscaling",
                                               wireProtocol: .query(version: "2011-01-01"))
    public static let elbv2 = AWSService(name: "ELBv2", serviceID: "Elastic Load Balancing v2", endpointPrefix: "elasticloadbalancing",
                                         wireProtocol: .query(version: "2015-12-01"))
    /// Classic Load Balancers (CodeDeploy's `elbInfoList`).
    public static let elb = AWSService(name: "ELB", serviceID: "Elastic Load Balancing", endpointPrefix: "elasticloadbalancing",
                                       wireProtocol: .query(version: "2012-06-01"))
    public static let lambda = AWSService(name: "Lambda", serviceID: "Lambda", endpointPrefix: "lambda",
                                          wireProtocol: .restJSON)
    public static let ecs = AWSService(name: "ECS", serviceID: "ECS", endpointPrefix: "ecs",
                                       wireProtocol: .json(version: "1.1", targetPrefix: "AmazonEC2ContainerServiceV20141113"))
    /// CloudWatch over JSON 1.0, as botocore speaks it (moto answers it too; CBOR it does not).
    public static let cloudWatch = AWSService(name: "CloudWatch", serviceID: "CloudWatch", endpointPrefix: "monitoring",
                                              wireProtocol: .json(version: "1.0", targetPrefix: "GraniteServiceVersion20100801"))
    public static let ssm = AWSService(name: "SSM", serviceID: "SSM", endpointPrefix: "ssm",
                                       wireProtocol: .json(version: "1.1", targetPrefix: "AmazonSSM"))
    public static let sts = AWSService(name: "STS", serviceID: "STS", endpointPrefix: "sts",
                                       wireProtocol: .query(version: "2011-06-15"))
    public static let s3 = AWSService(name: "S3", serviceID: "S3", endpointPrefix: "s3", wireProtocol: .restXML)
    public static let iam = AWSService(name: "IAM", serviceID: "IAM", endpointPrefix: "iam",
                                       wireProtocol: .query(version: "2010-05-08"),
                                       globalEndpoint: (host: "iam.amazonaws.com", signingRegion: "us-east-1"))
}

/// How a service's requests and answers are laid out on the wire.
public enum WireProtocol: Sendable, Hashable {
    /// Form-encoded `Action` and `Version` in a POST body, XML answers with a
    /// `<ActionResult>` inside `<ActionResponse>`; lists as `Name.member.N`.
    case query(version: String)
    /// The query protocol as EC2 speaks it: lists as `Name.N`, no Result wrapper,
    /// errors in `<Response><Errors>`.
    case ec2(version: String)
    /// JSON bodies POSTed to `/` with `X-Amz-Target: <targetPrefix>.<Operation>` and
    /// `Content-Type: application/x-amz-json-<version>`.
    case json(version: String, targetPrefix: String)
    /// Resources in the path and query, JSON bodies (Lambda).
    case restJSON
    /// Resources in the path and query, XML or raw bodies (S3).
    case restXML
}
