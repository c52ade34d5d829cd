import Foundation

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

    /// An instance as a deployment needs it: where it is, whether it runs, how it is tagged.
    public struct Instance: Sendable, Equatable {
        public var id: String
        /// pending, running, shutting-down, terminated, stopping, stopped.
        public var state: String
        public var privateIP: String?
        public var tags: [String: String]
        public var launchTime: Date?
        public var availabilityZone: String?
        public var subnetID: String?
        public var imageID: String?
        public var instanceType: String?

        public init(id: String, state: String, privateIP: String? = nil, tags: [String: String] = [:], launchTime: Date? = nil,
                    availabilityZone: String? = nil, subnetID: String? = nil, imageID: String? = nil, instanceType: String? = nil) {
            self.id = id
            self.state = state
            self.privateIP = privateIP
            self.tags = tags
            self.launchTime = launchTime
            self.availabilityZone = availabilityZone
            self.subnetID = subnetID
            self.imageID = imageID
            self.instanceType = instanceType
        }

        public var isRunning: Bool { state == "running" }
    }

    /// Every instance matching `filters` (all of them) and, when given, `ids`, across
    /// every page. A read: retried freely.
    ///
    /// `pageSize` (EC2's MaxResults, 5 to 1000) asks for smaller pages; EC2 refuses it
    /// together with `ids`. EC2 pages by reservation, so a page can hold more instances
    /// than `pageSize` (one RunInstances call is one reservation).
    public func describeInstances(filters: [Filter] = [], ids: [String] = [], pageSize: Int? = nil) throws -> [Instance] {
        let operation = AWSOperation(.ec2, "DescribeInstances")
        var instances: [Instance] = []
        try client.paginate(operation) { token in
            var parameters: [(String, QueryValue)] = [
                ("Filter", .list(filters.map { ["Name": .string($0.name), "Value": .list($0.values.map(QueryValue.string))] })),
                ("InstanceId", .list(ids.map(QueryValue.string))),
            ]
            if let pageSize { parameters.append(("MaxResults", .int(pageSize))) }
            if let token { parameters.append(("NextToken", .string(token))) }
            let page = try client.query(operation, parameters)
            instances += Self.instances(page)
            return page.nonEmptyText("nextToken")
        }
        return instances
    }

    /// The instances of a DescribeInstances page, reservation by reservation.
    static func instances(_ page: XMLTree) -> [Instance] {
        page.list("reservationSet").flatMap { $0.list("instancesSet").map(instance) }
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

    /// Terminates instances; returns each one's state after the call (`shutting-down`,
    /// or `terminated` for one already gone). Idempotent: terminating a terminated
    /// instance changes nothing, so it is retried like a read.
    @discardableResult
    public func terminateInstances(ids: [String]) throws -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        let result = try client.query(AWSOperation(.ec2, "TerminateInstances", idempotent: true),
                                      ["InstanceId": .list(ids.map(QueryValue.string))])
        var states: [String: String] = [:]
        for item in result.list("instancesSet") {
            if let id = item.text("instanceId") { states[id] = item.text("currentState", "name") ?? "" }
        }
        return states
    }

    // MARK: - Launch templates

    /// A launch template: what an Auto Scaling group launches from.
    public struct LaunchTemplate: Sendable, Equatable {
        public var id: String
        public var name: String
        public var defaultVersion: Int?
        public var latestVersion: Int?

        public init(id: String, name: String, defaultVersion: Int? = nil, latestVersion: Int? = nil) {
            self.id = id
            self.name = name
            self.defaultVersion = defaultVersion
            self.latestVersion = latestVersion
        }
    }

    /// Creates a launch template for `image` and `type` (tests and examples make the
    /// groups they deploy to this way). With a `clientToken` a repeat returns the first
    /// call's template and the call is retried like a read; without one, a repeat
    /// fails with `InvalidLaunchTemplateName.AlreadyExistsException` rather than making
    /// a second template, so it is never retried once it may have been received.
    public func createLaunchTemplate(name: String, image: String, type: String = "t3.micro", tags: [String: String] = [:],
                                     clientToken: String? = nil) throws -> LaunchTemplate {
        var data: [(String, QueryValue)] = [("ImageId", .string(image)), ("InstanceType", .string(type))]
        if !tags.isEmpty {
            let tagList = QueryValue.list(tags.sorted { $0.key < $1.key }.map { ["Key": .string($0.key), "Value": .string($0.value)] })
            data.append(("TagSpecification", [["ResourceType": "instance", "Tag": tagList]]))
        }
        var parameters: [(String, QueryValue)] = [("LaunchTemplateName", .string(name)), ("LaunchTemplateData", .structure(data))]
        if let clientToken { parameters.append(("ClientToken", .string(clientToken))) }
        let result = try client.query(AWSOperation(.ec2, "CreateLaunchTemplate", idempotent: clientToken != nil), parameters)
        let template = result.child("launchTemplate") ?? XMLTree(name: "launchTemplate")
        return LaunchTemplate(id: template.text("launchTemplateId") ?? "", name: template.text("launchTemplateName") ?? name,
                              defaultVersion: template.integer("defaultVersionNumber"),
                              latestVersion: template.integer("latestVersionNumber"))
    }

    // MARK: - Reading answers

    static func instance(_ item: XMLTree) -> Instance {
        var tags: [String: String] = [:]
        for tag in item.list("tagSet") {
            if let key = tag.text("key") { tags[key] = tag.text("value") ?? "" }
        }
        return Instance(id: item.text("instanceId") ?? "", state: item.text("instanceState", "name") ?? "",
                        privateIP: item.nonEmptyText("privateIpAddress"), tags: tags, launchTime: item.timestamp("launchTime"),
                        availabilityZone: item.nonEmptyText("placement", "availabilityZone"),
                        subnetID: item.nonEmptyText("subnetId"), imageID: item.nonEmptyText("imageId"),
                        instanceType: item.nonEmptyText("instanceType"))
    }
}
