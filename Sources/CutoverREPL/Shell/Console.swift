import CShellSupport

/// Text out, through C's stdio streams — the ones Lua's `print` and `io.write` use —
/// so Swift's and Lua's output never come out of order.
public enum Console {
    public static func write(_ text: String) {
        var text = text
        text.withUTF8 { $0.withMemoryRebound(to: CChar.self) { cutover_write_out($0.baseAddress, $0.count) } }
    }

    public static func writeError(_ text: String) {
        var text = text
        text.withUTF8 { $0.withMemoryRebound(to: CChar.self) { cutover_write_err($0.baseAddress, $0.count) } }
    }

    public static func flush() { cutover_flush() }
}
