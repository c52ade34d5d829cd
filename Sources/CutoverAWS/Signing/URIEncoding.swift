/// Percent-encoding as SigV4 and the AWS REST protocols define it: every byte of the
/// UTF-8 form except the RFC 3986 unreserved characters (A–Z a–z 0–9 - . _ ~) becomes
/// %XY with uppercase hex; a space is %20, never +.
public enum URIEncoding {
    /// Encodes `text`; with `keepSlash`, `/` stays as it is (for paths and S3 keys).
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A path from segments, each encoded (a `/` inside a segment becomes %2F):
    /// `path("2015-03-31", "functions", "my fn")` is `/2015-03-31/functions/my%20fn`.
    public static func path(_ segments: String...) -> String {
        path(segments)
    }

    public static func path(_ segments: [String]) -> String {
        "/" + segments.map { encode($0) }.joined(separator: "/")
    }

    /// Decodes %XY sequences (a `+` stays a `+`); invalid sequences are kept as they are.
    public static func decode(_ text: String) -> String {
        var out = [UInt8]()
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
               let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
