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
