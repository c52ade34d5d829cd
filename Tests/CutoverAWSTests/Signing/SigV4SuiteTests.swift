@testable import CutoverAWS
import Foundation
import Testing

/// The signer against AWS's published SigV4 test suite (see SigV4SuiteVectors.swift).
@Suite struct SigV4SuiteTests {
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    /// The vector's request without what the signer adds, and the headers it expects.
    static func parse(_ vector: SigV4SuiteVector) -> (request: HTTPRequest, expected: HTTPHeaders) {
        let text = vector.signedRequest
        let split = text.range(of: "\n\n")!
        let head = text[..<split.lowerBound].split(separator: "\n").map(String.init)
        let body = Array(text[split.upperBound...].utf8)
        let requestLine = head[0]
        let method = String(requestLine.prefix { $0 != " " })
        let target = String(requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
        let path = String(target.prefix { $0 != "?" })
        var query: [QueryItem] = []
        if let mark = target.firstIndex(of: "?") {
            for pair in target[target.index(after: mark)...].split(separator: "&") {
                let name = pair.prefix { $0 != "=" }
                let value = pair.dropFirst(name.count + 1)
                query.append(QueryItem(URIEncoding.decode(String(name)), URIEncoding.decode(String(value))))
            }
        }
        var headers = HTTPHeaders()
        var expected = HTTPHeaders()
        let added: Set<String> = ["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"]
        for line in head.dropFirst() {
            let colon = line.firstIndex(of: ":")!
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...])
            if added.contains(name.lowercased()) { expected.add(name, value) } else { headers.add(name, value) }
        }
        let request = HTTPRequest(method: method, host: "example.amazonaws.com", path: path, query: query, headers: headers, body: body)
        return (request, expected)
    }

    static func signer(for vector: SigV4SuiteVector, request: HTTPRequest, expected: HTTPHeaders) -> SigV4Signer {
        let credentials = AWSCredentials(accessKeyID: Self.credentials.accessKeyID, secretAccessKey: Self.credentials.secretAccessKey,
                                         sessionToken: vector.sessionToken)
        let options = SigV4Signer.Options(normalizesPath: vector.normalize, encodesPathAgain: true,
                                          addsContentHashHeader: expected.contains("x-amz-content-sha256"),
                                          payload: vector.unsignedPayload ? .unsigned : .hashed)
        return SigV4Signer(credentials: credentials, region: "us-east-1", service: "service", options: options)
    }

    @Test(arguments: sigV4SuiteVectors)
    func signsLikeTheSuite(vector: SigV4SuiteVector) {
        var (request, expected) = Self.parse(vector)
        Self.signer(for: vector, request: request, expected: expected).sign(&request, at: Self.date)
        for field in expected {
            #expect(request.headers[field.name] == field.value, "\(vector.name): \(field.name)")
        }
    }

    @Test func buildsTheSuitesCanonicalRequestForAnUnsignedPayload() {
        let vector = sigV4SuiteVectors.first { $0.name == "post-unsigned-payload" }!
        var (request, expected) = Self.parse(vector)
        let signer = Self.signer(for: vector, request: request, expected: expected)
        signer.sign(&request, at: Self.date)
        #expect(signer.signature(for: request, at: Self.date).canonicalRequest == postUnsignedPayloadCanonicalRequest)
    }

    /// AWS's documented signing-key example (the IAM "deriving the signing key" page):
    /// secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam.
    @Test func derivesTheDocumentedSigningKey() {
        let key = SigV4Signer.signingKey(secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", day: "20120215",
                                         region: "us-east-1", service: "iam")
        #expect(Digest.hex(key) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }

    @Test func stringToSignHasTheAlgorithmTimeScopeAndHash() {
        var (request, expected) = Self.parse(sigV4SuiteVectors[0])
        let signer = Self.signer(for: sigV4SuiteVectors[0], request: request, expected: expected)
        signer.sign(&request, at: Self.date)
        let lines = signer.signature(for: request, at: Self.date).stringToSign.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0] == "AWS4-HMAC-SHA256")
        #expect(lines[1] == "20150830T123600Z")
        #expect(lines[2] == "20150830/us-east-1/service/aws4_request")
    }
}

