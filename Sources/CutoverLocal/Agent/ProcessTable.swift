import Foundation

/// What /proc says about processes: who is in a process group, who carries a marker
/// in its environment. Zombies do not count (they are gone, only not yet reaped).
enum ProcessTable {
    struct Entry {
        let pid: Int32
        let state: Character
        let processGroup: Int32
    }

    /// Every process we can see, with its state and process group.
    static func entries() -> [Entry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var result: [Entry] = []
        for name in names {
            guard let pid = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // After "pid (comm)": state ppid pgrp …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 3, let state = fields[0].first, let group = Int32(fields[2]) else { continue }
            result.append(Entry(pid: pid, state: state, processGroup: group))
        }
        return result
    }

    /// The living members of a process group.
    static func members(ofGroup pgid: Int32) -> [Int32] {
        entries().filter { $0.processGroup == pgid && $0.state != "Z" }.map(\.pid)
    }

    /// Living processes whose environment holds `key=value` (those we may read).
    static func processes(withEnvironment key: String, value: String) -> [Int32] {
        let marker = Array("\(key)=\(value)".utf8)
        return entries().filter { $0.state != "Z" }.compactMap { entry in
            guard let data = FileManager.default.contents(atPath: "/proc/\(entry.pid)/environ") else { return nil }
            return data.split(separator: 0).contains { Array($0) == marker } ? entry.pid : nil
        }
    }
}
