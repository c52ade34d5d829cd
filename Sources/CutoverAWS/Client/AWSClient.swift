import Foundation

/// Signs, sends and retries requests to AWS services, and turns error answers into
/// `AWSError`s. One client serves every service of one configuration; it is immutable
/// and safe to share between threads. Calls block the calling thread.
///
/// Each request is signed with the credentials current at that moment: for temporary
/// credentials (an assumed role, instance metadata…) the configuration's
/// `credentialsProvider` refreshes them before they expire.
///
/// The protocol entry points (`query`, `json`, `restJSON`, `rest`) are in
/// `AWSClient+Protocols.swift`; service clients (`STS`, `EC2`, `S3`…) wrap them.
public final class AWSClient: Sendable {
    private let resolved: AWSConfiguration
    public let transport: any HTTPTransport
    public let retryPolicy: RetryPolicy
    /// The longest one attempt may take, connection included.
    public let timeout: Duration
    /// The clock signatures are dated by; injectable for tests.
    let now: @Sendable () -> Date
    /// False for calls whose proof is in the body (STS AssumeRoleWithWebIdentity).
    let signs: Bool

    public convenience init(configuration: AWSConfiguration, transport: any HTTPTransport = CurlTransport(),
                retryPolicy: RetryPolicy = RetryPolicy(), timeout: Duration = .seconds(60),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.init(configuration: configuration, transport: transport, retryPolicy: retryPolicy, timeout: timeout, now: now, signs: true)
    }

    private init(configuration: AWSConfiguration, transport: any HTTPTransport, retryPolicy: RetryPolicy, timeout: Duration,
                 now: @escaping @Sendable () -> Date, signs: Bool) {
        self.resolved = configuration
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.timeout = timeout
        self.now = now
        self.signs = signs
    }

    /// The configuration, its `credentials` the current ones (refreshed if they are
    /// about to expire; the last known ones if that fails, and the next request says why).
    public var configuration: AWSConfiguration {
        var configuration = resolved
        if let provider = resolved.credentialsProvider,
           let current = try? provider.credentials(at: now()) {
            configuration.credentials = current
        }
        return configuration
    }

    /// The credentials to sign with now: the configuration's, or its provider's
    /// current ones, fetched again when they are about to expire.
    public func currentCredentials() throws(AWSConfigurationError) -> AWSCredentials {
        guard let provider = resolved.credentialsProvider else { return resolved.credentials }
        return try provider.credentials(at: now())
    }

    /// The same client, sending its requests unsigned.
    func unsigned() -> AWSClient {
        AWSClient(configuration: resolved, transport: transport, retryPolicy: retryPolicy, timeout: timeout, now: now, signs: false)
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
    /// setting or credentials that could not be refreshed), after the retries
    /// `retryPolicy` allows.
    public func send(_ operation: AWSOperation, _ request: Request) throws -> HTTPResponse {
        let endpoint = try resolved.endpoint(for: operation.service)
        var http = HTTPRequest(method: request.method, scheme: endpoint.scheme, host: request.hostPrefix + endpoint.host,
                               port: endpoint.port, path: endpoint.basePath + request.path, query: request.query,
                               headers: request.headers, body: request.body)
        if http.path.isEmpty { http.path = "/" }
        var options: SigV4Signer.Options = operation.service == .s3 ? .s3 : .standard
        options.payload = request.payloadSigning

        var attempt = 0
        while true {
            attempt += 1
            var signed = http
            if signs {
                // Each attempt signed afresh: signatures expire, and so do temporary credentials.
                let signer = SigV4Signer(credentials: try currentCredentials(), region: endpoint.signingRegion,
                                         service: operation.service.signingName, options: options)
                signer.sign(&signed, at: now())
            }
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
