import Foundation

/// Systems Manager Run Command: shell scripts on instances (a server deployment's
/// lifecycle events), and what became of them.
///
/// Idempotency, per operation (see `AWSOperation`): SendCommand runs the script again
/// on every repeat and SSM takes no client token, so it is never retried once it may
/// have been received. GetCommandInvocation and ListCommandInvocations are reads;
/// CancelCommand asks for a state and a repeat asks again: retried.
public struct SSM: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) { self.client = client }

    /// A command as SendCommand accepted it.
    public struct Command: Sendable, Equatable {
        public var id: String
        /// `Pending`, `InProgress`, `Success`, `Cancelled`, `Failed`, `TimedOut`, `Cancelling`.
        public var status: String
        public var instanceIDs: [String]
        public var documentName: String
        public var requestedAt: Date?
        public var comment: String?

        public init(id: String, status: String, instanceIDs: [String] = [], documentName: String = "AWS-RunShellScript",
                    requestedAt: Date? = nil, comment: String? = nil) {
            self.comment = comment
            self.id = id
            self.status = status
            self.instanceIDs = instanceIDs
            self.documentName = documentName
            self.requestedAt = requestedAt
        }
    }

    /// Runs `commands` (one shell line each, `AWS-RunShellScript`) on `instanceIDs`.
    ///
    /// - `workingDirectory`: where they run (the agent's default otherwise).
    /// - `executionTimeout`: seconds the script may run before the agent stops it and
    ///   the invocation is `TimedOut` (the document's default is 3600).
    /// - `deliveryTimeout`: seconds an instance has to start it (TimeoutSeconds) before
    ///   the invocation is `TimedOut` undelivered.
    /// - `comment`: shown in the console and ListCommands (at most 100 characters).
    ///
    /// Not retried after it may have been received: a repeat would run the script twice.
    public func sendCommand(instanceIDs: [String], commands: [String], workingDirectory: String? = nil,
                            executionTimeout: Int? = nil, deliveryTimeout: Int? = nil, comment: String? = nil) throws -> Command {
        var parameters: [String: JSON] = ["commands": .array(commands.map(JSON.string))]
        if let workingDirectory { parameters["workingDirectory"] = [.string(workingDirectory)] }
        if let executionTimeout { parameters["executionTimeout"] = [.string(String(executionTimeout))] }
        var input: [String: JSON] = [
            "DocumentName": "AWS-RunShellScript",
            "InstanceIds": .array(instanceIDs.map(JSON.string)),
            "Parameters": .object(parameters),
        ]
        if let deliveryTimeout { input["TimeoutSeconds"] = .number(Double(deliveryTimeout)) }
        if let comment { input["Comment"] = .string(comment) }
        let answer = try client.json(AWSOperation(.ssm, "SendCommand", idempotent: false), .object(input))
        return Self.command(answer["Command"] ?? [:])
    }

    static func command(_ command: JSON) -> Command {
        Command(id: command["CommandId"]?.string ?? "", status: command["Status"]?.string ?? "",
                instanceIDs: command["InstanceIds"]?.array?.compactMap(\.string) ?? [],
                documentName: command["DocumentName"]?.string ?? "",
                requestedAt: WireTimestamp.date(command["RequestedDateTime"]), comment: command["Comment"]?.string)
    }

    /// The commands sent to `instanceID` (since `after`, when given: SSM's InvokedAfter
    /// filter), across every page. A read: how a resumed deployment finds the command it
    /// sent before its process died, by its comment, instead of running the script twice.
    public func listCommands(instanceID: String, after: Date? = nil) throws -> [Command] {
        let operation = AWSOperation(.ssm, "ListCommands")
        var commands: [Command] = []
        try client.paginate(operation) { token in
            var input: [String: JSON] = ["InstanceId": .string(instanceID)]
            if let after {
                let formatter = ISO8601DateFormatter()
                input["Filters"] = [["key": "InvokedAfter", "value": .string(formatter.string(from: after))]]
            }
            if let token { input["NextToken"] = .string(token) }
            let page = try client.json(operation, .object(input))
            commands += (page["Commands"]?.array ?? []).map(Self.command)
            return page["NextToken"]?.string
        }
        return commands
    }

    /// A command's run on one instance.
    public struct Invocation: Sendable, Equatable {
        public var commandID: String
        public var instanceID: String
        /// `Pending`, `InProgress`, `Delayed`, `Cancelling` while it runs; then
        /// `Success`, `Failed`, `TimedOut` or `Cancelled`.
        public var status: String
        /// A finer status (`Undeliverable`, `Terminated`, `DeliveryTimedOut`…).
        public var statusDetails: String?
        /// The script's exit status; nil (AWS says -1) until it has one.
        public var responseCode: Int?
        /// The script's output, cut by SSM to its first 24,000 characters
        /// (GetCommandInvocation) or 2,500 (ListCommandInvocations, where stdout and
        /// stderr come together in `standardOutput`).
        public var standardOutput: String
        public var standardError: String
        public var startedAt: Date?
        public var endedAt: Date?

        public init(commandID: String, instanceID: String, status: String, statusDetails: String? = nil, responseCode: Int? = nil,
                    standardOutput: String = "", standardError: String = "", startedAt: Date? = nil, endedAt: Date? = nil) {
            self.commandID = commandID
            self.instanceID = instanceID
            self.status = status
            self.statusDetails = statusDetails
            self.responseCode = responseCode
            self.standardOutput = standardOutput
            self.standardError = standardError
            self.startedAt = startedAt
            self.endedAt = endedAt
        }

        /// The statuses an invocation ends in.
        public static let finalStatuses: Set<String> = ["Success", "Failed", "TimedOut", "Cancelled"]

        public var isFinished: Bool { Self.finalStatuses.contains(status) }
        public var succeeded: Bool { status == "Success" }
    }

    /// The invocation of `commandID` on `instanceID`. A read. Right after SendCommand
    /// it may not exist yet (`InvocationDoesNotExist`): `waitForInvocation` allows for that.
    public func getCommandInvocation(commandID: String, instanceID: String) throws -> Invocation {
        let answer = try client.json(AWSOperation(.ssm, "GetCommandInvocation"),
                                     ["CommandId": .string(commandID), "InstanceId": .string(instanceID)])
        return Self.invocation(answer)
    }

    /// Every invocation of `commandID` (on `instanceID` only, when given), across every
    /// page. With `details`, each carries its exit status and its output (stdout and
    /// stderr together, cut at 2,500 characters). A read.
    public func listCommandInvocations(commandID: String, instanceID: String? = nil, details: Bool = false,
                                       pageSize: Int? = nil) throws -> [Invocation] {
        let operation = AWSOperation(.ssm, "ListCommandInvocations")
        var invocations: [Invocation] = []
        try client.paginate(operation) { token in
            var input: [String: JSON] = ["CommandId": .string(commandID), "Details": .bool(details)]
            if let instanceID { input["InstanceId"] = .string(instanceID) }
            if let pageSize { input["MaxResults"] = .number(Double(pageSize)) }
            if let token { input["NextToken"] = .string(token) }
            let page = try client.json(operation, .object(input))
            invocations += (page["CommandInvocations"]?.array ?? []).map(Self.listedInvocation)
            return page["NextToken"]?.string
        }
        return invocations
    }

    /// A machine SSM manages: an EC2 instance, or an on-premises server (`mi-…`) registered
    /// with a hybrid activation.
    public struct ManagedInstance: Sendable, Equatable {
        public var id: String
        /// `Online`, `ConnectionLost` or `Inactive`.
        public var pingStatus: String
        /// `ManagedInstance` (on premises) or `EC2Instance`.
        public var resourceType: String
        public var computerName: String?
        public var ipAddress: String?
        public var isOnPremises: Bool { resourceType == "ManagedInstance" }
    }

    /// The on-premises machines SSM manages (ResourceType ManagedInstance), every page. A read.
    public func onPremisesInstances() throws -> [ManagedInstance] {
        let operation = AWSOperation(.ssm, "DescribeInstanceInformation")
        var found: [ManagedInstance] = []
        try client.paginate(operation) { token in
            var input: [String: JSON] = ["Filters": [["Key": "ResourceType", "Values": ["ManagedInstance"]]], "MaxResults": 50]
            if let token { input["NextToken"] = .string(token) }
            let page = try client.json(operation, .object(input))
            found += (page["InstanceInformationList"]?.array ?? []).map { item in
                ManagedInstance(id: item["InstanceId"]?.string ?? "", pingStatus: item["PingStatus"]?.string ?? "",
                                resourceType: item["ResourceType"]?.string ?? "", computerName: item["ComputerName"]?.string,
                                ipAddress: item["IPAddress"]?.string)
            }
            return page["NextToken"]?.string
        }
        return found
    }

    /// The tags of a managed on-premises machine. A read.
    public func tags(ofManagedInstance id: String) throws -> [String: String] {
        let answer = try client.json(AWSOperation(.ssm, "ListTagsForResource"),
                                     ["ResourceType": "ManagedInstance", "ResourceId": .string(id)])
        var tags: [String: String] = [:]
        for tag in answer["TagList"]?.array ?? [] {
            if let key = tag["Key"]?.string { tags[key] = tag["Value"]?.string ?? "" }
        }
        return tags
    }

    /// Asks SSM to stop a command (on `instanceIDs`, or everywhere); its invocations
    /// end `Cancelled` unless they finish first. Retried: a repeat asks again.
    public func cancelCommand(commandID: String, instanceIDs: [String] = []) throws {
        var input: [String: JSON] = ["CommandId": .string(commandID)]
        if !instanceIDs.isEmpty { input["InstanceIds"] = .array(instanceIDs.map(JSON.string)) }
        _ = try client.json(AWSOperation(.ssm, "CancelCommand", idempotent: true), .object(input))
    }

    /// Polls GetCommandInvocation every `poll` until the invocation has finished or
    /// `timeout` has passed, and returns the last one read: finished (`isFinished`), or
    /// still running when the time ran out.
    ///
    /// `InvocationDoesNotExist` is waited out (SSM takes a moment to list a new
    /// command's invocations) and thrown only if it lasts the whole `timeout`; every
    /// other error is thrown at once. `sleep` and `now` are injectable so tests do not wait.
    public func waitForInvocation(commandID: String, instanceID: String, timeout: Duration, poll: Duration = .seconds(2),
                                  sleep: @Sendable (Duration) -> Void = RetryPolicy.threadSleep,
                                  now: @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) throws -> Invocation {
        let deadline = now() + timeout
        while true {
            let last: Invocation?
            switch Result(catching: { try getCommandInvocation(commandID: commandID, instanceID: instanceID) }) {
            case .success(let invocation):
                if invocation.isFinished { return invocation }
                last = invocation
            case .failure(let error as AWSError) where error.code == "InvocationDoesNotExist":
                guard now() + poll <= deadline else { throw error }
                last = nil
            case .failure(let error):
                throw error
            }
            if let last, now() + poll > deadline { return last }
            sleep(poll)
        }
    }

    // MARK: - Reading answers

    static func invocation(_ answer: JSON) -> Invocation {
        Invocation(commandID: answer["CommandId"]?.string ?? "", instanceID: answer["InstanceId"]?.string ?? "",
                   status: answer["Status"]?.string ?? "", statusDetails: nonEmpty(answer["StatusDetails"]),
                   responseCode: responseCode(answer["ResponseCode"]),
                   standardOutput: answer["StandardOutputContent"]?.string ?? "",
                   standardError: answer["StandardErrorContent"]?.string ?? "",
                   startedAt: WireTimestamp.date(answer["ExecutionStartDateTime"]),
                   endedAt: WireTimestamp.date(answer["ExecutionEndDateTime"]))
    }

    /// An entry of ListCommandInvocations: the status is the invocation's, the exit
    /// status and output the first plugin's (AWS-RunShellScript has one).
    static func listedInvocation(_ entry: JSON) -> Invocation {
        let plugin = entry["CommandPlugins"]?[0]
        return Invocation(commandID: entry["CommandId"]?.string ?? "", instanceID: entry["InstanceId"]?.string ?? "",
                          status: entry["Status"]?.string ?? "", statusDetails: nonEmpty(entry["StatusDetails"]),
                          responseCode: responseCode(plugin?["ResponseCode"]), standardOutput: plugin?["Output"]?.string ?? "",
                          startedAt: WireTimestamp.date(plugin?["ResponseStartDateTime"]),
                          endedAt: WireTimestamp.date(plugin?["ResponseFinishDateTime"]))
    }

    /// SSM says -1 for "no exit status yet".
    static func responseCode(_ value: JSON?) -> Int? {
        guard let code = value?.int, code >= 0 else { return nil }
        return code
    }

    static func nonEmpty(_ value: JSON?) -> String? {
        guard let text = value?.string, !text.isEmpty else { return nil }
        return text
    }
}
