import CutoverAWS
import Foundation
import MotoHarness
import Synchronization

/// A transport that sends through libcurl and keeps what it sent: the tests count
/// pages and read request bodies with it.
final class RecordingTransport: HTTPTransport, Sendable {
    private let inner = CurlTransport(connectTimeout: .seconds(2))
    private let sent = Mutex<[HTTPRequest]>([])

    var requests: [HTTPRequest] { sent.withLock { $0 } }

    /// The form fields of the query-protocol requests sent, decoded, one dictionary each.
    var forms: [[String: String]] { requests.map { Form.fields($0.body) } }

    func send(_ request: HTTPRequest, timeout: Duration) -> Result<HTTPResponse, TransportFailure> {
        sent.withLock { $0.append(request) }
        return inner.send(request, timeout: timeout)
    }
}

/// `Action=…&Name.member.1=…` bodies, decoded.
enum Form {
    static func fields(_ body: [UInt8]) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            fields[URIEncoding.decode(String(parts[0]))] = parts.count > 1 ? URIEncoding.decode(String(parts[1])) : ""
        }
        return fields
    }
}

extension AWSClient {
    /// A client of `endpoint` (moto's, or a stub's) with test credentials and no shared
    /// files, not retrying unless told (a 500 from moto is an unimplemented operation,
    /// which a retry could duplicate: moto.md §3).
    static func testing(endpoint: String, transport: any HTTPTransport = CurlTransport(connectTimeout: .seconds(2)),
                        retryPolicy: RetryPolicy = .none, now: @escaping @Sendable () -> Date = { Date() }) throws -> AWSClient {
        let environment = ["AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1",
                           "AWS_ACCESS_KEY_ID": "AKIDMOTOTESTING", "AWS_SECRET_ACCESS_KEY": "moto-testing-secret",
                           "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"]
        return AWSClient(configuration: try AWSConfiguration.resolve(environment: environment), transport: transport,
                         retryPolicy: retryPolicy, timeout: .seconds(30), now: now)
    }
}

extension LoopbackHTTPStub.Request {
    /// The operation a JSON-protocol request names (`AmazonSSM.GetCommandInvocation` → `GetCommandInvocation`).
    var jsonOperation: String? { headers["X-Amz-Target"].map { String($0.split(separator: ".").last ?? "") } }

    /// The operation a query-protocol request names (its `Action`).
    var queryOperation: String? { Form.fields(body)["Action"] }

    var json: JSON? { try? JSON(parsing: body) }
}

/// The default VPC and its subnets in moto (or an account), for groups and load balancers.
struct Network {
    let vpcID: String
    let subnets: [String]

    init(_ client: AWSClient) throws {
        let vpcs = try client.query(AWSOperation(.ec2, "DescribeVpcs"))
        vpcID = vpcs.list("vpcSet").first?.text("vpcId") ?? ""
        let subnets = try client.query(AWSOperation(.ec2, "DescribeSubnets"), ["Filter": [["Name": "vpc-id", "Value": .list([.string(vpcID)])]]])
        self.subnets = subnets.list("subnetSet").compactMap { $0.text("subnetId") }.sorted()
    }
}

/// Records the sleeps asked for and moves a fake clock by them.
final class FakeClock: Sendable {
    private let state = Mutex<(elapsed: Duration, sleeps: [Duration])>((.zero, []))
    private let start = ContinuousClock.now

    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    func now() -> ContinuousClock.Instant { start + state.withLock { $0.elapsed } }

    func sleep(_ duration: Duration) {
        state.withLock {
            $0.elapsed += duration
            $0.sleeps.append(duration)
        }
    }
}
