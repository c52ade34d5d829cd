import CutoverCore
import Yams

/// The ECS form (reference §3).
extension AppSpecReader {
    mutating func readECS(_ root: MappingFields) -> ECSAppSpec? {
        checkVersion(in: root, platform: .ecs)
        let resource = readSingleResource(root, platform: .ecs, exampleName: "TargetService")
        let hooks = readFunctionHooks(root, platform: .ecs)
        reportMisspellings(in: root, of: "the appspec")
        guard let resource else { return nil }
        let properties = resource.properties

        var taskDefinition: String?
        if let node = properties["TaskDefinition"] {
            taskDefinition = string(node, named: "`TaskDefinition`", hint: "give the task definition's ARN")
            if taskDefinition == "" { report("`TaskDefinition` is empty", at: node, hint: "give the task definition's ARN") }
        } else {
            reportMissing(
                "TaskDefinition", in: properties, message: "the ECS service has no `TaskDefinition`",
                hint: "add `TaskDefinition:` with the ARN of the task definition to deploy")
        }
        let container = readLoadBalancerInfo(properties)
        let platformVersion = properties["PlatformVersion"]
            .flatMap { string($0, named: "`PlatformVersion`", hint: "give a Fargate platform version such as LATEST") }
        let network = properties["NetworkConfiguration"].flatMap { readNetworkConfiguration($0) }
        let strategy = properties["CapacityProviderStrategy"].map { readCapacityProviderStrategy($0) } ?? []
        reportMisspellings(in: properties, of: "`Properties`")

        guard let taskDefinition, !taskDefinition.isEmpty, let container else { return nil }
        return ECSAppSpec(
            resourceName: resource.name, taskDefinition: taskDefinition, containerName: container.name,
            containerPort: container.port, platformVersion: platformVersion, networkConfiguration: network,
            capacityProviderStrategy: strategy, hooks: hooks)
    }

    private mutating func readLoadBalancerInfo(_ properties: MappingFields) -> (name: String, port: Int)? {
        let shape = "add `LoadBalancerInfo:` with `ContainerName:` and `ContainerPort:` below it"
        guard let node = properties["LoadBalancerInfo"] else {
            reportMissing(
                "LoadBalancerInfo", in: properties, message: "the ECS service has no `LoadBalancerInfo`", hint: shape)
            return nil
        }
        guard let fields = fields(
            of: node, named: "`LoadBalancerInfo`", known: ["ContainerName", "ContainerPort"], caseInsensitive: true,
            hint: shape)
        else { return nil }
        var name: String?
        if let node = fields["ContainerName"] {
            name = string(node, named: "`ContainerName`", hint: "give the container's name in the task definition")
            if name == "" { report("`ContainerName` is empty", at: node, hint: "give the container's name in the task definition") }
        } else {
            reportMissing(
                "ContainerName", in: fields, message: "`LoadBalancerInfo` has no `ContainerName`",
                hint: "add `ContainerName:` with the container the load balancer routes to")
        }
        var port: Int?
        let portHint = "give the container port the load balancer routes to, from 1 to 65535"
        if let node = fields["ContainerPort"] {
            port = integer(node, named: "`ContainerPort`", hint: portHint)
            if let value = port, !(1...65535).contains(value) {
                report("`ContainerPort` \(value) is not a port number", at: node, hint: portHint)
                port = nil
            }
        } else {
            reportMissing(
                "ContainerPort", in: fields, message: "`LoadBalancerInfo` has no `ContainerPort`",
                hint: "add `ContainerPort:` with the container port the load balancer routes to")
        }
        reportMisspellings(in: fields, of: "`LoadBalancerInfo`")
        guard let name, !name.isEmpty, let port else { return nil }
        return (name, port)
    }

