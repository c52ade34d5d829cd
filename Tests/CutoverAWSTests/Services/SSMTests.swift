@testable import CutoverAWS
import Foundation
import MotoHarness
import Synchronization
import Testing

/// SSM Run Command against moto. moto runs nothing: a command is `Success` at once with
/// exit status 0 and no output, on every instance of the region whatever was asked
/// (moto.md §4.7). So this suite checks the requests and the answers' shapes; the
/// waiting and the outcomes (running, failed, timed out, output) are in `SSMStubTests`.
@Suite(.moto, .serialized)
struct SSMMotoTests {
    let moto: MotoServer
    let client: AWSClient
    let ssm: SSM

    init() throws {
        moto = try #require(MotoServer.current, "the suite's .moto trait starts the server")
        try moto.reset()
        client = try AWSClient.testing(endpoint: moto.endpoint)
        ssm = SSM(client)
    }

    @Test func sendsACommandAndReadsItsInvocation() throws {
        let instance = try #require(try EC2(client).runInstances(image: "ami-12c6146b").first)
        let command = try ssm.sendCommand(instanceIDs: [instance.id], commands: ["cd /srv/shop", "./install.sh"],
                                          workingDirectory: "/tmp", executionTimeout: 300, deliveryTimeout: 600, comment: "d-1 Install")
        #expect(UUID(uuidString: command.id) != nil)
        #expect(command.documentName == "AWS-RunShellScript")
        #expect(command.instanceIDs.contains(instance.id))
        #expect(command.requestedAt.map { abs($0.timeIntervalSinceNow) < 60 } == true)
        #expect(command.status == "Success", "moto: finished at once (AWS: Pending)")

        let clock = FakeClock()
        let invocation = try ssm.waitForInvocation(commandID: command.id, instanceID: instance.id, timeout: .seconds(60),
                                                   sleep: clock.sleep, now: clock.now)
        #expect(clock.sleeps.isEmpty)
        #expect(invocation.commandID == command.id && invocation.instanceID == instance.id)
        #expect(invocation.succeeded && invocation.isFinished && invocation.responseCode == 0)
        #expect(invocation.standardOutput == "" && invocation.standardError == "")
        // moto writes these without a zone (`2026-11-28T12:55:30.895757`): read as UTC.
        let started = try #require(invocation.startedAt)
        #expect(abs(started.timeIntervalSince(command.requestedAt ?? started)) < 1)
        #expect(invocation.endedAt.map { $0 > started } == true)
    }

    /// An instance the command did not go to: `InvocationDoesNotExist`, the error
    /// `waitForInvocation` waits out. moto calls an unknown command `InvalidCommandId`.
    @Test func aMissingInvocationIsAnAWSError() throws {
        let instance = try #require(try EC2(client).runInstances(image: "ami-12c6146b").first)
        let command = try ssm.sendCommand(instanceIDs: [instance.id], commands: ["true"])
        let error = #expect(throws: AWSError.self) {
            try ssm.getCommandInvocation(commandID: command.id, instanceID: "i-0123456789abcdef0")
        }
        #expect(error?.code == "InvocationDoesNotExist")
        #expect(error?.description.hasPrefix("SSM GetCommandInvocation: InvocationDoesNotExist") == true)
        let unknown = #expect(throws: AWSError.self) {
            try ssm.getCommandInvocation(commandID: "00000000-0000-0000-0000-000000000000", instanceID: instance.id)
        }
        #expect(unknown?.code == "InvalidCommandId")
    }

    /// moto 5.2.1 has no ListCommandInvocations (HTML 500): `SSMStubTests` reads it.
    @Test func listCommandInvocationsIsMissingFromMoto() throws {
        let error = #expect(throws: AWSError.self) { try ssm.listCommandInvocations(commandID: "c") }
        #expect(error?.status == 500 && error?.message.contains("unimplemented operation") == true)
    }
}

