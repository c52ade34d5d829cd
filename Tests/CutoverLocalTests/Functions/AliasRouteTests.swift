import Testing
@testable import CutoverLocal

/// The alias's weighted split: the integer weights, and how close the sequence keeps
/// to the percentage after every invocation.
@Suite struct AliasRouteTests {
    @Test(arguments: [
        (10.0, 9, 1), (12.5, 7, 1), (50, 1, 1), (0, 1, 0), (100, 0, 1), (33.3333, 666_667, 333_333), (2.5, 39, 1),
        (-5, 1, 0), (250, 0, 1),
    ])
    func weightsForAPercentage(percent: Double, primary: Int, additional: Int) {
        let weights = AliasRoute.weights(percent: percent)
        #expect(weights.primary == primary)
        #expect(weights.additional == additional)
    }

    @Test(arguments: [10.0, 2.5, 33.3333, 0.1, 99])
    func everyPrefixIsWithinOneInvocationOfTheWeight(percent: Double) {
        var route = AliasRoute(Control.FunctionAlias(name: "live", version: "1", additionalVersion: "2", additionalWeight: percent))
        var additional = 0
        for n in 1...5000 {
            if route.next() == "2" { additional += 1 }
            #expect(abs(Double(additional) - percent / 100 * Double(n)) < 1, "after \(n): \(additional)")
        }
    }

    @Test func anAliasWithoutAdditionalVersionAlwaysPicksItsVersion() {
        var route = AliasRoute(Control.FunctionAlias(name: "live", version: "3"))
        #expect((0..<10).map { _ in route.next() } == Array(repeating: "3", count: 10))
    }
}

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownDigests(input: String, digest: String) {
        var hasher = SHA256()
        hasher.update(input)
        #expect(hasher.hexDigest() == digest)
    }

    @Test func feedingInPiecesGivesTheSameDigest() {
        let text = String(repeating: "cutover ", count: 100)
        var whole = SHA256()
        whole.update(text)
        var pieces = SHA256()
        for chunk in stride(from: 0, to: text.utf8.count, by: 37) {
            pieces.update(Array(text.utf8)[chunk..<min(chunk + 37, text.utf8.count)])
        }
        #expect(whole.hexDigest() == pieces.hexDigest())
    }
}
