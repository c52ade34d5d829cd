import ArgumentParser
import CutoverLocal
import CutoverREPL
import Foundation

/// `cutover local …`: the local cloud's daemon and hosts.
struct Local: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local",
        abstract: "Run the local cloud: a daemon on 127.0.0.1 with hosts, an agent and load balancers.",
        subcommands: [Up.self, Status.self, Down.self, Hosts.self, Asg.self, Serve.self, Handler.self]
    )
}

/// The state directory option every `local` subcommand takes.
struct StateDirectory: ParsableArguments {
    @Option(name: .customLong("state-dir"),
            help: ArgumentHelp("The local cloud's state directory (default: $XDG_STATE_HOME/cutover/local; CUTOVER_STATE_DIR moves the whole state).", valueName: "dir"))
    var path: String?

    var paths: LocalPaths { LocalPaths(root: path ?? XDGPaths.stateDirectory + "/local") }
}

/// The path of this executable, to start the daemon with.
func currentExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}

extension Local {
    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the daemon (or report the running one).")
        @OptionGroup var state: StateDirectory

        func run() throws {
            let (info, started) = try localProblem { try LocalCloud.up(state.paths, executable: currentExecutable()) }
            print("\(started ? "started" : "already running"): local cloud daemon pid \(info.pid) on 127.0.0.1:\(info.port) (state in \(state.paths.root))")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the daemon and its hosts; exit 3 when it is not running.")
        @OptionGroup var state: StateDirectory
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            guard let info = LocalCloud.running(state.paths) else {
                print(json ? "{\"running\":false}" : "not running (state in \(state.paths.root)); start it with `cutover local up`")
                throw ExitCode(3)
            }
            let hosts: [Control.Host] = try localProblem { try ControlClient(port: info.port).get("/v1/hosts") }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let hostsJSON = String(decoding: try encoder.encode(hosts), as: UTF8.self)
                print("{\"running\":true,\"pid\":\(info.pid),\"port\":\(info.port),\"state_dir\":\(jsonString(state.paths.root)),\"hosts\":\(hostsJSON)}")
            } else {
                print("running: pid \(info.pid) on 127.0.0.1:\(info.port), state in \(state.paths.root), \(hosts.count) host(s)")
                printHosts(hosts)
            }
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the daemon and every process it started.")
        @OptionGroup var state: StateDirectory

        func run() throws {
            let stopped = try localProblem { try LocalCloud.down(state.paths) }
            print(stopped ? "stopped the local cloud daemon" : "not running")
        }
    }

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the daemon in the foreground (what `up` starts).",
                                                        shouldDisplay: false)
        @OptionGroup var state: StateDirectory

        func run() throws {
            try localProblem { try LocalDaemon.serve(paths: state.paths) }
        }
    }

    struct Hosts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, add, tag and remove local hosts.",
            subcommands: [List.self, Add.self, Tag.self, Remove.self],
            defaultSubcommand: List.self)

        struct List: ParsableCommand {
            @OptionGroup var state: StateDirectory
            func run() throws {
                let client = try localProblem { try LocalCloud.client(state.paths, start: false, executable: currentExecutable()) }
                printHosts(try localProblem { try client.get("/v1/hosts", as: [Control.Host].self) })
            }
        }

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add hosts (starts the daemon when needed).")
            @OptionGroup var state: StateDirectory
            @Option(help: "How many hosts.") var count = 1
            @Option(help: "Their names: PREFIX-1, PREFIX-2, …") var prefix = "host"
            @Option(name: .customLong("tag"), help: ArgumentHelp("A tag KEY=VALUE (repeatable).", valueName: "key=value"))
            var tags: [String] = []

            func run() throws {
                let client = try localProblem { try LocalCloud.client(state.paths, start: true, executable: currentExecutable()) }
                let created = try localProblem {
                    try client.send("POST", "/v1/hosts", Control.CreateHosts(prefix: prefix, count: count, tags: try parseTags(tags)),
                                    as: [Control.Host].self)
                }
                printHosts(created)
            }
        }

        struct Tag: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Replace a host's tags.")
            @OptionGroup var state: StateDirectory
            @Argument var name: String
            @Argument(help: ArgumentHelp("Tags KEY=VALUE.", valueName: "key=value")) var tags: [String] = []

            func run() throws {
                let client = try localProblem { try LocalCloud.client(state.paths, start: false, executable: currentExecutable()) }
                printHosts([try localProblem {
                    try client.send("PUT", "/v1/hosts/\(name)/tags", Control.Tags(tags: try parseTags(tags)), as: Control.Host.self)
                }])
            }
        }

        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a host and stop its processes.")
            @OptionGroup var state: StateDirectory
            @Argument var name: String

            func run() throws {
                let client = try localProblem { try LocalCloud.client(state.paths, start: false, executable: currentExecutable()) }
                let answer = try localProblem { try client.delete("/v1/hosts/\(name)", as: [String: Int].self) }
                print("removed \(name); stopped \(answer["stopped"] ?? 0) process(es)")
            }
        }
    }
}

func parseTags(_ words: [String]) throws -> [String: String] {
    var tags: [String: String] = [:]
    for word in words {
        let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("a tag is KEY=VALUE, not '\(word)'") }
        tags[parts[0]] = parts[1]
    }
    return tags
}

func printHosts(_ hosts: [Control.Host]) {
    for host in hosts {
        let tags = host.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        print("  \(host.name)  port \(host.port)  \(tags.isEmpty ? "-" : tags)  \(host.directory)/root")
    }
}

func jsonString(_ s: String) -> String {
    String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
}

/// The local cloud's errors as the command line shows them: unreachable → exit 3,
/// refused by the daemon → exit 1.
func localProblem<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let failure as ControlClient.Failure {
        FileHandle.standardError.write(Data("cutover: \(failure)\n".utf8))
        if case .unreachable = failure { throw ExitCode(3) }
        throw ExitCode(1)
    } catch let problem as Control.Problem {
        FileHandle.standardError.write(Data("cutover: \(problem)\n".utf8))
        throw ExitCode(problem.error.contains("not running") ? 3 : 1)
    }
}
