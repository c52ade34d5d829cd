import CutoverCore
import Yams

/// What the ECS and Lambda forms share: `Resources` with exactly one entry, and `Hooks`
/// as a list of `- EventName: FunctionName` (reference §3, §4).
extension AppSpecReader {
    static let resourceFormKeys = ["version", "Resources", "Hooks"]

    /// The resource type each form deploys.
    static func resourceType(of platform: ComputePlatform) -> String {
        platform == .ecs ? "AWS::ECS::Service" : "AWS::Lambda::Function"
    }

    /// The one resource's logical name and properties, or `nil` after reporting why they
    /// cannot be read.
    mutating func readSingleResource(
        _ root: MappingFields, platform: ComputePlatform, exampleName: String
    ) -> (name: String, properties: MappingFields)? {
        let type = Self.resourceType(of: platform)
        let shape = "write `- \(exampleName):` with `Type: \(type)` and `Properties:` indented below it"
        guard let node = root["Resources"] else {
            reportMissing("Resources", in: root, message: "the appspec has no `Resources`", hint: "add `Resources:` and " + shape)
            return nil
        }
        guard let items = items(of: node, named: "`Resources`", hint: shape) else { return nil }
        guard let item = items.first else {
            report("`Resources` is empty", at: node, hint: shape)
            return nil
        }
        if items.count > 1 {
            let what = platform == .ecs ? "one ECS service" : "one Lambda function"
            report(
                "an appspec deploys exactly \(what), but `Resources` has \(items.count) entries", at: items[1],
                hint: "remove the extra entries; deploy each with its own appspec")
        }
        guard let entry = fields(of: item, named: "a resource", known: [], caseInsensitive: true, hint: shape) else { return nil }
        if entry.entry("Type") != nil || entry.entry("Properties") != nil {
            report("the resource has no name", at: item, hint: "indent `Type` and `Properties` under a name: " + shape)
            return nil
        }
        guard let named = entry.entries.first else {
            report("the resource is empty", at: item, hint: shape)
            return nil
        }
        if entry.entries.count > 1 {
            report(
                "a resource entry has more than one name (`\(named.key)`, `\(entry.entries[1].key)`)",
                at: entry.entries[1].keyNode, hint: shape)
        }
        guard let body = fields(
            of: named.value, named: "resource `\(named.key)`", known: ["Type", "Properties"], caseInsensitive: true,
            hint: shape)
        else { return nil }

        if let node = body["Type"] {
            if let text = string(node, named: "`Type`", hint: "write `Type: \(type)`"), text != type {
                report(
                    "resource `\(named.key)` has type `\(text)`; an \(platform.noun) appspec deploys \(type)", at: node,
                    hint: "write `Type: \(type)`")
            }
        } else {
            reportMissing("Type", in: body, message: "resource `\(named.key)` has no `Type`", hint: "add `Type: \(type)`")
        }
        var properties: MappingFields?
        if let node = body["Properties"] {
            properties = fields(
                of: node, named: "`Properties`", known: Self.propertyKeys(of: platform), caseInsensitive: true,
                hint: "indent the properties under `Properties:`, one `Key: value` per line")
        } else {
            reportMissing(
                "Properties", in: body, message: "resource `\(named.key)` has no `Properties`",
                hint: "add `Properties:` with "
                    + (platform == .ecs
                        ? "`TaskDefinition` and `LoadBalancerInfo`"
                        : "`Name`, `Alias`, `CurrentVersion` and `TargetVersion`"))
        }
        reportMisspellings(in: body, of: "resource `\(named.key)`")
        guard let properties else { return nil }
        return (named.key, properties)
    }

    static func propertyKeys(of platform: ComputePlatform) -> [String] {
        switch platform {
        case .ecs:
            ["TaskDefinition", "LoadBalancerInfo", "PlatformVersion", "NetworkConfiguration", "CapacityProviderStrategy"]
        case .lambda:
            ["Name", "Alias", "CurrentVersion", "TargetVersion"]
        case .server:
            []
        }
    }

    /// `Hooks`: a list of single-entry mappings from an event to a Lambda function.
    mutating func readFunctionHooks(_ root: MappingFields, platform: ComputePlatform) -> [LifecycleEvent: String] {
        let example = platform == .ecs ? "AfterAllowTestTraffic" : "BeforeAllowTraffic"
        let shape = "write each hook as a list entry: `- \(example): MyHookFunction`"
        guard let node = root["Hooks"], let items = items(of: node, named: "`Hooks`", hint: shape) else { return [:] }
        var hooks: [LifecycleEvent: String] = [:]
        var firstLine: [LifecycleEvent: Int] = [:]
        for item in items {
            guard case .mapping(let mapping) = item else {
                report("a hook must be `EventName: FunctionName`, not \(item.kindDescription)", at: item, hint: shape)
                continue
            }
            for (key, value) in mapping {
                let event = hookableEvent(named: key, on: platform)
                var function: String?
                if !value.isNull { function = string(value, named: "a hook's function", hint: shape) }
                if value.isNull || function == "" {
                    report(
                        "hook `\(key.text ?? "")` names no function", at: key,
                        hint: "give the Lambda function to invoke: " + shape)
                }
                guard let event, let function, !function.isEmpty else { continue }
                if let line = firstLine[event] {
                    report(
                        "`\(event.rawValue)` is hooked twice (first at line \(line))", at: key,
                        hint: "keep one entry: each event invokes one function")
                    continue
                }
                hooks[event] = function
                firstLine[event] = key.mark?.line ?? 0
            }
        }
        return hooks
    }
}
