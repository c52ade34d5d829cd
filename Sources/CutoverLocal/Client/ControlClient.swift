import Foundation

/// The orchestrator's side of the control API: plain blocking HTTP/1.1 over a socket
/// to 127.0.0.1 (one request per connection; the daemon is on the same machine).
public struct ControlClient: Sendable {
    public let port: Int

    public init(port: Int) { self.port = port }

    public enum Failure: Error, CustomStringConvertible {
        /// Nothing answered: the daemon is not running (or not on that port).
        case unreachable(port: Int, reason: String)
        /// The daemon answered with an error.
        case rejected(status: Int, problem: Control.Problem)
        case malformed(String)

        public var description: String {
            switch self {
            case .unreachable(let port, let reason): "the local cloud daemon is not reachable on 127.0.0.1:\(port) (\(reason)); start it with `cutover local up`"
            case .rejected(_, let problem): problem.description
            case .malformed(let what): "the daemon's answer could not be read: \(what)"
            }
        }
    }

    public func get<T: Decodable>(_ path: String, as type: T.Type = T.self) throws -> T {
        try decode(request("GET", path, body: nil))
    }

    public func send<T: Decodable, B: Encodable>(_ method: String, _ path: String, _ body: B, as type: T.Type = T.self) throws -> T {
        try decode(request(method, path, body: try JSONEncoder().encode(body)))
    }

    public func delete<T: Decodable>(_ path: String, as type: T.Type = T.self) throws -> T {
        try decode(request("DELETE", path, body: nil))
    }

    private func decode<T: Decodable>(_ answer: (Int, Data)) throws -> T {
        let (status, body) = answer
        guard (200..<300).contains(status) else {
            let problem = (try? JSONDecoder().decode(Control.Problem.self, from: body)) ?? Control.Problem(String(decoding: body, as: UTF8.self))
            throw Failure.rejected(status: status, problem: problem)
        }
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw Failure.malformed("\(error)")
        }
    }

    /// Sends one request and reads the whole answer.
    public func request(_ method: String, _ path: String, body: Data?) throws -> (Int, Data) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure.unreachable(port: port, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure.unreachable(port: port, reason: String(cString: strerror(errno))) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        var bytes = Data(head.utf8)
        if let body { bytes.append(body) }
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Failure.unreachable(port: port, reason: String(cString: strerror(errno)))
                }
                offset += n
            }
        }
        // Read the head, then exactly Content-Length bytes (or to the end).
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var expected: Int?
        while expected.map({ answer.count < $0 }) ?? true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { answer.append(contentsOf: buffer[0..<n]) } else if n == 0 { break } else if errno != EINTR {
                throw Failure.unreachable(port: port, reason: String(cString: strerror(errno)))
            }
            if expected == nil, let split = answer.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: answer[..<split.lowerBound], as: UTF8.self).lowercased()
                if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                   let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) {
                    expected = split.upperBound + length
                }
            }
        }
        guard let split = answer.range(of: Data("\r\n\r\n".utf8)) else { throw Failure.malformed("no header end") }
        let headText = String(decoding: answer[..<split.lowerBound], as: UTF8.self)
        let statusLine = headText.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure.malformed("status line '\(statusLine)'") }
        return (status, Data(answer[split.upperBound...]))
    }
}
