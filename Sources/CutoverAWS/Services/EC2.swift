/// EC2: finding instances by tags (and, for tests and blue/green copies, launching them).
public struct EC2: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) { self.client = client }

    /// A DescribeInstances filter: `tag:env` = [`prod`], `instance-state-name` = [`running`].
    public struct Filter: Sendable, Equatable {
        public var name: String
        public var values: [String]

        public init(_ name: String, _ values: [String]) {
            self.name = name
            self.values = values
        }

        /// Instances with tag `key` equal to one of `values`.
        public static func tag(_ key: String, _ values: String...) -> Filter { Filter("tag:\(key)", values) }
    }

    public struct Instance: Sendable, Equatable {
        public var id: String
        /// pending, running, shutting-down, terminated, stopping, stopped.
        public var state: String
        public var privateIP: String?
        public var tags: [String: String]
    }

    /// Every instance matching `filters` (all of them) and, when given, `ids`, across
    /// every page.
    public func describeInstances(filters: [Filter] = [], ids: [String] = []) throws -> [Instance] {
        let operation = AWSOperation(.ec2, "DescribeInstances")
        var instances: [Instance] = []
        var token: String?
        repeat {
            var parameters: [(String, QueryValue)] = [
                ("Filter", .list(filters.map { ["Name": .string($0.name), "Value": .list($0.values.map(QueryValue.string))] })),
                ("InstanceId", .list(ids.map(QueryValue.string))),
            ]
            if let token { parameters.append(("NextToken", .string(token))) }
            let page = try client.query(operation, parameters)
            for reservation in page.list("reservationSet") {
                instances += reservation.list("instancesSet").map(Self.instance)
            }
            token = page.text("nextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return instances
    }

    /// Launches `count` instances of `image`, tagged. With a `clientToken` the call is
    /// idempotent (EC2 answers a repeat with the first call's instances) and retried
    /// like a read; without one it is never retried once it may have been received.
    public func runInstances(image: String, count: Int = 1, type: String = "t3.micro", tags: [String: String] = [:],
                             clientToken: String? = nil) throws -> [Instance] {
        let operation = AWSOperation(.ec2, "RunInstances", idempotent: clientToken != nil)
        var parameters: [(String, QueryValue)] = [
            ("ImageId", .string(image)), ("MinCount", .int(count)), ("MaxCount", .int(count)), ("InstanceType", .string(type)),
        ]
        if !tags.isEmpty {
            let tagList = QueryValue.list(tags.sorted { $0.key < $1.key }.map { ["Key": .string($0.key), "Value": .string($0.value)] })
            parameters.append(("TagSpecification", [["ResourceType": "instance", "Tag": tagList]]))
        }
        if let clientToken { parameters.append(("ClientToken", .string(clientToken))) }
        return try client.query(operation, parameters).list("instancesSet").map(Self.instance)
    }

    static func instance(_ item: XMLTree) -> Instance {
        var tags: [String: String] = [:]
        for tag in item.list("tagSet") {
            if let key = tag.text("key") { tags[key] = tag.text("value") ?? "" }
        }
        return Instance(id: item.text("instanceId") ?? "", state: item.text("instanceState", "name") ?? "",
                        privateIP: item.text("privateIpAddress"), tags: tags)
    }
}
