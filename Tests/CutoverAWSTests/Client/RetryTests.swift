import CutoverAWS
import Foundation
import Testing

@Suite struct RetryPolicyTests {
    let refused = TransportFailure(kind: .connectionFailed, message: "Connection refused", requestMayHaveBeenSent: false)
    let lost = TransportFailure(kind: .connectionLost, message: "Recv failure", requestMayHaveBeenSent: true)
    let timedOut = TransportFailure(kind: .timedOut, message: "Operation timed out", requestMayHaveBeenSent: true)

    @Test(arguments: ["Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
                      "ProvisionedThroughputExceededException", "SlowDown"])
    func throttlingIsRetriedForEveryOperation(code: String) {
        #expect(RetryPolicy.reason(for: .response(status: 400, code: code), idempotent: false) == .throttled)
        #expect(RetryPolicy.reason(for: .response(status: 503, code: code), idempotent: true) == .throttled)
    }

    @Test func serverErrorsAndLostConnectionsAreRetriedOnlyWhenIdempotent() {
        for outcome in [RetryPolicy.Outcome.response(status: 500, code: nil), .response(status: 503, code: "ServiceUnavailable"),
                        .transport(lost), .transport(timedOut)] {
            #expect(RetryPolicy.reason(for: outcome, idempotent: true) != nil, "\(outcome)")
            #expect(RetryPolicy.reason(for: outcome, idempotent: false) == nil, "\(outcome)")
        }
    }

    @Test func aConnectionRefusedBeforeSendingIsRetriedForEveryOperation() {
        #expect(RetryPolicy.reason(for: .transport(refused), idempotent: false) == .notSent)
    }

    @Test func clientErrorsNamesAndTLSAreNeverRetried() {
        #expect(RetryPolicy.reason(for: .response(status: 400, code: "ValidationError"), idempotent: true) == nil)
        #expect(RetryPolicy.reason(for: .response(status: 403, code: "AccessDenied"), idempotent: true) == nil)
        let dns = TransportFailure(kind: .nameResolution, message: "Could not resolve host", requestMayHaveBeenSent: false)
        #expect(RetryPolicy.reason(for: .transport(dns), idempotent: true) == nil)
        let tls = TransportFailure(kind: .tls, message: "certificate", requestMayHaveBeenSent: false)
        #expect(RetryPolicy.reason(for: .transport(tls), idempotent: true) == nil)
    }

    /// Full jitter: the random unit times min(cap, base × 2^(n−1)).
    @Test func backoffIsExponentialJitteredAndCapped() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(500), maxDelay: .seconds(20))
        #expect(policy.delay(beforeRetry: 1, unit: 1) == .milliseconds(500))
        #expect(policy.delay(beforeRetry: 2, unit: 1) == .seconds(1))
        #expect(policy.delay(beforeRetry: 4, unit: 0.5) == .seconds(2))
        #expect(policy.delay(beforeRetry: 7, unit: 1) == .seconds(20))   // 32 s capped
        #expect(policy.delay(beforeRetry: 60, unit: 1) == .seconds(20))
        #expect(policy.delay(beforeRetry: 3, unit: 0) == .zero)
    }

    @Test func attemptsAreBounded() {
        let policy = RetryPolicy(maxAttempts: 3)
        #expect(policy.shouldRetry(after: .response(status: 400, code: "Throttling"), attempt: 2, idempotent: true) != nil)
        #expect(policy.shouldRetry(after: .response(status: 400, code: "Throttling"), attempt: 3, idempotent: true) == nil)
    }
}

/// The client's retry loop, with a fake transport and no real sleeping.
@Suite struct ClientRetryTests {
    let throttled = FakeTransport.xml(400, """
        <ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r-1</RequestId></ErrorResponse>
        """)
    let identity = FakeTransport.xml(200, """
        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
        <Arn>arn:aws:iam::123456789012:user/a</Arn><UserId>AIDA</UserId><Account>123456789012</Account>
        </GetCallerIdentityResult><ResponseMetadata><RequestId>r-3</RequestId></ResponseMetadata></GetCallerIdentityResponse>
        """)

