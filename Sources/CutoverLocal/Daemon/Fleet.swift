import CProcess
import Foundation

/// The daemon's hosts: created, tagged, removed; persisted in hosts.json. A host is a
/// directory (its `root/` plays the instance's "/") and a port for its application.
final class Fleet: @unchecked Sendable {
    let paths: LocalPaths
    private let lock = NSLock()
    private var hosts: [Control.Host] = []

    init(paths: LocalPaths) throws {
        self.paths = paths
        if let data = FileManager.default.contents(atPath: paths.hostsFile) {
            hosts = (try? JSONDecoder().decode([Control.Host].self, from: data)) ?? []
        }
    }

    func list() -> [Control.Host] { lock.withLock { hosts } }

    func host(_ name: String) throws -> Control.Host {
        guard let host = lock.withLock({ hosts.first { $0.name == name } }) else {
            throw Control.Problem("no host named \(name)")
        }
        return host
    }

    /// Creates `count` hosts named `prefix-N`, numbered after the existing ones.
    func create(_ request: Control.CreateHosts) throws -> [Control.Host] {
        guard request.count >= 0, request.count <= 1000 else { throw Control.Problem("count must be between 0 and 1000") }
        guard !request.prefix.isEmpty, request.prefix.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw Control.Problem("host name prefix '\(request.prefix)' must be letters, digits, - or _")
        }
        var range: ClosedRange<Int>?
        if let r = request.portRange {
            guard r.count == 2, r[0] >= 1024, r[0] <= r[1], r[1] <= 65535 else {
                throw Control.Problem("port range \(r): give [first, last] with 1024 ≤ first ≤ last ≤ 65535")
            }
            range = r[0]...r[1]
        }
        return try lock.withLock {
            var created: [Control.Host] = []
            var number = hosts.filter { $0.name.hasPrefix(request.prefix + "-") }.count
            let used = Set(hosts.map(\.port))
            for _ in 0..<request.count {
                number += 1
                var name = "\(request.prefix)-\(number)"
                while hosts.contains(where: { $0.name == name }) {
                    number += 1
                    name = "\(request.prefix)-\(number)"
                }
                let taken = used.union(created.map(\.port))
                var port: Int
                if let range {
                    port = try FreePort.pick(in: range, skipping: taken)
                } else {
                    port = try FreePort.pick()
                    while taken.contains(port) { port = try FreePort.pick() }
                }
                let directory = paths.hostDirectory(name)
                try FileManager.default.createDirectory(atPath: directory + "/root", withIntermediateDirectories: true)
                let host = Control.Host(name: name, port: port, tags: request.tags, directory: directory,
                                        revisions: [:], processGroups: [])
                hosts.append(host)
                created.append(host)
            }
            try save()
            return created
        }
    }

    func setTags(_ name: String, _ tags: [String: String]) throws -> Control.Host {
        try update(name) { $0.tags = tags }
    }

    @discardableResult
    func update(_ name: String, _ change: (inout Control.Host) -> Void) throws -> Control.Host {
        try lock.withLock {
            guard let index = hosts.firstIndex(where: { $0.name == name }) else { throw Control.Problem("no host named \(name)") }
            change(&hosts[index])
            try save()
            return hosts[index]
        }
    }

    /// Removes a host: stops every process its hooks started, deletes its directory.
    func remove(_ name: String) throws -> Int {
        let host = try self.host(name)
        let stopped = Fleet.stopProcesses(of: host)
        try lock.withLock {
            hosts.removeAll { $0.name == name }
            try save()
        }
        try? FileManager.default.removeItem(atPath: host.directory)
        return stopped
    }

    /// Stops the processes of every host (the daemon is going down).
    func stopAll() -> Int {
        list().reduce(0) { $0 + Fleet.stopProcesses(of: $1) }
    }

    /// SIGTERM, then SIGKILL, to the host's process groups and to any process that
    /// carries its root in the environment (a daemon that left its group).
    static func stopProcesses(of host: Control.Host) -> Int {
        // The host's root path is unique to this state directory (a host name is not:
        // another daemon may have a "web-1" too).
        var victims = Set(ProcessTable.processes(withEnvironment: "CUTOVER_HOST_ROOT",
                                                 value: HostLayout(directory: host.directory).root))
        for group in host.processGroups {
            victims.formUnion(ProcessTable.members(ofGroup: group))
            _ = cutover_process_signal_group(group, SIGTERM)
        }
        for pid in victims { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline {
            let alive = ProcessTable.entries().filter { victims.contains($0.pid) && $0.state != "Z" }
            if alive.isEmpty { break }
            usleep(20_000)
        }
        for entry in ProcessTable.entries() where victims.contains(entry.pid) && entry.state != "Z" {
            kill(entry.pid, SIGKILL)
        }
        return victims.count
    }

    private func save() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(hosts).write(to: URL(fileURLWithPath: paths.hostsFile), options: .atomic)
    }
}
