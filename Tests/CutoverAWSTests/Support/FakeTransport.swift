import CutoverAWS
import Foundation

/// A transport that answers from a script, one entry per request, and records what it
/// was sent. Thread-safe, as transports must be.
final class FakeTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [Result<HTTPResponse, TransportFailure>]
    private var received: [HTTPRequest] = []

    init(_ answers: [Result<HTTPResponse, TransportFailure>]) {
        self.answers = answers
    }

    var requests: [HTTPRequest] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    func send(_ request: HTTPRequest, timeout: Duration) -> Result<HTTPResponse, TransportFailure> {
        lock.lock()
        defer { lock.unlock() }
        received.append(request)
        guard !answers.isEmpty else {
            return .failure(TransportFailure(kind: .other, message: "the fake transport has no more answers", requestMayHaveBeenSent: false))
        }
        return answers.removeFirst()
    }

    static func xml(_ status: Int, _ body: String) -> Result<HTTPResponse, TransportFailure> {
        .success(HTTPResponse(status: status, headers: ["Content-Type": "text/xml"], body: Array(body.utf8)))
    }

    static func json(_ status: Int, _ body: String, headers: HTTPHeaders = [:]) -> Result<HTTPResponse, TransportFailure> {
        .success(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
    }
}

/// Records the sleeps a retry policy asks for instead of sleeping.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Duration] = []

    var sleeps: [Duration] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    func sleep(_ duration: Duration) {
        lock.lock()
        recorded.append(duration)
        lock.unlock()
    }
}

extension AWSConfiguration {
    /// Test credentials in us-east-1 with no endpoint configured.
    static func testing(region: String = "us-east-1", environment: [String: String] = [:]) -> AWSConfiguration {
        AWSConfiguration(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                         region: region, endpoints: EndpointSettings(environment: environment))
    }
}
