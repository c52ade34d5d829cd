import LuaRuntime
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Reads lines from a file descriptor without editing: for `-i` when stdin is not a
/// terminal (libedit is never involved then). The prompt is still written to stdout,
/// as lua.c does.
public final class StreamLineReader: LineEditor {
    let fd: Int32
    let showPrompt: Bool
    private var buffer: [UInt8] = []
    private var atEnd = false
    public var completer: Completer?

    public init(fd: Int32 = 0, showPrompt: Bool = true) {
        self.fd = fd
        self.showPrompt = showPrompt
    }

    public func readLine(prompt: String) -> LineInput {
        if showPrompt {
            Console.write(prompt)
            Console.flush()
        }
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return .line(line)
            }
            if atEnd {
                if buffer.isEmpty { return .endOfInput }
                let line = String(decoding: buffer, as: UTF8.self)
                buffer.removeAll()
                return .line(line)
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = read(fd, &chunk, chunk.count)
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
            } else if n == 0 {
                atEnd = true
            } else if errno == EINTR {
                if LuaVM.takePendingInterrupt() {
                    buffer.removeAll()
                    return .interrupted
                }
            } else {
                atEnd = true
            }
        }
    }

    public func remember(_ entry: String) {}
}
