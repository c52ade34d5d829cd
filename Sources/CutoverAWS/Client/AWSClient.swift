import Foundation

/// Signs, sends and retries requests to AWS services, and turns error answers into
/// `AWSError`s. One client serves every service of one configuration; it is immutable
/// and safe to share between threads. Calls block the calling thread.
///
/// The protocol entry points (`query`, `json`, `restJSON`, `rest`) are in
/// `AWSClient+Protocols.swift`; service clients (`STS`, `EC2`, `S3`…) wrap them.
public final class AWSClient: Sendable {
    public let configuration: AWSConfiguration
    public let transport: any HTTPTransport
    public let retryPolicy: RetryPolicy
    /// The longest one attempt may take, connection included.
    public let timeout: Duration
    /// The clock signatures are dated by; injectable for tests.
    let now: @Sendable () -> Date

    public init(configuration: AWSConfiguration, transport: any HTTPTransport = CurlTransport(),
                retryPolicy: RetryPolicy = RetryPolicy(), timeout: Duration = .seconds(60),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.timeout = timeout
        self.now = now
    }

    /// A request relative to a service's endpoint, before signing.
    public struct Request: Sendable {
        public var method: String
        /// Percent-encoded, starting with `/` (`URIEncoding.path` builds it).
        public var path: String
        public var query: [QueryItem]
        public var headers: HTTPHeaders
        public var body: [UInt8]
        /// Put in front of the endpoint's host (`bucket.` for S3 virtual-hosted requests).
        public var hostPrefix: String
        public var payloadSigning: SigV4Signer.Payload

        public init(method: String = "POST", path: String = "/", query: [QueryItem] = [], headers: HTTPHeaders = [:],
                    body: [UInt8] = [], hostPrefix: String = "", payloadSigning: SigV4Signer.Payload = .hashed) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
            self.hostPrefix = hostPrefix
            self.payloadSigning = payloadSigning
        }
    }

    /// Sends `request` for `operation` and returns the 2xx answer; any other answer or
    /// failure is thrown as an `AWSError` (`AWSConfigurationError` for a bad endpoint
    /// setting), after the retries `retryPolicy` allows.
    public func send(_ operation: AWSOperation, _ request: Request) throws -> HTTPResponse {
        let endpoint = try configuration.endpoint(for: operation.service)
        var http = HTTPRequest(method: request.method, scheme: endpoint.scheme, host: request.hostPrefix + endpoint.host,
                               port: endpoint.port, path: endpoint.basePath + request.path, query: request.query,
                               headers: request.headers, body: request.body)
        if http.path.isEmpty { http.path = "/" }
        var options: SigV4Signer.Options = operation.service == .s3 ? .s3 : .standard
        options.payload = request.payloadSigning
        let signer = SigV4Signer(credentials: configuration.credentials, region: endpoint.signingRegion,
                                 service: operation.service.signingName, options: options)

        var attempt = 0
        while true {
            attempt += 1
            var signed = http
            signer.sign(&signed, at: now())  // each attempt signed afresh: signatures expire
            let outcome: RetryPolicy.Outcome
            var failure: AWSError
            switch transport.send(signed, timeout: timeout) {
            case .success(let response) where response.isSuccess:
                return response
            case .success(let response):
                failure = AWSErrorDecoder.decode(response, service: operation.service, operation: operation.name)
                outcome = .response(status: response.status, code: failure.code)
            case .failure(let transportFailure):
                failure = AWSError(kind: .unreachable, service: operation.service.name, operation: operation.name,
                                   message: transportFailure.message, transport: transportFailure)
                outcome = .transport(transportFailure)
            }
            failure.endpoint = endpoint.url
            failure.attempts = attempt
            guard retryPolicy.shouldRetry(after: outcome, attempt: attempt, idempotent: operation.idempotent) != nil else {
                throw failure
            }
            retryPolicy.sleep(retryPolicy.delay(beforeRetry: attempt, unit: retryPolicy.random()))
        }
    }
}
