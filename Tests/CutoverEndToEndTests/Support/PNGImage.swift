import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A PNG decoded far enough to check what a screenshot shows: its size (IHDR) and its
/// pixels (8-bit RGB or RGBA, not interlaced: what Chromium writes). The inflating is
/// the system's zlib (`libz.so.1`, loaded when first needed), so one test adds no build
/// dependency.
struct PNGImage {
    let width: Int
    let height: Int
    /// Row after row, three bytes (R, G, B) a pixel.
    let rgb: [UInt8]

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(description: "cannot read \(path)") }
        let bytes = [UInt8](data)
        guard bytes.count > 33, bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw Failure(description: "\(path) is not a PNG file")
        }
        func u32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        var offset = 8
        var header: (width: Int, height: Int, depth: UInt8, colour: UInt8, interlace: UInt8)?
        var compressed: [UInt8] = []
        while offset + 8 <= bytes.count {
            let length = u32(offset)
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            let body = offset + 8
            guard body + length + 4 <= bytes.count else { throw Failure(description: "\(path): chunk \(type) is cut short") }
            if type == "IHDR" {
                header = (u32(body), u32(body + 4), bytes[body + 8], bytes[body + 9], bytes[body + 12])
            } else if type == "IDAT" {
                compressed += bytes[body..<body + length]
            } else if type == "IEND" {
                break
            }
            offset = body + length + 4
        }
        guard let header else { throw Failure(description: "\(path) has no IHDR chunk") }
        guard header.depth == 8, header.colour == 2 || header.colour == 6, header.interlace == 0 else {
            throw Failure(description: "\(path): only 8-bit RGB(A) without interlacing is decoded, not depth \(header.depth) colour type \(header.colour)")
        }
        width = header.width
        height = header.height
        let channels = header.colour == 6 ? 4 : 3
        let stride = width * channels
        let raw = try Self.inflate(compressed, expected: height * (stride + 1))
        // Undo each row's filter (PNG specification, section 9).
        var out = [UInt8](repeating: 0, count: height * stride)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            let line = y * (stride + 1) + 1
            for i in 0..<stride {
                let a = i >= channels ? Int(out[y * stride + i - channels]) : 0
                let b = y > 0 ? Int(out[(y - 1) * stride + i]) : 0
                let c = i >= channels && y > 0 ? Int(out[(y - 1) * stride + i - channels]) : 0
                let x = Int(raw[line + i])
                let p = a + b - c
                let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
                let value: Int = switch filter {
                case 0: x
                case 1: x + a
                case 2: x + b
                case 3: x + (a + b) / 2
                case 4: x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)
                default: -1
                }
                guard value >= 0 else { throw Failure(description: "\(path): unknown filter \(filter) on row \(y)") }
                out[y * stride + i] = UInt8(value & 0xFF)
            }
        }
        rgb = channels == 3 ? out : (0..<(width * height)).flatMap { p in out[p * 4..<p * 4 + 3] }
    }

    func pixel(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        let i = (y * width + x) * 3
        return (rgb[i], rgb[i + 1], rgb[i + 2])
    }

    /// How many pixels are within `tolerance` of `hex` (`#RRGGBB`) on every channel.
    func count(near hex: String, tolerance: Int = 6) -> Int {
        let value = Int(hex.dropFirst(), radix: 16) ?? 0
        let (r, g, b) = (value >> 16 & 0xFF, value >> 8 & 0xFF, value & 0xFF)
        var n = 0
        for i in stride(from: 0, to: rgb.count, by: 3)
        where abs(Int(rgb[i]) - r) <= tolerance && abs(Int(rgb[i + 1]) - g) <= tolerance && abs(Int(rgb[i + 2]) - b) <= tolerance {
            n += 1
        }
        return n
    }

    /// How many different colours the image has.
    var distinctColours: Int {
        var seen = Set<Int>()
        for i in stride(from: 0, to: rgb.count, by: 3) { seen.insert(Int(rgb[i]) << 16 | Int(rgb[i + 1]) << 8 | Int(rgb[i + 2])) }
        return seen.count
    }

    private typealias Uncompress = @convention(c) (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?, UnsafePointer<UInt8>?, UInt) -> Int32

    private static func inflate(_ compressed: [UInt8], expected: Int) throws -> [UInt8] {
        guard let zlib = dlopen("libz.so.1", RTLD_NOW), let symbol = dlsym(zlib, "uncompress") else {
            throw Failure(description: "cannot load zlib (libz.so.1) to decode a PNG")
        }
        let uncompress = unsafeBitCast(symbol, to: Uncompress.self)
        var out = [UInt8](repeating: 0, count: expected)
        var length = UInt(expected)
        let status = out.withUnsafeMutableBufferPointer { o in
            compressed.withUnsafeBufferPointer { c in uncompress(o.baseAddress, &length, c.baseAddress, UInt(c.count)) }
        }
        guard status == 0, Int(length) == expected else {
            throw Failure(description: "the PNG's image data does not inflate to \(expected) bytes (zlib status \(status), \(length) bytes)")
        }
        return out
    }
}
