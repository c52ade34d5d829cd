import Foundation

/// AWS Signature Version 4 for requests signed in the Authorization header.
///
/// The steps, as AWS documents them:
/// 1. the canonical request: method, canonical URI, canonical query string, canonical
///    headers, signed header names and the payload hash, one per line;
/// 2. the string to sign: `AWS4-HMAC-SHA256`, the time (`20150830T123600Z`), the scope
///    (`20150830/us-east-1/sts/aws4_request`) and the canonical request's SHA-256;
/// 3. the signing key: HMAC-SHA-256 chained over `"AWS4" + secret`, the day, the
///    region, the service and `aws4_request`;
/// 4. the signature: the hex HMAC of the string to sign under that key.
///
/// Every service but S3 normalizes the path (dot segments and empty segments removed)
/// and encodes the already encoded path a second time (`%20` becomes `%2520`); S3 does
/// neither, and wants the payload hash in an `x-amz-content-sha256` header.
public struct SigV4Signer: Sendable {
    /// How the payload enters the signature.
    public enum Payload: Sendable, Equatable {
        /// The SHA-256 of the body.
        case hashed
        /// The literal `UNSIGNED-PAYLOAD` (S3 over HTTPS, to avoid hashing large bodies).
        case unsigned
    }

    public struct Options: Sendable, Equatable {
        /// Remove `.` and `..` segments and empty segments before encoding (not S3).
        public var normalizesPath: Bool
        /// Percent-encode the wire path once more in the canonical URI (not S3).
        public var encodesPathAgain: Bool
        /// Send the payload hash as `x-amz-content-sha256` (S3 requires it).
        public var addsContentHashHeader: Bool
        public var payload: Payload

        public init(normalizesPath: Bool = true, encodesPathAgain: Bool = true,
                    addsContentHashHeader: Bool = false, payload: Payload = .hashed) {
            self.normalizesPath = normalizesPath
            self.encodesPathAgain = encodesPathAgain
            self.addsContentHashHeader = addsContentHashHeader
            self.payload = payload
        }

        /// Every service but S3.
        public static let standard = Options()
        /// S3: the path as sent, the payload hash in a header.
        public static let s3 = Options(normalizesPath: false, encodesPathAgain: false, addsContentHashHeader: true)
    }

    /// The intermediate results, for tests and for debugging a SignatureDoesNotMatch.
    public struct Signature: Sendable, Equatable {
        public let canonicalRequest: String
        public let stringToSign: String
        public let signedHeaders: String
        public let signature: String
        public let authorization: String
    }

    public static let algorithm = "AWS4-HMAC-SHA256"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// Headers that proxies and clients change on the way, which AWS's SDKs never sign.
    static let unsignedHeaders: Set<String> = ["authorization", "user-agent", "expect", "x-amzn-trace-id", "transfer-encoding"]

    public var credentials: AWSCredentials
    public var region: String
    /// The signing name: `ec2`, `elasticloadbalancing`, `monitoring`, `s3`…
    public var service: String
    public var options: Options

    public init(credentials: AWSCredentials, region: String, service: String, options: Options = .standard) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.options = options
    }

    /// Signs `request` in place: adds Host (when missing), X-Amz-Date,
    /// X-Amz-Security-Token (temporary credentials), x-amz-content-sha256 (S3) and
    /// Authorization. Every header present is signed, except `unsignedHeaders`.
    public func sign(_ request: inout HTTPRequest, at date: Date) {
        let time = Self.timestamp(date)
        if !request.headers.contains("host") { request.headers.add("Host", request.authority) }
        request.headers.set("X-Amz-Date", time.full)
        if let token = credentials.sessionToken { request.headers.set("X-Amz-Security-Token", token) }
        let hash = payloadHash(request.body)
        if options.addsContentHashHeader { request.headers.set("x-amz-content-sha256", hash) }
        request.headers.set("Authorization", signature(for: request, at: date).authorization)
    }

    /// The signature of `request` as it is (its X-Amz-Date header is not read: `date` is).
    public func signature(for request: HTTPRequest, at date: Date) -> Signature {
        let time = Self.timestamp(date)
        let (canonical, signedHeaders) = canonicalRequest(request, payloadHash: payloadHash(request.body))
        let scope = "\(time.day)/\(region)/\(service)/aws4_request"
        let stringToSign = [Self.algorithm, time.full, scope, Digest.sha256Hex(Array(canonical.utf8))].joined(separator: "\n")
        let key = Self.signingKey(secret: credentials.secretAccessKey, day: time.day, region: region, service: service)
        let signature = Digest.hex(Digest.hmacSHA256(key: key, Array(stringToSign.utf8)))
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(canonicalRequest: canonical, stringToSign: stringToSign, signedHeaders: signedHeaders,
                         signature: signature, authorization: authorization)
    }

    /// The canonical request and the signed header names (`host;x-amz-date`).
    public func canonicalRequest(_ request: HTTPRequest, payloadHash: String) -> (String, String) {
        var groups: [String: [String]] = [:]
        for field in request.headers {
            let name = field.name.lowercased()
            guard !Self.unsignedHeaders.contains(name) else { continue }
            groups[name, default: []].append(Self.canonicalValue(field.value))
        }
        let names = groups.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let headerLines = names.map { "\($0):\(groups[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let lines = [
            request.method.uppercased(),
            canonicalURI(request.path),
            Self.canonicalQuery(request.query),
            headerLines,
            signedHeaders,
            payloadHash,
        ]
        return (lines.joined(separator: "\n"), signedHeaders)
    }

    func payloadHash(_ body: [UInt8]) -> String {
        options.payload == .unsigned ? Self.unsignedPayload : Digest.sha256Hex(body)
    }

    func canonicalURI(_ path: String) -> String {
        var path = path.isEmpty ? "/" : path
        if options.normalizesPath { path = Self.removingDotSegments(path) }
        return options.encodesPathAgain ? URIEncoding.encode(path, keepSlash: true) : path
    }

    /// RFC 3986's dot-segment removal, also dropping empty segments (`//`) as AWS
    /// services expect; a trailing slash stays when anything is left before it.
    static func removingDotSegments(_ path: String) -> String {
        var kept: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !kept.isEmpty { kept.removeLast() }
            default: kept.append(segment)
            }
        }
        let trailing = path.hasSuffix("/") && !kept.isEmpty ? "/" : ""
        return "/" + kept.joined(separator: "/") + trailing
    }

    /// Each name and value encoded, sorted by name then value (by bytes).
    static func canonicalQuery(_ items: [QueryItem]) -> String {
        items.map { (URIEncoding.encode($0.name), URIEncoding.encode($0.value)) }
            .sorted { a, b in a.0 == b.0 ? a.1.utf8.lexicographicallyPrecedes(b.1.utf8) : a.0.utf8.lexicographicallyPrecedes(b.0.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Trimmed, with runs of whitespace (folded lines included) made one space.
    static func canonicalValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }

    /// The signing key for one day, region and service.
    public static func signingKey(secret: String, day: String, region: String, service: String) -> [UInt8] {
        var key = Array(("AWS4" + secret).utf8)
        for part in [day, region, service, "aws4_request"] {
            key = Digest.hmacSHA256(key: key, Array(part.utf8))
        }
        return key
    }

    /// `20150830T123600Z` and `20150830`, in UTC.
    static func timestamp(_ date: Date) -> (full: String, day: String) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let day = String(format: "%04d%02d%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
        return (day + String(format: "T%02d%02d%02dZ", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec)), day)
    }
}
