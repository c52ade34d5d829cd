import CBenchSupport
import LuaRuntime
#if canImport(Glibc)
import Glibc
#endif

// Measures what crossing the Swift–Lua boundary costs: a million calls from Lua into
// a trivial Swift function against the same function written in C and registered
// the usual way. Prints the best of several rounds and the ratio. Run by scripts/bench.

if CommandLine.arguments.count >= 2, CommandLine.arguments[1] == "lb" {
    try await lbBench(arguments: Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}

if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "lb-split", let n = Int(CommandLine.arguments[2]) {
    try lbSplitBench(requests: n)
    exit(0)
}

if CommandLine.arguments.count == 4, CommandLine.arguments[1] == "local-overhead",
   let hosts = Int(CommandLine.arguments[2]), let ms = Int(CommandLine.arguments[3]) {
    try localOverheadBench(hosts: hosts, hookMilliseconds: ms)
    exit(0)
}

if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "engine", let n = Int(CommandLine.arguments[2]) {
    try engineBench(instances: n)
    exit(0)
}

let calls = 1_000_000
let rounds = 7

let vm = try LuaVM()
vm.register("swift_increment") { stack in
    stack.push(Int(try stack.checkInteger(1)) + 1)
    return 1
}
cutover_bench_register(vm.state)

let loop = try vm.load("""
    local f, n = ...
    local x = 0
    for i = 1, n do x = f(x) end
    assert(x == n)
    local t0 = os.clock()
    x = 0
    for i = 1, n do x = f(x) end
    return os.clock() - t0
    """, chunkName: "=bench")

@MainActor func best(_ name: String) throws -> Double {
    var times: [Double] = []
    for _ in 0..<rounds {
        let result = try loop.call(vm[global: name], .integer(Int64(calls)))
        times.append(result.first?.doubleValue ?? .infinity)
    }
    return times.min() ?? .infinity
}

let c = try best("c_increment")
let swift = try best("swift_increment")
func ns(_ seconds: Double) -> String {
    let value = (seconds * 1e9 / Double(calls) * 10).rounded() / 10
    return "\(value) ns/call"
}
let ratio = (swift / c * 100).rounded() / 100
print("calls: 1e6 Lua→C     \(ns(c))")
print("calls: 1e6 Lua→Swift \(ns(swift))")
print("calls: ratio Swift/C \(ratio)")
