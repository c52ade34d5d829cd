/// A zip file built in memory, entries stored uncompressed: Lambda packages for tests.
///
/// The layout is PKWARE's APPNOTE: a local header and the data per entry, then the
/// central directory, then its end record. `unzip -t` and Python's `zipfile` read it.
struct ZipArchive {
    private(set) var entries: [(name: String, data: [UInt8], mode: UInt32)] = []

    /// Adds `name` with `text`; `mode` is its Unix permission bits.
    mutating func add(_ name: String, _ text: String, mode: UInt32 = 0o644) {
        entries.append((name, Array(text.utf8), mode))
    }

    /// The archive's bytes.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        // 1980-01-01 00:00, the earliest DOS date: the same bytes on every run.
        let (time, date): (UInt16, UInt16) = (0, 0x21)
        for entry in entries {
            let name = Array(entry.name.utf8)
            let crc = Self.crc32(entry.data)
            let offset = UInt32(out.count)
            out += le32(0x0403_4b50) + le16(20) + le16(0) + le16(0) + le16(time) + le16(date)
            out += le32(crc) + le32(UInt32(entry.data.count)) + le32(UInt32(entry.data.count))
            out += le16(UInt16(name.count)) + le16(0) + name + entry.data
            central += le32(0x0201_4b50) + le16(0x031e) + le16(20) + le16(0) + le16(0) + le16(time) + le16(date)
            central += le32(crc) + le32(UInt32(entry.data.count)) + le32(UInt32(entry.data.count))
            central += le16(UInt16(name.count)) + le16(0) + le16(0) + le16(0) + le16(0)
            central += le32((0o100000 | entry.mode) << 16) + le32(offset) + name
        }
        let centralOffset = UInt32(out.count)
        out += central
        out += le32(0x0605_4b50) + le16(0) + le16(0) + le16(UInt16(entries.count)) + le16(UInt16(entries.count))
        out += le32(UInt32(central.count)) + le32(centralOffset) + le16(0)
        return out
    }

    /// CRC-32 (IEEE, reflected, as zip uses it).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    private func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8)] }
    private func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xff) } }
}
