// `cutover-bench lb --port P --backend 127.0.0.1:Q [--threads N]` (used by
// scripts/bench.d/lb.sh) runs one listener forwarding to one target until SIGTERM or
// SIGINT, then prints the target group's counters and exits.

import CutoverLoadBalancer
import Dispatch
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Runs a load balancer for an external load generator (wrk) to measure.
func lbBench(arguments: [String]) async throws {
    var port = 0
    var backend: Target?
    var threads = 0
    var iterator = arguments.makeIterator()
    while let argument = iterator.next() {
        switch argument {
        case "--port":
            port = Int(iterator.next() ?? "") ?? -1
        case "--threads":
            threads = Int(iterator.next() ?? "") ?? -1
        case "--backend":
            let parts = (iterator.next() ?? "").split(separator: ":")
            if parts.count == 2, let p = Int(parts[1]) { backend = Target(host: String(parts[0]), port: p) }
        case "--help", "-h":
            print(lbBenchUsageLine)
            exit(0)
        default:
            lbBenchUsage("unknown argument \(argument)")
        }
    }
    guard let backend, port >= 0, threads >= 0 else { lbBenchUsage("--backend HOST:PORT is required") }

    let lb = threads > 0 ? LoadBalancer(threads: threads) : LoadBalancer()
    let group = try lb.createTargetGroup(name: "bench", healthCheck: HealthCheck(path: "/", interval: .seconds(5)))
    try group.register(backend, initiallyHealthy: true)
    let listener = try await lb.createListener(port: port, action: .forward(group))
    print("lb: listening on 127.0.0.1:\(listener.port) forwarding to \(backend)")
    fflush(stdout)

    // Wait for SIGTERM or SIGINT without sleeping: Dispatch signal sources wake us.
    let (stopped, continuation) = AsyncStream.makeStream(of: Int32.self)
    let sources = [SIGTERM, SIGINT].map { sig in
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler { continuation.yield(sig) }
        source.resume()
        return source
    }
    for await _ in stopped { break }
    sources.forEach { $0.cancel() }

    let m = group.metrics()
    func ms(_ d: Duration?) -> String {
        guard let d else { return "-" }
        let (s, atto) = d.components
        return String(Double(s) * 1000 + Double(atto) / 1e15)
    }
    print("lb: requests \(m.requests)  5xx \(m.responses5xx)  502 \(m.badGateway)  503 \(m.noHealthyTarget)  p50 \(ms(m.p50)) ms  p99 \(ms(m.p99)) ms")
    await lb.shutdown(gracePeriod: .seconds(2))
}

let lbBenchUsageLine = "usage: cutover-bench lb --backend HOST:PORT [--port P] [--threads N]"

func lbBenchUsage(_ problem: String) -> Never {
    fputs("cutover-bench lb: \(problem)\n\(lbBenchUsageLine)\n", stderr)
    exit(2)
}