    func client(_ transport: FakeTransport, sleeps: SleepRecorder, maxAttempts: Int = 5) -> AWSClient {
        AWSClient(configuration: .testing(), transport: transport,
                  retryPolicy: RetryPolicy(maxAttempts: maxAttempts, baseDelay: .milliseconds(100), maxDelay: .seconds(1),
                                           random: { 0.5 }, sleep: { sleeps.sleep($0) }))
    }

    @Test func throttledTwiceThenAnswered() throws {
        let transport = FakeTransport([throttled, throttled, identity])
        let sleeps = SleepRecorder()
        let identity = try STS(client(transport, sleeps: sleeps)).getCallerIdentity()
        #expect(identity.account == "123456789012")
        #expect(transport.requests.count == 3)
        #expect(sleeps.sleeps == [.milliseconds(50), .milliseconds(100)])
        // Each attempt is signed afresh.
        #expect(transport.requests.allSatisfy { $0.headers["Authorization"]?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") == true })
    }

    @Test func givesUpAfterTheLastAttemptWithTheLastError() {
        let transport = FakeTransport([throttled, throttled, throttled])
        let error = #expect(throws: AWSError.self) {
            try STS(client(transport, sleeps: SleepRecorder(), maxAttempts: 3)).getCallerIdentity()
        }
        #expect(error?.code == "Throttling")
        #expect(error?.attempts == 3)
        #expect(error.map(String.init(describing:)) == "STS GetCallerIdentity: Throttling — Rate exceeded (request r-1, after 3 attempts)")
    }

    /// RunInstances without a client token may have launched instances when the
    /// server failed: it is not sent again.
    @Test func aNonIdempotentCallIsNotRetriedAfterItMayHaveBeenReceived() {
        for answer in [FakeTransport.xml(500, "<Response><Errors><Error><Code>InternalError</Code><Message>boom</Message></Error></Errors></Response>"),
                       .failure(TransportFailure(kind: .connectionLost, message: "Recv failure", requestMayHaveBeenSent: true))] {
            let transport = FakeTransport([answer, identity])
            let sleeps = SleepRecorder()
            #expect(throws: AWSError.self) { try EC2(client(transport, sleeps: sleeps)).runInstances(image: "ami-1") }
            #expect(transport.requests.count == 1)
            #expect(sleeps.sleeps.isEmpty)
        }
    }

    @Test func aNonIdempotentCallIsRetriedWhenTheConnectionWasRefused() throws {
        let refused = Result<HTTPResponse, TransportFailure>.failure(
            TransportFailure(kind: .connectionFailed, message: "Connection refused", requestMayHaveBeenSent: false))
        let launched = FakeTransport.xml(200, "<RunInstancesResponse><instancesSet><item><instanceId>i-1</instanceId><instanceState><name>pending</name></instanceState></item></instancesSet></RunInstancesResponse>")
        let transport = FakeTransport([refused, launched])
        let instances = try EC2(client(transport, sleeps: SleepRecorder())).runInstances(image: "ami-1")
        #expect(instances.map(\.id) == ["i-1"])
        #expect(transport.requests.count == 2)
    }

    /// With a client token the same call is idempotent, and a 500 is retried.
    @Test func aCallWithAClientTokenIsRetriedAfterAServerError() throws {
        let launched = FakeTransport.xml(200, "<RunInstancesResponse><instancesSet><item><instanceId>i-2</instanceId></item></instancesSet></RunInstancesResponse>")
        let transport = FakeTransport([FakeTransport.xml(500, ""), launched])
        let instances = try EC2(client(transport, sleeps: SleepRecorder())).runInstances(image: "ami-1", clientToken: "deploy-42")
        #expect(instances.map(\.id) == ["i-2"])
        #expect(transport.requests.count == 2)
        #expect(String(decoding: transport.requests[1].body, as: UTF8.self).contains("ClientToken=deploy-42"))
    }

    @Test func readsAreRetriedAfterAServerError() throws {
        let transport = FakeTransport([FakeTransport.xml(503, ""), identity])
        _ = try STS(client(transport, sleeps: SleepRecorder())).getCallerIdentity()
        #expect(transport.requests.count == 2)
    }
}
