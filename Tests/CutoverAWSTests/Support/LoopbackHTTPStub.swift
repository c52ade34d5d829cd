import CutoverAWS
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 that answers every request with what a handler
/// returns and records what it received: AWS behaviour moto does not emulate (a
/// function that fails, an execution log, the executed version), played over real
/// HTTP through the real client and transport.
///
/// One connection at a time, one request per connection (`Connection: close`), bodies
/// by Content-Length: what the AWS client sends.
/// Where a test uses it instead of moto, the test says why.
final class LoopbackHTTPStub: Sendable {
    /// One request as the stub read it.
    struct Request: Sendable {
        var method: String
        /// The request target: the encoded path and query.
        var target: String
        var headers: HTTPHeaders
        var body: [UInt8]

        var path: String { String(target.prefix { $0 != "?" }) }
        var query: String? { target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) } }
    }

    let port: Int
    private let listener: Int32
    private let handler: @Sendable (Request) -> HTTPResponse
    private let received = Mutex<[Request]>([])
    private let finished = Mutex<Bool>(false)

    /// `http://127.0.0.1:PORT`.
    var endpoint: String { "http://127.0.0.1:\(port)" }

    var requests: [Request] { received.withLock { $0 } }

    init(_ handler: @escaping @Sendable (Request) -> HTTPResponse) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StubError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else {
            close(fd)
            throw StubError("bind/listen on 127.0.0.1: \(String(cString: strerror(errno)))")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        self.handler = handler
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Stops accepting; the serving thread ends. Call it (`defer { stub.stop() }`): the
    /// serving thread holds the stub until then.
    func stop() {
        guard !finished.withLock({ done in defer { done = true }; return done }) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while !finished.withLock({ $0 }) {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return  // the listener was shut down
            }
            answer(connection)
            close(connection)
        }
    }

    private func answer(_ connection: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let separator = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        var request: Request?
        while request == nil {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            data += buffer[0..<count]
            if headerEnd == nil, let end = Self.find(separator, in: data) { headerEnd = end }
            guard let end = headerEnd else { continue }
            let head = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
            let start = head[0].split(separator: " ")
            guard start.count >= 2 else { return }
            var headers = HTTPHeaders()
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            let bodyLength = Int(headers["Content-Length"] ?? "0") ?? 0
            let bodyStart = end + separator.count
            guard data.count >= bodyStart + bodyLength else { continue }
            request = Request(method: String(start[0]), target: String(start[1]), headers: headers,
                              body: Array(data[bodyStart..<bodyStart + bodyLength]))
        }
        guard let request else { return }
        received.withLock { $0.append(request) }
        let response = handler(request)
        var head = "HTTP/1.1 \(response.status) Stub\r\n"
        for field in response.headers where field.name.lowercased() != "content-length" {
            head += "\(field.name): \(field.value)\r\n"
        }
        head += "Content-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + response.body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            sent += n
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<i + needle.count].elementsEqual(needle) { return i }
        return nil
    }

    struct StubError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
