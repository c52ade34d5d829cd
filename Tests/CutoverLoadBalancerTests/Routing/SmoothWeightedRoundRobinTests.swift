import CutoverLoadBalancer
import Testing

@Suite struct SmoothWeightedRoundRobinTests {
    @Test func documentedExample() {
        var picker = SmoothWeightedRoundRobin([(item: "a", weight: 1), (item: "b", weight: 2)])
        #expect((0..<6).map { _ in picker.next() } == ["b", "a", "b", "b", "a", "b"])
    }

    @Test(arguments: [(10, 90), (1, 99), (50, 50), (33, 67), (1, 0), (0, 1)])
    func exactOverEveryFullRound(light: Int, heavy: Int) {
        var picker = SmoothWeightedRoundRobin([(item: 0, weight: light), (item: 1, weight: heavy)])
        var counts = [0, 0]
        let total = light + heavy
        for _ in 0..<(1000 * total) { counts[picker.next()] += 1 }
        #expect(counts == [1000 * light, 1000 * heavy])
    }

    @Test func lightItemIsSpreadOut() {
        // 10/90: the light item comes once in every 10 picks, never twice in a row.
        var picker = SmoothWeightedRoundRobin([(item: "blue", weight: 10), (item: "green", weight: 90)])
        let picks = (0..<100).map { _ in picker.next() }
        for window in stride(from: 0, to: 100, by: 10) {
            #expect(picks[window..<window + 10].filter { $0 == "blue" }.count == 1)
        }
    }

    @Test func threeWays() {
        var picker = SmoothWeightedRoundRobin([(item: "a", weight: 5), (item: "b", weight: 3), (item: "c", weight: 2)])
        var counts: [String: Int] = [:]
        for _ in 0..<100_000 { counts[picker.next(), default: 0] += 1 }
        #expect(counts == ["a": 50_000, "b": 30_000, "c": 20_000])
    }
}
