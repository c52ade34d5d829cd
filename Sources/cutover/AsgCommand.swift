import ArgumentParser
import CutoverLocal
import Foundation

extension Local {
    /// `cutover local asg …`: the local cloud's Auto Scaling groups.
    struct Asg: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "asg",
            abstract: "List, show, create, scale and delete local Auto Scaling groups.",
            subcommands: [List.self, Show.self, Create.self, Scale.self, Delete.self],
            defaultSubcommand: List.self)

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the groups.")
            @OptionGroup var state: StateDirectory
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                let client = try localProblem { try LocalCloud.client(state.paths, start: false, executable: currentExecutable()) }
                let groups = try localProblem { try client.get("/v1/auto-scaling-groups", as: [Control.AutoScalingGroup].self) }
                if json { return printJSON(groups) }
                if groups.isEmpty { print("no Auto Scaling groups") }
                for group in groups { print(summary(group)) }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show a group: its instances, launches and recent activities.")
            @OptionGroup var state: StateDirectory
            @Argument var name: String
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                let client = try localProblem { try LocalCloud.client(state.paths, start: false, executable: currentExecutable()) }
                let group = try localProblem { try client.get("/v1/auto-scaling-groups/\(name)", as: Control.AutoScalingGroup.self) }
                if json { return printJSON(group) }
                printGroup(group)
            }
        }

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a group (starts the daemon when needed).")
            @OptionGroup var state: StateDirectory
            @Argument var name: String
            @Option(help: "The fewest instances.") var min: Int
            @Option(help: "The most instances.") var max: Int
            @Option(help: "How many instances to run.") var desired: Int
            @Option(help: "Host names: PREFIX-1, PREFIX-2, … (default: the group's name).") var prefix: String?
            @Option(name: .customLong("tag"), help: ArgumentHelp("A tag KEY=VALUE for its hosts (repeatable).", valueName: "key=value"))
            var tags: [String] = []
            @Option(name: .customLong("load-balancer"), help: ArgumentHelp("A load balancer InService hosts join (repeatable).", valueName: "name"))
            var loadBalancers: [String] = []
            @Option(name: .customLong("health-grace-ms"), help: "How long a new InService host counts as healthy regardless of its load balancers.")
            var healthGrace: Int?
            @Option(help: ArgumentHelp("The ports its hosts get, FIRST-LAST (default: any free port).", valueName: "first-last"))
            var ports: String?

            func run() throws {
                var range: [Int]?
                if let ports {
                    let parts = ports.split(separator: "-").compactMap { Int($0) }
                    guard parts.count == 2 else { throw ValidationError("--ports must be FIRST-LAST, such as 20000-20099, not '\(ports)'") }
                    range = parts
                }
                let request = Control.CreateAutoScalingGroup(
                    name: name, min: min, max: max, desired: desired,
                    launch: .init(prefix: prefix ?? name, tags: try parseTags(tags), portRange: range),
                    loadBalancers: loadBalancers.isEmpty ? nil : loadBalancers, healthGraceMilliseconds: healthGrace)
                let client = try localProblem { try LocalCloud.client(state.paths, start: true, executable: currentExecutable()) }
                printGroup(try localProblem { try client.send("POST", "/v1/auto-scaling-groups", request, as: Control.AutoScalingGroup.self) })
            }
        }

        struct Scale: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Change a group's desired capacity (and min or max).")
            @OptionGroup var state: StateDirectory
            @Argument var name: String
            @Option(help: "How many instances to run.") var desired: Int?
            @Option(help: "The fewest instances.") var min: Int?
            @Option(help: "The most instances.") var max: Int?

            func validate() throws {
                if desired == nil && min == nil && max == nil { throw ValidationError("give --desired, --min or --max") }
            }

            func run() throws {
                let client = try localProblem { try LocalCloud.client(state.paths, start: false, executable: currentExecutable()) }
                printGroup(try localProblem {
                    try client.send("PUT", "/v1/auto-scaling-groups/\(name)/capacity",
                                    Control.SetCapacity(desired: desired, min: min, max: max), as: Control.AutoScalingGroup.self)
                })
            }
        }

        struct Delete: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Delete a group and terminate its hosts.")
            @OptionGroup var state: StateDirectory
            @Argument var name: String

            func run() throws {
                let client = try localProblem { try LocalCloud.client(state.paths, start: false, executable: currentExecutable()) }
                let deleted = try localProblem {
                    try client.delete("/v1/auto-scaling-groups/\(name)", as: Control.DeletedAutoScalingGroup.self)
                }
                let hosts = deleted.terminated.isEmpty ? "no hosts" : deleted.terminated.joined(separator: ", ")
                print("deleted \(deleted.name); terminated \(hosts)")
            }
        }
    }
}

/// One line: name, capacity, instances by state, load balancers.
private func summary(_ group: Control.AutoScalingGroup) -> String {
    let counts = [Control.InstanceLifecycleState.inService, .pending, .terminating].compactMap { state -> String? in
        let n = group.instances.filter { $0.lifecycleState == state }.count
        return n == 0 ? nil : "\(n) \(state.rawValue)"
    }
    let balancers = group.loadBalancers.isEmpty ? "" : "  load balancers \(group.loadBalancers.joined(separator: ","))"
    return "  \(group.name)  desired \(group.desired) (min \(group.min), max \(group.max))  \(counts.isEmpty ? "no instances" : counts.joined(separator: ", "))\(balancers)"
}

private func printGroup(_ group: Control.AutoScalingGroup) {
    print(summary(group))
    if let hook = group.launchHook {
        print("  launch hook: \(hook.revision ?? "no revision yet") of \(hook.application)/\(hook.group)")
    }
    for instance in group.instances {
        let states = instance.loadBalancerStates.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        print("    \(instance.host)  port \(instance.port)  \(instance.lifecycleState.rawValue)  \(instance.health)\(states.isEmpty ? "" : "  \(states)")")
    }
    for launch in group.launches.prefix(5) {
        let last = launch.events.last.map { " (\($0.event) \($0.status))" } ?? ""
        print("  launch \(launch.deploymentID) on \(launch.host): \(launch.status)\(last)")
    }
    for activity in group.activities.prefix(5) {
        print("  \(activity.time)  \(activity.description)")
    }
}

private func printJSON<T: Encodable>(_ value: T) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self))
}
