/// One HTTP request as it goes on the wire: everything the signer signs and the
/// transport sends, nothing added in between except Content-Length.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// `http` or `https`.
    public var scheme: String
    public var host: String
    /// nil: the scheme's default port.
    public var port: Int?
    /// The path, percent-encoded as it is sent (`URIEncoding.path` builds it).
    public var path: String
    /// Query parameters, not encoded; `encodedQuery` encodes them as SigV4 does.
    public var query: [QueryItem]
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: String, scheme: String = "https", host: String, port: Int? = nil, path: String = "/",
                query: [QueryItem] = [], headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The value of the Host header: the host, and the port unless it is the scheme's default.
    public var authority: String {
        guard let port, port != (scheme == "https" ? 443 : 80) else { return host }
        return "\(host):\(port)"
    }

    /// The query string, each name and value percent-encoded (RFC 3986 unreserved
    /// characters kept), in the order given.
    public var encodedQuery: String {
        query.map { URIEncoding.encode($0.name) + "=" + URIEncoding.encode($0.value) }.joined(separator: "&")
    }

    /// The whole URL, as libcurl is given it.
    public var url: String {
        let q = encodedQuery
        return "\(scheme)://\(authority)\(path)" + (q.isEmpty ? "" : "?" + q)
    }
}

/// One query parameter, not encoded.
public struct QueryItem: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