/// Run Command outcomes moto cannot produce, played by a stub over real HTTP: an
/// invocation that is not there yet, runs, then succeeds or fails with output; one that
/// outlasts the wait; SendCommand's request and its refusal to retry.
@Suite struct SSMStubTests {
    /// A stub answering GetCommandInvocation from `answers` in turn (the last one again
    /// when they run out), each a status code and a JSON body.
    static func invocationStub(_ answers: [(Int, String)]) throws -> LoopbackHTTPStub {
        let next = Mutex(0)
        return try LoopbackHTTPStub { _ in
            let index = next.withLock { index in defer { index += 1 }; return min(index, answers.count - 1) }
            let (status, body) = answers[index]
            return HTTPResponse(status: status, headers: ["Content-Type": "application/x-amz-json-1.1"], body: Array(body.utf8))
        }
    }

    static func invocation(_ status: String, code: Int = -1, stdout: String = "", stderr: String = "") -> (Int, String) {
        (200, String(decoding: JSON.object([
            "CommandId": "c-1", "InstanceId": "i-1", "DocumentName": "AWS-RunShellScript", "PluginName": "aws:runShellScript",
            "Status": .string(status), "StatusDetails": .string(status), "ResponseCode": .number(Double(code)),
            "ExecutionStartDateTime": "2026-11-28T19:30:07.314Z", "ExecutionEndDateTime": code < 0 ? "" : "2026-11-28T19:30:12.5Z",
            "StandardOutputContent": .string(stdout), "StandardErrorContent": .string(stderr),
        ]).encoded(), as: UTF8.self))
    }

    static let notYet = (400, #"{"__type":"InvocationDoesNotExist","Message":""}"#)

    @Test func waitsThroughPendingAndRunningUntilSuccess() throws {
        let stub = try Self.invocationStub([Self.notYet, Self.invocation("Pending"), Self.invocation("InProgress"),
                                            Self.invocation("Success", code: 0, stdout: "installed shop v2\n")])
        defer { stub.stop() }
        let clock = FakeClock()
        let invocation = try SSM(try AWSClient.testing(endpoint: stub.endpoint))
            .waitForInvocation(commandID: "c-1", instanceID: "i-1", timeout: .seconds(60), poll: .seconds(2), sleep: clock.sleep, now: clock.now)
        #expect(invocation.succeeded && invocation.responseCode == 0)
        #expect(invocation.standardOutput == "installed shop v2\n")
        #expect(invocation.startedAt == Date(timeIntervalSince1970: 1_795_894_207.314))
        #expect(invocation.endedAt == Date(timeIntervalSince1970: 1_795_894_212.5))
        #expect(clock.sleeps == [.seconds(2), .seconds(2), .seconds(2)])
        #expect(stub.requests.count == 4)
        #expect(stub.requests.allSatisfy { $0.jsonOperation == "GetCommandInvocation" })
        #expect(stub.requests[0].json == ["CommandId": "c-1", "InstanceId": "i-1"])
    }

    @Test func aFailedScriptComesBackWithItsExitStatusAndOutput() throws {
        let stub = try Self.invocationStub([Self.invocation("InProgress"),
                                            Self.invocation("Failed", code: 2, stdout: "checking\n", stderr: "health check failed: 502\n")])
        defer { stub.stop() }
        let clock = FakeClock()
        let invocation = try SSM(try AWSClient.testing(endpoint: stub.endpoint))
            .waitForInvocation(commandID: "c-1", instanceID: "i-1", timeout: .seconds(60), sleep: clock.sleep, now: clock.now)
        #expect(invocation.status == "Failed" && invocation.isFinished && !invocation.succeeded)
        #expect(invocation.responseCode == 2)
        #expect(invocation.standardError == "health check failed: 502\n")
        #expect(clock.sleeps == [.seconds(2)])
    }

    /// The script outlasts the wait: the last invocation read comes back, still running.
    @Test func returnsTheRunningInvocationWhenTheWaitEnds() throws {
        let stub = try Self.invocationStub([Self.invocation("InProgress")])
        defer { stub.stop() }
        let clock = FakeClock()
        let invocation = try SSM(try AWSClient.testing(endpoint: stub.endpoint))
            .waitForInvocation(commandID: "c-1", instanceID: "i-1", timeout: .seconds(5), poll: .seconds(2), sleep: clock.sleep, now: clock.now)
        #expect(invocation.status == "InProgress" && !invocation.isFinished)
        #expect(invocation.responseCode == nil, "SSM's -1 means no exit status yet")
        #expect(clock.sleeps == [.seconds(2), .seconds(2)], "reads at 0, 2 and 4 s; a fourth at 6 s would be past the 5 s")
        #expect(stub.requests.count == 3)
    }

    @Test func anInvocationThatNeverAppearsIsThrownAtTheEnd() throws {
        let stub = try Self.invocationStub([Self.notYet])
        defer { stub.stop() }
        let clock = FakeClock()
        let error = #expect(throws: AWSError.self) {
            try SSM(try AWSClient.testing(endpoint: stub.endpoint))
                .waitForInvocation(commandID: "c-1", instanceID: "i-1", timeout: .seconds(3), poll: .seconds(1), sleep: clock.sleep, now: clock.now)
        }
        #expect(error?.code == "InvocationDoesNotExist")
        #expect(clock.sleeps.count == 3)
    }

