import CCurl
import Foundation

/// HTTP(S) through libcurl's easy interface, synchronously.
///
/// A handle is used by one thread at a time: each call takes an idle handle from the
/// pool (or makes one), and gives it back when done, so kept-alive connections are
/// reused without two threads ever touching the same handle. Nothing is global but
/// libcurl's one-time initialisation.
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: `idle` is only touched under `lock`, and a handle leaves the pool
    // before it is used.
    private let lock = NSLock()
    private var idle: [UnsafeMutableRawPointer] = []
    private let maximumIdle: Int
    public let connectTimeout: Duration

    /// libcurl's global initialisation, done once before the first handle.
    private static let initialized: Bool = curl_global_init(cutover_CURL_GLOBAL_DEFAULT) == CURLE_OK

    public init(connectTimeout: Duration = .seconds(10), maximumIdleHandles: Int = 4) {
        self.connectTimeout = connectTimeout
        self.maximumIdle = maximumIdleHandles
    }

    deinit {
        for handle in idle { curl_easy_cleanup(handle) }
    }

    public func send(_ request: HTTPRequest, timeout: Duration) -> Result<HTTPResponse, TransportFailure> {
        guard Self.initialized, let handle = checkOut() else {
            return .failure(TransportFailure(kind: .other, message: "libcurl could not be initialised", requestMayHaveBeenSent: false))
        }
        let result = perform(request, timeout: timeout, on: handle)
        checkIn(handle)
        return result
    }

    private func checkOut() -> UnsafeMutableRawPointer? {
        lock.lock()
        let handle = idle.popLast()
        lock.unlock()
        if let handle {
            curl_easy_reset(handle)  // options back to defaults; connections stay
            return handle
        }
        return curl_easy_init()
    }

    private func checkIn(_ handle: UnsafeMutableRawPointer) {
        lock.lock()
        if idle.count < maximumIdle {
            idle.append(handle)
            lock.unlock()
        } else {
            lock.unlock()
            curl_easy_cleanup(handle)
        }
    }

    private func perform(_ request: HTTPRequest, timeout: Duration, on handle: UnsafeMutableRawPointer) -> Result<HTTPResponse, TransportFailure> {
        let transfer = Transfer()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }

        // Exactly the headers that were signed: libcurl's own Content-Type (for POST)
        // and Expect are switched off unless the request has them.
        var lines = request.headers.map { "\($0.name): \($0.value)" }
        if !request.headers.contains("Content-Type") { lines.append("Content-Type:") }
        if !request.headers.contains("Expect") { lines.append("Expect:") }
        if !request.headers.contains("Accept") { lines.append("Accept:") }
        for line in lines { headerList = curl_slist_append(headerList, line) }

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
            request.body.withUnsafeBufferPointer { body in
                withExtendedLifetime(transfer) {
                    let context = Unmanaged.passUnretained(transfer).toOpaque()
                    _ = cutover_curl_setopt_string(handle, CURLOPT_URL, request.url)
                    _ = cutover_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
                    _ = cutover_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
                    _ = cutover_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connectTimeout))
                    _ = cutover_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout))
                    _ = cutover_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errors.baseAddress)
                    _ = cutover_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
                    _ = cutover_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, curlWrite)
                    _ = cutover_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
                    _ = cutover_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, curlHeader)
                    _ = cutover_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)

                    let method = request.method.uppercased()
                    switch method {
                    case "GET" where request.body.isEmpty:
                        _ = cutover_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
                    case "HEAD":
                        _ = cutover_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
                    case "DELETE" where request.body.isEmpty:
                        _ = cutover_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, "DELETE")
                    default:
                        // POST semantics (a body with its length) under the request's
                        // method name: PUT, POST, PATCH, a DELETE with a body.
                        let empty: StaticString = ""
                        _ = cutover_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
                        _ = cutover_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, body.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(empty.utf8Start))
                        if method != "POST" { _ = cutover_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method) }
                    }
                    return curl_easy_perform(handle)
                }
            }
        }

        guard code == CURLE_OK else {
            var pretransfer: curl_off_t = 0
            _ = cutover_curl_getinfo_off(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer)
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let summary = String(cString: curl_easy_strerror(code))
            return .failure(TransportFailure(kind: Self.kind(of: code), message: detail.isEmpty ? summary : detail,
                                             requestMayHaveBeenSent: pretransfer > 0 || Self.sentForSure(code)))
        }
        var status = 0
        _ = cutover_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: transfer.headers, body: transfer.body))
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    /// Errors that happen only after the request went out.
    private static func sentForSure(_ code: CURLcode) -> Bool {
        code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING || code == CURLE_PARTIAL_FILE
    }

    private static func kind(of code: CURLcode) -> TransportFailure.Kind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .nameResolution
        case CURLE_COULDNT_CONNECT: return .connectionFailed
        case CURLE_OPERATION_TIMEDOUT: return .timedOut
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE: return .connectionLost
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND:
            return .tls
        default: return .other
        }
    }
}

/// What one transfer received; the callbacks reach it through their context pointer.
private final class Transfer {
    var body: [UInt8] = []
    var headers = HTTPHeaders()
}

private func curlWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) {
        transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}

/// One header line per call, the status line included; a new status line (after a
/// `100 Continue`) starts the headers afresh.
private func curlHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }.trimmingTrailingWhitespace()
    if line.hasPrefix("HTTP/") {
        transfer.headers = HTTPHeaders()
    } else if let colon = line.firstIndex(of: ":") {
        let name = String(line[..<colon])
        let value = String(line[line.index(after: colon)...]).trimmingLeadingWhitespace()
        transfer.headers.add(name, value)
    }
    return length
}
