import Foundation

/// Ids of deployments on a live provider: `d-`, the provider's letter (L local, A AWS),
/// the start second in base 36 (so ids of one group sort roughly by start) and six
/// random letters or digits. They name S3 keys, instance directories and history rows,
/// which two runs must never share: within a process an id is never handed out twice;
/// across processes started in the same second, two ids collide with a chance of one in
/// 36⁶ (about 2 × 10⁹).
enum LiveDeploymentID {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    private static let issued = Issued()

    private final class Issued: @unchecked Sendable {
        let lock = NSLock()
        var ids: Set<String> = []
    }

    static func make(provider: Character, now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(provider: provider, now: now, using: &generator)
    }

    static func make<G: RandomNumberGenerator>(provider: Character, now: Date, using generator: inout G) -> String {
        make(provider: provider, now: now) { String((0..<6).map { _ in alphabet.randomElement(using: &generator)! }) }
    }

    /// `draw`: the random part (drawn again while it gives an id handed out before).
    static func make(provider: Character, now: Date, draw: () -> String) -> String {
        let second = String(Int(now.timeIntervalSince1970), radix: 36).uppercased().suffix(5)
        issued.lock.lock()
        defer { issued.lock.unlock() }
        while true {
            let id = "d-" + String(provider) + second + draw()
            if issued.ids.insert(id).inserted { return id }
        }
    }
}
