import Foundation

/// Ids of deployments on a live provider: `d-`, the provider's letter (L local, A AWS),
/// the start second in base 36 (so ids of one group sort roughly by start) and five
/// random letters or digits. The random part keeps ids apart across processes started
/// in the same second: they name S3 keys, instance directories and history rows, which
/// two runs must never share.
enum LiveDeploymentID {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    static func make(provider: Character, now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(provider: provider, now: now, using: &generator)
    }

    static func make<G: RandomNumberGenerator>(provider: Character, now: Date, using generator: inout G) -> String {
        let second = String(Int(now.timeIntervalSince1970), radix: 36).uppercased().suffix(5)
        return "d-" + String(provider) + second + String((0..<5).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
