import CLibCrypto

/// SHA-256 and HMAC-SHA-256 through OpenSSL's libcrypto: the one place SigV4's
/// hashing calls C.
enum Digest {
    /// The SHA-256 of `bytes`.
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha256(), nil)
        }
        // EVP_Digest only fails when libcrypto cannot allocate or SHA-256 is missing:
        // nothing a caller could handle.
        precondition(ok == 1 && length == 32, "libcrypto's SHA-256 failed")
        return Array(digest.prefix(32))
    }

    /// HMAC-SHA-256 of `message` under `key`.
    static func hmacSHA256(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), m.bindMemory(to: UInt8.self).baseAddress, m.count, &mac, &length)
            }
        }
        precondition(result != nil && length == 32, "libcrypto's HMAC-SHA-256 failed")
        return Array(mac.prefix(32))
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String { hex(sha256(bytes)) }

    /// Lowercase hexadecimal, as SigV4 writes hashes and signatures.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
