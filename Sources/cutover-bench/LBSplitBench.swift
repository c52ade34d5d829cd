import CutoverLoadBalancer
import CutoverLocal
import Foundation

/// Weighted forwarding accuracy: `requests` requests through one listener that splits
/// 10/90 between two target groups, each with one backend answering its own name.
func lbSplitBench(requests: Int) throws {
    let balancer = LoadBalancer(threads: 1)
    defer { try? blocking { await balancer.shutdown(gracePeriod: .seconds(1)) } }
    var backends: [LoopbackServer] = []
    var groups: [TargetGroup] = []
    for name in ["blue", "green"] {
        let backend = try LoopbackServer(answer: name)
        backends.append(backend)
        let group = try balancer.createTargetGroup(name: name)
        try group.register(Target(port: backend.port), initiallyHealthy: true)
        groups.append(group)
    }
    let action = ListenerAction.weightedForward([
        WeightedTargetGroup(groups[0], weight: 10), WeightedTargetGroup(groups[1], weight: 90),
    ])
    let listener = try blocking { try await balancer.createListener(port: 0, action: action) }
    var counts: [String: Int] = [:]
    let client = ControlClient(port: listener.port)
    let start = Date()
    for _ in 0..<requests {
        let (status, body) = try client.request("GET", "/", body: nil)
        let name = status == 200 ? String(decoding: body, as: UTF8.self) : "HTTP \(status)"
        counts[name, default: 0] += 1
    }
    let seconds = Date().timeIntervalSince(start)
    let blue = counts["blue", default: 0], green = counts["green", default: 0]
    let bluePercent = Double(blue) * 100 / Double(requests)
    print(String(format: "lb split: %d requests at 10/90 in %.1f s: blue %d (%.3f %%), green %d (%.3f %%), other %d; error %.3f points",
                 requests, seconds, blue, bluePercent, green, Double(green) * 100 / Double(requests),
                 requests - blue - green, abs(bluePercent - 10)))
    backends.forEach { $0.close() }
}
