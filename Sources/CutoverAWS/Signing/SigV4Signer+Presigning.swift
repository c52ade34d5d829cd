import Foundation

/// SigV4 in the query string ("presigned" URLs): the signature travels in the URL, so
/// anything that can make a GET (curl on an instance) can fetch one object until the
/// URL expires, with no credentials of its own.
extension SigV4Signer {
    /// The longest a presigned URL may live: seven days.
    public static let maximumExpiry = 604_800

    /// `request` with the signature in its query: `X-Amz-Algorithm`,
    /// `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires` (seconds, 1 to 604800),
    /// `X-Amz-SignedHeaders`, the session token when there is one, then
    /// `X-Amz-Signature`. Only the Host header is signed, and the payload is
    /// `UNSIGNED-PAYLOAD`, so the URL alone is the whole request (its `url`).
    ///
    /// The steps are the header form's with those names in the canonical query
    /// (AWS's "Authenticating Requests: Using Query Parameters").
    public func presign(_ request: HTTPRequest, at date: Date, expires: Int) -> HTTPRequest {
        precondition((1...Self.maximumExpiry).contains(expires), "a presigned URL lives 1 s to 7 days, not \(expires) s")
        let time = Self.timestamp(date)
        var signer = self
        signer.options.payload = .unsigned
        signer.options.addsContentHashHeader = false
        var presigned = request
        presigned.headers = ["Host": request.authority]
        presigned.body = []
        presigned.query += [
            QueryItem("X-Amz-Algorithm", Self.algorithm),
            QueryItem("X-Amz-Credential", "\(credentials.accessKeyID)/\(time.day)/\(region)/\(service)/aws4_request"),
            QueryItem("X-Amz-Date", time.full),
            QueryItem("X-Amz-Expires", String(expires)),
            QueryItem("X-Amz-SignedHeaders", "host"),
        ]
        if let token = credentials.sessionToken { presigned.query.append(QueryItem("X-Amz-Security-Token", token)) }
        let signature = signer.signature(for: presigned, at: date)
        presigned.query.append(QueryItem("X-Amz-Signature", signature.signature))
        return presigned
    }
}
