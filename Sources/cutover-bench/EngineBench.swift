import CutoverCore
import CutoverSim
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// One OneAtATime deployment over `n` simulated instances: how many events, how long,
/// and the process's peak memory. Run once per process so peak memory is its own.
func engineBench(instances n: Int) throws {
    let clockStart = monotonicSeconds()
    let cloud = SimCloud(seed: 1)
    cloud.addInstances(count: n, prefix: "i", tags: ["env": "bench"])
    try cloud.addGroup(SimGroup(
        application: "bench", name: "fleet", selection: TargetSelection(tagFilters: [TagFilter(key: "env", value: "bench")]),
        configuration: DeploymentConfiguration(name: "CodeDeployDefault.OneAtATime", platform: .server,
                                               minimumHealthyHosts: .oneAtATime)))
    let d = try cloud.deploy(group: "fleet", revision: "v1")
    cloud.run()
    let seconds = monotonicSeconds() - clockStart
    guard d.status == .succeeded else { fatalError("bench deployment ended \(d.status)") }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let events = d.log.count
    print("engine: \(n) instances  \(events) events  \(rounded(seconds, 3)) s  \(Int(Double(events) / seconds)) events/s  peak \(usage.ru_maxrss / 1024) MiB  virtual \(cloud.now / 3_600_000) h")
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func rounded(_ x: Double, _ places: Int) -> Double {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    return (x * scale).rounded() / scale
}
