import Foundation

/// S3: revision bundles in and out.
///
/// Buckets are addressed virtual-hosted style (`bucket.s3.region.amazonaws.com`) on
/// AWS when the name allows it, and path style (`endpoint/bucket/key`) on a configured
/// endpoint (emulators) or for names with dots or capitals.
public struct S3: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) { self.client = client }

    /// Creates `bucket` in the client's region.
    public func createBucket(_ bucket: String) throws {
        let region = client.configuration.region
        // us-east-1 takes no location constraint (and refuses one).
        let body = region == "us-east-1" ? "" :
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>"
        let (path, host) = try address(bucket, key: nil)
        _ = try client.rest(AWSOperation(.s3, "CreateBucket"), method: "PUT", path: path, body: Array(body.utf8),
                            contentType: body.isEmpty ? nil : "application/xml", hostPrefix: host)
    }

    /// Stores `body` under `key`; returns the ETag (the MD5 for single-part uploads).
    /// Idempotent: storing the same bytes twice leaves the same object.
    @discardableResult
    public func putObject(bucket: String, key: String, body: [UInt8], contentType: String = "application/octet-stream") throws -> String? {
        let (path, host) = try address(bucket, key: key)
        let response = try client.rest(AWSOperation(.s3, "PutObject", idempotent: true), method: "PUT", path: path,
                                       body: body, contentType: contentType, hostPrefix: host)
        return response.headers["ETag"].map { $0.trimmingCharacters(in: ["\""]) }
    }

    /// The bytes stored under `key`.
    public func getObject(bucket: String, key: String) throws -> [UInt8] {
        let (path, host) = try address(bucket, key: key)
        return try client.rest(AWSOperation(.s3, "GetObject"), method: "GET", path: path, hostPrefix: host).body
    }

    /// What HeadObject says of an object.
    public struct ObjectHead: Sendable, Equatable {
        public var contentLength: Int?
        /// The MD5 in hex for a single-part upload, without quotes.
        public var etag: String?
        public var contentType: String?
        public var lastModified: String?

        public init(contentLength: Int? = nil, etag: String? = nil, contentType: String? = nil, lastModified: String? = nil) {
            self.contentLength = contentLength
            self.etag = etag
            self.contentType = contentType
            self.lastModified = lastModified
        }
    }

    /// The size, ETag and type of the object under `key`, or nil when there is none. A
    /// read. A HEAD answer has no body, so a missing bucket is nil too, and a refusal
    /// is an error whose code comes from the status (`Forbidden`, which is also what
    /// S3 answers for a missing key to a caller without s3:ListBucket).
    public func headObject(bucket: String, key: String) throws -> ObjectHead? {
        let (path, host) = try address(bucket, key: key)
        switch Result(catching: { try client.rest(AWSOperation(.s3, "HeadObject"), method: "HEAD", path: path, hostPrefix: host) }) {
        case .success(let response):
            return ObjectHead(contentLength: response.headers["Content-Length"].flatMap { Int($0) },
                              etag: response.headers["ETag"].map { $0.trimmingCharacters(in: ["\""]) },
                              contentType: response.headers["Content-Type"], lastModified: response.headers["Last-Modified"])
        case .failure(let error as AWSError) where error.status == 404:
            return nil
        case .failure(let error):
            throw error
        }
    }

    /// Uploads the file at `path` (a revision bundle) in one PutObject, with its SHA-256
    /// as `x-amz-checksum-sha256` so S3 refuses bytes changed on the way; returns the
    /// ETag (a file that cannot be read throws Foundation's error). One PUT takes up to 5 GB; bundles are far smaller. The content type
    /// follows the extension (`.zip`, `.tar`, `.tgz`/`.tar.gz`). Idempotent as `putObject`.
    @discardableResult
    public func uploadFile(_ path: String, bucket: String, key: String) throws -> String? {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))  // Foundation's error names the file
        let body = [UInt8](data)
        let (urlPath, host) = try address(bucket, key: key)
        let checksum = Data(Digest.sha256(body)).base64EncodedString()
        let response = try client.rest(AWSOperation(.s3, "PutObject", idempotent: true), method: "PUT", path: urlPath,
                                       headers: ["x-amz-checksum-sha256": checksum], body: body,
                                       contentType: Self.contentType(forFile: path), hostPrefix: host)
        return response.headers["ETag"].map { $0.trimmingCharacters(in: ["\""]) }
    }

    /// The content type of a bundle by its name.
    static func contentType(forFile path: String) -> String {
        let name = path.lowercased()
        if name.hasSuffix(".zip") { return "application/zip" }
        if name.hasSuffix(".tar") { return "application/x-tar" }
        if name.hasSuffix(".tgz") || name.hasSuffix(".tar.gz") { return "application/gzip" }
        return "application/octet-stream"
    }

    /// A URL that fetches `key` with a plain GET (`curl -fsSo bundle.zip "$URL"` on an
    /// instance, which needs no credentials of its own) until `expires` has passed
    /// (1 second to 7 days). SigV4 query signing, dated by the client's clock; with
    /// temporary credentials the URL dies with them, whatever `expires` says.
    public func presignedGetURL(bucket: String, key: String, expires: Duration) throws -> String {
        let endpoint = try client.configuration.endpoint(for: .s3)
        let (path, host) = try address(bucket, key: key)
        let request = HTTPRequest(method: "GET", scheme: endpoint.scheme, host: host + endpoint.host, port: endpoint.port,
                                  path: endpoint.basePath + path)
        let signer = SigV4Signer(credentials: client.configuration.credentials, region: endpoint.signingRegion,
                                 service: AWSService.s3.signingName, options: .s3)
        return signer.presign(request, at: client.now(), expires: Int(expires.components.seconds)).url
    }

    /// The path and host prefix of `bucket` (and `key`), encoded once: S3 signs the
    /// path as it is sent.
    func address(_ bucket: String, key: String?) throws -> (path: String, hostPrefix: String) {
        let endpoint = try client.configuration.endpoint(for: .s3)
        let keyPath = key.map { "/" + URIEncoding.encode($0, keepSlash: true) } ?? "/"
        if !endpoint.isCustom && Self.isVirtualHostable(bucket) {
            return (keyPath, bucket + ".")
        }
        return ("/" + URIEncoding.encode(bucket) + (key == nil ? "" : keyPath), "")
    }

    /// Lowercase letters, digits and hyphens, 3 to 63 long, starting and ending with a
    /// letter or digit: a valid DNS label under the S3 host (no dots, which TLS
    /// wildcard certificates would not cover).
    static func isVirtualHostable(_ bucket: String) -> Bool {
        guard (3...63).contains(bucket.count), let first = bucket.first, let last = bucket.last,
              first.isLetter || first.isNumber, last.isLetter || last.isNumber else { return false }
        return bucket.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}
