@testable import CutoverAWS
import Foundation
import Testing

/// The signer against python's botocore (the AWS CLI's signer) on requests shaped like
/// Cutover's: query and JSON POSTs, a Lambda path that gets encoded twice, S3 keys with
/// spaces and non-ASCII letters, a session token, an unsigned S3 payload. Needs
/// `python3` with botocore (scripts/bootstrap installs moto[server], which brings it);
/// without them the test fails and says so.
@Suite struct BotocoreCrossCheckTests {
    struct Case {
        let service: AWSService
        let region: String
        var request: HTTPRequest
        var token: String?
        var unsignedPayload = false
    }

    static let date = Date(timeIntervalSince1970: 1_764_331_200)  // 2025-11-28T12:00:00Z

    static let cases: [Case] = [
        Case(service: .sts, region: "us-east-1", request: HTTPRequest(
            method: "POST", host: "sts.us-east-1.amazonaws.com", path: "/",
            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
            body: Array("Action=GetCallerIdentity&Version=2011-06-15".utf8)), token: "FQoGZXIvYXdzEJr//////////token+/="),
        Case(service: .ecs, region: "eu-west-1", request: HTTPRequest(
            method: "POST", host: "ecs.eu-west-1.amazonaws.com", path: "/",
            headers: ["Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.DescribeServices"],
            body: Array(#"{"cluster":"c","services":["web"]}"#.utf8))),
        Case(service: .ec2, region: "ap-southeast-2", request: HTTPRequest(
            method: "POST", scheme: "http", host: "127.0.0.1", port: 5055, path: "/",
            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
            body: Array("Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3Aenv&Filter.1.Value.1=prod%20eu".utf8))),
        Case(service: .lambda, region: "us-west-2", request: HTTPRequest(
            method: "GET", host: "lambda.us-west-2.amazonaws.com",
            path: URIEncoding.path("2015-03-31", "functions", "arn:aws:lambda:us-west-2:1:function:f", "aliases", "live"),
            query: [QueryItem("Qualifier", "a b"), QueryItem("Marker", "x/y+z")])),
        Case(service: .s3, region: "us-east-1", request: HTTPRequest(
            method: "PUT", scheme: "http", host: "127.0.0.1", port: 9000,
            path: "/bundles/" + URIEncoding.encode("shop/v2 rélease ☃+$.zip", keepSlash: true),
            headers: ["Content-Type": "application/octet-stream"], body: [0, 1, 2, 255, 254, 10, 13])),
        Case(service: .s3, region: "eu-central-1", request: HTTPRequest(
            method: "GET", host: "bundles.s3.eu-central-1.amazonaws.com", path: "/",
            query: [QueryItem("list-type", "2"), QueryItem("prefix", "shop/v2 ü")])),
        Case(service: .s3, region: "us-east-1", request: HTTPRequest(
            method: "PUT", host: "bundles.s3.us-east-1.amazonaws.com", path: "/big.zip",
            headers: ["Content-Type": "application/zip"], body: Array(repeating: 7, count: 1000)), unsignedPayload: true),
    ]

    /// Signs every case with botocore's SigV4Auth (S3SigV4Auth for S3) at the same
    /// instant and returns each Authorization header.
    static let script = #"""
        import base64, datetime, json, sys
        from unittest import mock
        import botocore.auth
        from botocore.awsrequest import AWSRequest
        from botocore.config import Config
        from botocore.credentials import Credentials
        out = []
        for case in json.load(sys.stdin):
            request = AWSRequest(method=case["method"], url=case["url"], headers=case["headers"],
                                 data=base64.b64decode(case["body"]))
            if case["unsigned"]:
                request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
            credentials = Credentials(case["key"], case["secret"], case["token"])
            kind = botocore.auth.S3SigV4Auth if case["service"] == "s3" else botocore.auth.SigV4Auth
            moment = datetime.datetime.fromtimestamp(case["time"], datetime.timezone.utc).replace(tzinfo=None)
            with mock.patch("botocore.auth.get_current_datetime", return_value=moment):
                kind(credentials, case["service"], case["region"]).add_auth(request)
            out.append({"authorization": request.headers["Authorization"],
                        "content_sha256": request.headers.get("X-Amz-Content-SHA256")})
        json.dump(out, sys.stdout)
        """#

    @Test func signaturesMatchBotocore() throws {
        let credentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        var input: [[String: Any]] = []
        var ours: [HTTPRequest] = []
        for c in Self.cases {
            var options: SigV4Signer.Options = c.service == .s3 ? .s3 : .standard
            if c.unsignedPayload { options.payload = .unsigned }
            let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: credentials.accessKeyID,
                                                                 secretAccessKey: credentials.secretAccessKey, sessionToken: c.token),
                                     region: c.region, service: c.service.signingName, options: options)
            var request = c.request
            signer.sign(&request, at: Self.date)
            ours.append(request)
            var headers: [String: String] = [:]
            for field in c.request.headers { headers[field.name] = field.value }
            input.append(["method": c.request.method, "url": c.request.url, "headers": headers,
                          "body": Data(c.request.body).base64EncodedString(), "unsigned": c.unsignedPayload,
                          "key": credentials.accessKeyID, "secret": credentials.secretAccessKey, "token": c.token as Any,
                          "service": c.service.signingName, "region": c.region, "time": Self.date.timeIntervalSince1970])
        }
        let output = try Self.runPython(Self.script, input: JSONSerialization.data(withJSONObject: input))
        let theirs = try #require(JSONSerialization.jsonObject(with: output) as? [[String: Any]])
        try #require(theirs.count == ours.count)
        for (i, (mine, answer)) in zip(ours, theirs).enumerated() {
            #expect(mine.headers["Authorization"] == answer["authorization"] as? String, "case \(i): \(mine.method) \(mine.url)")
            if let hash = answer["content_sha256"] as? String {
                #expect(mine.headers["x-amz-content-sha256"] == hash, "case \(i)")
            }
        }
    }

    /// Runs `python3 -c script` with `input` on standard input; throws with a clear
    /// message when python3 or botocore is missing or the script fails.
    static func runPython(_ script: String, input: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw CrossCheckError("could not start python3 (needed to cross-check signatures with botocore): \(error)")
        }
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let hint = errors.contains("No module named") ? " (install botocore: scripts/bootstrap installs moto[server], which brings it)" : ""
            throw CrossCheckError("python3 with botocore failed, exit status \(process.terminationStatus)\(hint):\n\(errors)")
        }
        return output
    }

    struct CrossCheckError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