    @Test func otherErrorsEndTheWaitAtOnce() throws {
        let stub = try Self.invocationStub([(400, #"{"__type":"InvalidInstanceId","Message":"Instances [[i-1]] not in a valid state for account 123456789012"}"#)])
        defer { stub.stop() }
        let clock = FakeClock()
        let error = #expect(throws: AWSError.self) {
            try SSM(try AWSClient.testing(endpoint: stub.endpoint))
                .waitForInvocation(commandID: "c-1", instanceID: "i-1", timeout: .seconds(60), sleep: clock.sleep, now: clock.now)
        }
        #expect(error?.description == "SSM GetCommandInvocation: InvalidInstanceId — Instances [[i-1]] not in a valid state for account 123456789012")
        #expect(clock.sleeps.isEmpty)
    }

    /// SendCommand's body, and no second attempt after a 500 even with retries on:
    /// the first may have started the script.
    @Test func sendsTheScriptOnceAndNeverRetriesIt() throws {
        let stub = try LoopbackHTTPStub { request in
            request.json?["Comment"]?.string == "fail"
                ? HTTPResponse(status: 500, body: Array(#"{"__type":"InternalServerError","Message":"try again"}"#.utf8))
                : HTTPResponse(status: 200, body: Array(#"{"Command":{"CommandId":"c-9","Status":"Pending","InstanceIds":["i-1","i-2"],"DocumentName":"AWS-RunShellScript","RequestedDateTime":1795894207.314}}"#.utf8))
        }
        defer { stub.stop() }
        let sleeps = SleepRecorder()
        let client = try AWSClient.testing(endpoint: stub.endpoint, retryPolicy: RetryPolicy(maxAttempts: 4, sleep: sleeps.sleep))
        let command = try SSM(client).sendCommand(instanceIDs: ["i-1", "i-2"], commands: ["echo 'a \"b\"'", "exit 3"],
                                                  workingDirectory: "/opt/app", executionTimeout: 300, deliveryTimeout: 120, comment: "ok")
        #expect(command == SSM.Command(id: "c-9", status: "Pending", instanceIDs: ["i-1", "i-2"], documentName: "AWS-RunShellScript",
                                       requestedAt: Date(timeIntervalSince1970: 1_795_894_207.314)))
        #expect(stub.requests[0].headers["X-Amz-Target"] == "AmazonSSM.SendCommand")
        #expect(stub.requests[0].headers["Content-Type"] == "application/x-amz-json-1.1")
        #expect(stub.requests[0].json == [
            "DocumentName": "AWS-RunShellScript", "InstanceIds": ["i-1", "i-2"], "Comment": "ok", "TimeoutSeconds": 120,
            "Parameters": ["commands": ["echo 'a \"b\"'", "exit 3"], "workingDirectory": ["/opt/app"], "executionTimeout": ["300"]],
        ])

        let error = #expect(throws: AWSError.self) { try SSM(client).sendCommand(instanceIDs: ["i-1"], commands: ["true"], comment: "fail") }
        #expect(error?.attempts == 1)
        #expect(stub.requests.count == 2)
        #expect(sleeps.sleeps.isEmpty)
    }

    @Test func listsInvocationsAcrossPagesAndCancels() throws {
        let stub = try LoopbackHTTPStub { request in
            let body: String
            switch (request.jsonOperation, request.json?["NextToken"]?.string) {
            case ("ListCommandInvocations", nil):
                body = #"{"CommandInvocations":[{"CommandId":"c-1","InstanceId":"i-1","Status":"Success","CommandPlugins":[{"Name":"aws:runShellScript","Status":"Success","ResponseCode":0,"Output":"ok\n","ResponseStartDateTime":1795894207.0,"ResponseFinishDateTime":1795894209.5}]}],"NextToken":"p2"}"#
            case ("ListCommandInvocations", "p2"?):
                body = #"{"CommandInvocations":[{"CommandId":"c-1","InstanceId":"i-2","Status":"InProgress","CommandPlugins":[]},{"CommandId":"c-1","InstanceId":"i-3","Status":"Failed","StatusDetails":"Failed","CommandPlugins":[{"ResponseCode":1,"Output":"boom\n----------ERROR-------\nno space"}]}]}"#
            default:
                body = "{}"
            }
            return HTTPResponse(status: 200, body: Array(body.utf8))
        }
        defer { stub.stop() }
        let ssm = SSM(try AWSClient.testing(endpoint: stub.endpoint))
        let invocations = try ssm.listCommandInvocations(commandID: "c-1", details: true, pageSize: 1)
        #expect(invocations == [
            .init(commandID: "c-1", instanceID: "i-1", status: "Success", responseCode: 0, standardOutput: "ok\n",
                  startedAt: Date(timeIntervalSince1970: 1_795_894_207), endedAt: Date(timeIntervalSince1970: 1_795_894_209.5)),
            .init(commandID: "c-1", instanceID: "i-2", status: "InProgress"),
            .init(commandID: "c-1", instanceID: "i-3", status: "Failed", statusDetails: "Failed", responseCode: 1,
                  standardOutput: "boom\n----------ERROR-------\nno space"),
        ])
        #expect(stub.requests.map { $0.json } == [
            ["CommandId": "c-1", "Details": true, "MaxResults": 1],
            ["CommandId": "c-1", "Details": true, "MaxResults": 1, "NextToken": "p2"],
        ])

        try ssm.cancelCommand(commandID: "c-1", instanceIDs: ["i-2"])
        #expect(stub.requests.last?.jsonOperation == "CancelCommand")
        #expect(stub.requests.last?.json == ["CommandId": "c-1", "InstanceIds": ["i-2"]])
    }
}

/// GetCommandInvocation answers read from sample bodies.
@Suite struct SSMParsingTests {
    @Test func readsAnInvocationWithMissingFields() throws {
        let invocation = SSM.invocation(try JSON(parsing: Array(#"{"CommandId":"c","InstanceId":"i","Status":"Delayed"}"#.utf8)))
        #expect(invocation == SSM.Invocation(commandID: "c", instanceID: "i", status: "Delayed"))
        #expect(!invocation.isFinished)
        #expect(SSM.Invocation.finalStatuses == ["Success", "Failed", "TimedOut", "Cancelled"])
        let timedOut = SSM.invocation(try JSON(parsing: Array(#"{"Status":"TimedOut","StatusDetails":"DeliveryTimedOut","ResponseCode":-1,"StandardErrorContent":""}"#.utf8)))
        #expect(timedOut.isFinished && timedOut.statusDetails == "DeliveryTimedOut" && timedOut.responseCode == nil)
    }
}