/// S3's own signing rules, against the worked examples of AWS's S3 documentation
/// ("Signature Calculations for the Authorization Header: Transferring Payload in a
/// Single Chunk": examplebucket, AKIAIOSFODNN7EXAMPLE, 2013-05-24).
@Suite struct S3SigningTests {
    static let date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
    static let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "s3", options: .s3)

    func signature(_ request: HTTPRequest) -> String {
        var request = request
        Self.signer.sign(&request, at: Self.date)
        return request.headers["Authorization"]!
    }

    @Test func getObjectWithARange() {
        let auth = signature(HTTPRequest(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
                                         headers: ["Range": "bytes=0-9"]))
        #expect(auth == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    /// The key `test$file.text` is sent as `/test%24file.text` and signed as sent:
    /// S3 does not encode the path a second time.
    @Test func putObjectSignsThePathOnceEncoded() {
        let auth = signature(HTTPRequest(
            method: "PUT", host: "examplebucket.s3.amazonaws.com", path: "/" + URIEncoding.encode("test$file.text", keepSlash: true),
            headers: ["Date": "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY"],
            body: Array("Welcome to Amazon S3.".utf8)))
        #expect(auth.hasSuffix("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
            + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"))
    }

    @Test func getBucketLifecycleWithAnEmptyQueryValue() {
        let auth = signature(HTTPRequest(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/",
                                         query: [QueryItem("lifecycle", "")]))
        #expect(auth.hasSuffix("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"))
    }

    @Test func listObjectsWithSortedQueryParameters() {
        let auth = signature(HTTPRequest(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/",
                                         query: [QueryItem("max-keys", "2"), QueryItem("prefix", "J")]))
        #expect(auth.hasSuffix("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"))
    }

    @Test func sendsThePayloadHashAndCanLeaveThePayloadUnsigned() {
        var request = HTTPRequest(method: "PUT", host: "b.s3.amazonaws.com", path: "/k", body: Array("x".utf8))
        var unsigned = SigV4Signer(credentials: Self.signer.credentials, region: "us-east-1", service: "s3", options: .s3)
        unsigned.options.payload = .unsigned
        unsigned.sign(&request, at: Self.date)
        #expect(request.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD")
        #expect(unsigned.signature(for: request, at: Self.date).canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
    }

    /// A key with a space and non-ASCII letters: one encoding on the wire and in the
    /// signature for S3; two in the signature for every other service.
    @Test func encodesS3PathsOnceAndOtherServicesTwice() {
        let path = "/bucket/" + URIEncoding.encode("my dir/ünï €.bin", keepSlash: true)
        #expect(path == "/bucket/my%20dir/%C3%BCn%C3%AF%20%E2%82%AC.bin")
        let request = HTTPRequest(method: "GET", host: "h", path: path)
        let s3 = Self.signer.canonicalRequest(request, payloadHash: "x").0.split(separator: "\n")[1]
        #expect(s3 == "/bucket/my%20dir/%C3%BCn%C3%AF%20%E2%82%AC.bin")
        let other = SigV4Signer(credentials: Self.signer.credentials, region: "us-east-1", service: "lambda")
        #expect(other.canonicalRequest(request, payloadHash: "x").0.split(separator: "\n")[1]
            == "/bucket/my%2520dir/%25C3%25BCn%25C3%25AF%2520%25E2%2582%25AC.bin")
    }

    @Test func s3DoesNotNormalizeDotSegments() {
        let request = HTTPRequest(method: "GET", host: "h", path: "/bucket/a/../b//c")
        #expect(Self.signer.canonicalRequest(request, payloadHash: "x").0.split(separator: "\n")[1] == "/bucket/a/../b//c")
    }
}