    /// All three of subnets, security groups and public IP, or the key left out (then the
    /// replacement task set inherits the service's settings).
    private mutating func readNetworkConfiguration(_ node: Node) -> ECSNetworkConfiguration? {
        let shape = "write `AwsvpcConfiguration:` below it with `Subnets`, `SecurityGroups` and `AssignPublicIp`"
        guard let outer = fields(
            of: node, named: "`NetworkConfiguration`", known: ["AwsvpcConfiguration"], caseInsensitive: true, hint: shape)
        else { return nil }
        defer { reportMisspellings(in: outer, of: "`NetworkConfiguration`") }
        guard let inner = outer["AwsvpcConfiguration"] else {
            reportMissing(
                "AwsvpcConfiguration", in: outer, message: "`NetworkConfiguration` has no `AwsvpcConfiguration`",
                hint: shape)
            return nil
        }
        guard let fields = fields(
            of: inner, named: "`AwsvpcConfiguration`", known: ["Subnets", "SecurityGroups", "AssignPublicIp"],
            caseInsensitive: true, hint: "give `Subnets`, `SecurityGroups` and `AssignPublicIp` below it")
        else { return nil }
        defer { reportMisspellings(in: fields, of: "`AwsvpcConfiguration`") }

        let subnets = readIDList(fields, key: "Subnets", example: "[subnet-0abc, subnet-0def]")
        let groups = readIDList(fields, key: "SecurityGroups", example: "[sg-0abc]")
        var assignPublicIP: Bool?
        let ipHint = "write `AssignPublicIp: ENABLED` or `DISABLED`"
        if let node = fields["AssignPublicIp"] {
            switch string(node, named: "`AssignPublicIp`", hint: ipHint) {
            case "ENABLED"?: assignPublicIP = true
            case "DISABLED"?: assignPublicIP = false
            case let text?: report("invalid `AssignPublicIp` value `\(text)`", at: node, hint: ipHint)
            case nil: break
            }
        } else {
            reportMissing(
                "AssignPublicIp", in: fields, message: "`AwsvpcConfiguration` has no `AssignPublicIp`",
                hint: "network settings are all or nothing: " + ipHint)
        }
        guard let subnets, let groups, let assignPublicIP else { return nil }
        return ECSNetworkConfiguration(subnets: subnets, securityGroups: groups, assignPublicIP: assignPublicIP)
    }

    /// A required, non-empty list of non-empty IDs.
    private mutating func readIDList(_ fields: MappingFields, key: String, example: String) -> [String]? {
        let hint = "write `\(key): \(example)`"
        guard let node = fields[key] else {
            reportMissing(
                key, in: fields, message: "`AwsvpcConfiguration` has no `\(key)`",
                hint: "network settings are all or nothing: " + hint)
            return nil
        }
        guard let items = items(of: node, named: "`\(key)`", hint: hint) else { return nil }
        if items.isEmpty {
            report("`\(key)` is empty", at: node, hint: hint)
            return nil
        }
        var ids: [String] = []
        for item in items {
            guard let id = string(item, named: "an entry of `\(key)`", hint: hint) else { continue }
            if id.isEmpty { report("an entry of `\(key)` is empty", at: item, hint: hint) } else { ids.append(id) }
        }
        return ids.count == items.count ? ids : nil
    }

    private mutating func readCapacityProviderStrategy(_ node: Node) -> [CapacityProviderStrategyItem] {
        let shape = "write each entry as `- CapacityProvider: NAME` with optional `Base:` and `Weight:`"
        guard let items = items(of: node, named: "`CapacityProviderStrategy`", hint: shape) else { return [] }
        var strategy: [CapacityProviderStrategyItem] = []
        var baseLine: Int?
        for item in items {
            guard let fields = fields(
                of: item, named: "a capacity provider entry", known: ["CapacityProvider", "Base", "Weight"],
                caseInsensitive: true, hint: shape)
            else { continue }
            var provider: String?
            if let node = fields["CapacityProvider"] {
                provider = string(node, named: "`CapacityProvider`", hint: "give a capacity provider such as FARGATE_SPOT")
            } else {
                reportMissing(
                    "CapacityProvider", in: fields, message: "capacity provider entry has no `CapacityProvider`",
                    hint: "add `CapacityProvider:` with a name such as FARGATE or FARGATE_SPOT")
            }
            let base = fields["Base"].flatMap { nonNegative($0, named: "`Base`") } ?? 0
            let weight = fields["Weight"].flatMap { nonNegative($0, named: "`Weight`") } ?? 0
            if base > 0, let node = fields["Base"] {
                if let line = baseLine {
                    report(
                        "only one capacity provider may have a `Base` (another has one at line \(line))", at: node,
                        hint: "keep the base on one provider and give the others a `Weight`")
                }
                baseLine = baseLine ?? node.mark?.line ?? 0
            }
            reportMisspellings(in: fields, of: "this capacity provider entry")
            if let provider { strategy.append(CapacityProviderStrategyItem(capacityProvider: provider, base: base, weight: weight)) }
        }
        if strategy.count > 1, strategy.allSatisfy({ $0.weight == 0 }) {
            report(
                "with several capacity providers, at least one needs a `Weight` above 0", at: node,
                hint: "give each provider its share of tasks, such as `Weight: 1`")
        }
        return strategy
    }

    private mutating func nonNegative(_ node: Node, named what: String) -> Int? {
        let hint = "give a whole number, 0 or more"
        guard let value = integer(node, named: what, hint: hint) else { return nil }
        guard value >= 0 else {
            report("\(what) must not be negative", at: node, hint: hint)
            return nil
        }
        return value
    }
}
