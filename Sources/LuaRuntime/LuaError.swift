/// An error that came out of Lua: a syntax error while loading, or a runtime error
/// (with the traceback the message handler collected).
public struct LuaError: Error, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case syntax
        case runtime
        case memory
        /// Stopped by Ctrl-C or `LuaVM.interrupt()`.
        case interrupted
        /// Stopped because `LuaVM.timeLimit` passed.
        case timeLimit
        /// The error handler itself failed.
        case errorHandler
    }

    public let kind: Kind
    /// The error message, with the position prefix Lua gave it ("file:3: boom").
    public let message: String
    /// "stack traceback:\n\t…", or empty.
    public let traceback: String

    public init(kind: Kind, message: String, traceback: String = "") {
        self.kind = kind
        self.message = message
        self.traceback = traceback
    }

    /// Splits what the message handler produced: the message, then the traceback.
    init(kind: Kind, handled text: String) {
        if let split = LuaError.tracebackStart(in: text) {
            self.init(kind: kind, message: String(text[..<split]),
                      traceback: String(text[text.index(after: split)...]))
        } else {
            self.init(kind: kind, message: text)
        }
    }

    /// Where "\nstack traceback:" begins (the last one: a message may quote another).
    static func tracebackStart(in text: String) -> String.Index? {
        let marker = Array("\nstack traceback:".utf8)
        let bytes = Array(text.utf8)
        guard bytes.count >= marker.count else { return nil }
        for start in stride(from: bytes.count - marker.count, through: 0, by: -1)
        where bytes[start] == 10 && Array(bytes[start..<start + marker.count]) == marker {
            return text.utf8.index(text.utf8.startIndex, offsetBy: start)
        }
        return nil
    }

    /// Whether more input could complete the chunk (a syntax error at `<eof>`).
    public var isIncompleteInput: Bool { kind == .syntax && message.hasSuffix("<eof>") }

    public var description: String {
        traceback.isEmpty ? message : message + "\n" + traceback
    }
}

/// Thrown by a Swift function called from Lua: becomes lauxlib's
/// "bad argument #N to 'name' (message)" at the caller's level.
public struct LuaArgumentError: Error, CustomStringConvertible {
    public let index: Int
    public let message: String
    public init(_ index: Int, _ message: String) {
        self.index = index
        self.message = message
    }
    public var description: String { "bad argument #\(index) (\(message))" }
}

/// Thrown by a Swift function called from Lua to raise `value` as the Lua error object,
/// untouched (no position prefix).
public struct LuaRaise: Error {
    public let value: LuaValue
    public init(_ value: LuaValue) { self.value = value }
}

/// Any other error thrown by a Swift function becomes a Lua error string: its
/// description with the Lua caller's position in front, as `error("…")` would have.
