@testable import CutoverBindings
import Foundation
import Testing

@Suite struct LiveDeploymentIDTests {
    /// Ten thousand ids made in one second by one process are all different (it never
    /// hands one out twice), and they carry six random characters, so two processes
    /// started in the same second do not share S3 keys or history rows either.
    @Test func idsOfOneSecondDiffer() {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let ids = (0..<10_000).map { _ in LiveDeploymentID.make(provider: "A", now: now) }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(50) {
            #expect(id.hasPrefix("d-A" + String(1_795_000_000, radix: 36).uppercased().suffix(5)))
            #expect(id.count == 14)
            #expect(id.dropFirst(2).allSatisfy { $0.isUppercase || $0.isNumber })
        }
    }

    /// A random part that comes again is drawn again (the issued ids are kept).
    @Test func aRepeatedDrawIsDrawnAgain() {
        let now = Date(timeIntervalSince1970: 1_795_000_123)
        var draws = ["AAAAAA", "AAAAAA", "BBBBBB"][...]
        let a = LiveDeploymentID.make(provider: "A", now: now) { draws.removeFirst() }
        let b = LiveDeploymentID.make(provider: "A", now: now) { draws.removeFirst() }
        #expect(a.hasSuffix("AAAAAA") && b.hasSuffix("BBBBBB"))
        #expect(draws.isEmpty)
    }

    /// Later seconds sort later (within the five base-36 digits' 700-day cycle).
    @Test func laterSecondsSortLater() {
        let a = LiveDeploymentID.make(provider: "L", now: Date(timeIntervalSince1970: 1_795_000_000))
        let b = LiveDeploymentID.make(provider: "L", now: Date(timeIntervalSince1970: 1_795_000_001))
        #expect(a.prefix(8) < b.prefix(8))
    }
}
