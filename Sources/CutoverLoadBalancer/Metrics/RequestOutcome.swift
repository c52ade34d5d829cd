/// How a proxied request ended, for metrics; latencies are in microseconds.
enum RequestOutcome: Sendable {
    case answered(status: Int, micros: UInt64)
    case badGateway(micros: UInt64)
    case noHealthyTarget(micros: UInt64)
    /// Connecting to the target failed, so nothing was sent; the request goes to another target.
    case retrying
    case clientAborted
}
