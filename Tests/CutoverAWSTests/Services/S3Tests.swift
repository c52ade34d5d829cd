@testable import CutoverAWS
import Foundation
import MotoHarness
import Testing

/// Presigned GET URLs (SigV4 in the query string) against AWS's documented example and
/// botocore, and an upload's request, with no server. moto cannot check presigned
/// signatures: in its auth mode every presigned GET is a 500 (`KeyError:
/// 'HTTP_AUTHORIZATION'` in its log), so these two are the oracles.
@Suite struct S3RequestTests {
    /// AWS's worked example ("Authenticating Requests: Using Query Parameters", the S3
    /// API reference): GET examplebucket/test.txt on 24 May 2013, valid 86400 s.
    @Test func matchesAWSsDocumentedExample() {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
                                                             secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                                 region: "us-east-1", service: "s3", options: .s3)
        let request = HTTPRequest(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt")
        let presigned = signer.presign(request, at: Date(timeIntervalSince1970: 1_369_353_600), expires: 86_400)
        #expect(presigned.url == "https://examplebucket.s3.amazonaws.com/test.txt"
            + "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        #expect(presigned.headers.fields.map(\.name) == ["Host"], "only the host is signed")
    }

    /// `S3.presignedGetURL` against botocore's S3SigV4QueryAuth: virtual-hosted and
    /// path-style addresses, keys that need encoding, a session token.
    @Test func matchesBotocore() throws {
        let date = Date(timeIntervalSince1970: 1_764_331_200)  // 2025-11-28T12:00:00Z
        struct Case { let environment: [String: String]; let bucket: String; let key: String; let token: String? }
        let cases = [
            Case(environment: ["AWS_REGION": "eu-west-1"], bucket: "cutover-bundles", key: "shop/v2 rélease ☃+$.zip", token: nil),
            Case(environment: ["AWS_REGION": "us-east-1"], bucket: "cutover-bundles", key: "shop/v2.tgz", token: "FQoGZXIvYXdzEJr//////////token+/="),
            Case(environment: ["AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:5055"], bucket: "bundles", key: "a b/c.zip", token: nil),
            Case(environment: ["AWS_REGION": "ap-southeast-2"], bucket: "Dotted.Bucket.Name", key: "x.zip", token: nil),
        ]
        var input: [[String: Any]] = []
        var ours: [String] = []
        for c in cases {
            let credentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                             sessionToken: c.token)
            let configuration = AWSConfiguration(credentials: credentials, region: c.environment["AWS_REGION"]!,
                                                 endpoints: EndpointSettings(environment: c.environment))
            let s3 = S3(AWSClient(configuration: configuration, transport: FakeTransport([]), now: { date }))
            let url = try s3.presignedGetURL(bucket: c.bucket, key: c.key, expires: .seconds(900))
            ours.append(url)
            let unsigned = url.components(separatedBy: "?X-Amz-Algorithm")[0]
            input.append(["url": unsigned, "region": c.environment["AWS_REGION"]!, "token": c.token as Any,
                          "key": credentials.accessKeyID, "secret": credentials.secretAccessKey, "time": date.timeIntervalSince1970])
        }
        let script = #"""
            import datetime, json, sys
            from unittest import mock
            import botocore.auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            out = []
            for case in json.load(sys.stdin):
                request = AWSRequest(method="GET", url=case["url"])
                moment = datetime.datetime.fromtimestamp(case["time"], datetime.timezone.utc).replace(tzinfo=None)
                with mock.patch("botocore.auth.get_current_datetime", return_value=moment):
                    botocore.auth.S3SigV4QueryAuth(Credentials(case["key"], case["secret"], case["token"]), "s3",
                                                   case["region"], expires=900).add_auth(request)
                out.append(request.url)
            json.dump(out, sys.stdout)
            """#
        let output = try BotocoreCrossCheckTests.runPython(script, input: JSONSerialization.data(withJSONObject: input))
        let theirs = try #require(JSONSerialization.jsonObject(with: output) as? [String])
        try #require(theirs.count == ours.count)
        for (mine, answer) in zip(ours, theirs) {
            // The same signature over the same path and parameters (botocore orders them otherwise).
            #expect(Self.parameters(mine) == Self.parameters(answer), "\(mine)\n\(answer)")
            #expect(mine.components(separatedBy: "?")[0] == answer.components(separatedBy: "?")[0])
        }
        #expect(ours[1].contains("X-Amz-Security-Token=FQoGZXIvYXdzEJr%2F%2F%2F%2F%2F%2F%2F%2F%2F%2Ftoken%2B%2F%3D"))
        #expect(ours[0].hasPrefix("https://cutover-bundles.s3.eu-west-1.amazonaws.com/shop/v2%20r%C3%A9lease%20%E2%98%83%2B%24.zip?"))
        #expect(ours[2].hasPrefix("http://127.0.0.1:5055/bundles/a%20b/c.zip?"))
        #expect(ours[3].hasPrefix("https://s3.ap-southeast-2.amazonaws.com/Dotted.Bucket.Name/x.zip?"))
    }

    static func parameters(_ url: String) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in (url.components(separatedBy: "?").last ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { URIEncoding.decode(String($0)) }
            parameters[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return parameters
    }

    /// The checksum S3 verifies (moto does not: a wrong one is stored all the same).
    @Test func anUploadCarriesItsSHA256() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("shop.tgz", "hello")
        let transport = FakeTransport([.success(HTTPResponse(status: 200, headers: ["ETag": "\"5d41402abc4b2a76b9719d911017c592\""]))])
        let s3 = S3(AWSClient(configuration: .testing(), transport: transport, retryPolicy: .none))
        #expect(try s3.uploadFile(path, bucket: "cutover-bundles", key: "shop/v2.tgz") == "5d41402abc4b2a76b9719d911017c592")
        let request = try #require(transport.requests.first)
        #expect(request.method == "PUT" && request.url == "https://cutover-bundles.s3.us-east-1.amazonaws.com/shop/v2.tgz")
        #expect(request.headers["x-amz-checksum-sha256"] == "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=")
        #expect(request.headers["Content-Type"] == "application/gzip")
        #expect(request.headers["Authorization"]?.contains("x-amz-checksum-sha256") == true, "the checksum is signed")
        #expect(request.body == Array("hello".utf8))
    }

    @Test func bundlesGetTheirContentType() {
        #expect(S3.contentType(forFile: "/tmp/shop-v2.zip") == "application/zip")
        #expect(S3.contentType(forFile: "shop.TAR") == "application/x-tar")
        #expect(S3.contentType(forFile: "shop.tar.gz") == "application/gzip")
        #expect(S3.contentType(forFile: "shop.tgz") == "application/gzip")
        #expect(S3.contentType(forFile: "shop.bin") == "application/octet-stream")
    }
}

/// Revision bundles against moto: uploaded from a file, found by HeadObject, fetched by
/// `curl` through a presigned URL as an instance would. One server for the suite.
@Suite(.moto, .serialized)
struct S3MotoTests {
    let moto: MotoServer
    let client: AWSClient
    let s3: S3

    init() throws {
        moto = try #require(MotoServer.current, "the suite's .moto trait starts the server")
        try moto.reset()
        client = try AWSClient.testing(endpoint: moto.endpoint)
        s3 = S3(client)
    }

    /// `curl -fsS -o FILE URL`: its exit status, the file's bytes and its error output.
    static func curl(_ url: String, to directory: TemporaryDirectory) throws -> (status: Int32, body: [UInt8], errors: String) {
        let output = directory.path + "/fetched-\(UUID().uuidString)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "-fsS", "--max-time", "20", "-o", output, url]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let body = FileManager.default.contents(atPath: output).map { [UInt8]($0) } ?? []
        return (process.terminationStatus, body, text)
    }

    @Test func uploadsABundleAndFetchesItWithAPresignedURL() throws {
        let directory = try TemporaryDirectory()
        var bundle = Array("PK\u{3}\u{4}".utf8)
        var state: UInt32 = 2_463_534_242
        for _ in 0..<200_000 {  // xorshift bytes: 200 KB that do not compress
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            bundle.append(UInt8(truncatingIfNeeded: state))
        }
        let path = directory.path + "/shop-v2.zip"
        try Data(bundle).write(to: URL(fileURLWithPath: path))

        try s3.createBucket("cutover-bundles")
        let key = "releases/shop v2/bündle+1.zip"
        let etag = try s3.uploadFile(path, bucket: "cutover-bundles", key: key)
        #expect(etag?.count == 32)

        let head = try #require(try s3.headObject(bucket: "cutover-bundles", key: key))
        #expect(head.contentLength == bundle.count)
        #expect(head.contentType == "application/zip")
        #expect(head.etag == etag)
        #expect(head.lastModified != nil)

        let url = try s3.presignedGetURL(bucket: "cutover-bundles", key: key, expires: .seconds(600))
        #expect(url.hasPrefix("\(moto.endpoint)/cutover-bundles/releases/shop%20v2/b%C3%BCndle%2B1.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256&"))
        #expect(url.contains("&X-Amz-Expires=600&"))
        let clock = ContinuousClock()
        var fetched: (status: Int32, body: [UInt8], errors: String) = (0, [], "")
        let elapsed = try clock.measure { fetched = try Self.curl(url, to: directory) }
        print("presigned GET of a 200 KB bundle from moto with curl: \(elapsed)")
        #expect(fetched.status == 0, "\(fetched.errors)")
        #expect(fetched.body == bundle)
    }

    @Test func headOfAMissingObjectIsNil() throws {
        try s3.createBucket("cutover-bundles")
        #expect(try s3.headObject(bucket: "cutover-bundles", key: "nothing here.zip") == nil)
        #expect(try s3.headObject(bucket: "no-such-bucket", key: "x.zip") == nil)
    }

    @Test func aFileThatCannotBeReadIsNotUploaded() throws {
        try s3.createBucket("cutover-bundles")
        #expect(throws: (any Error).self) { try s3.uploadFile("/nonexistent/shop.zip", bucket: "cutover-bundles", key: "shop.zip") }
        #expect(try s3.headObject(bucket: "cutover-bundles", key: "shop.zip") == nil)
    }
}
