/// When traffic moves, for the Lambda and ECS configurations (reference §6.2, §13).
public enum TrafficSchedule {
    /// One step: from `atSeconds` after shifting starts, `weight` percent of the traffic
    /// goes to the new version.
    public struct Step: Sendable, Equatable, Codable {
        public var atSeconds: Int
        public var weight: Int
        public init(atSeconds: Int, weight: Int) {
            self.atSeconds = atSeconds
            self.weight = weight
        }
    }

    /// The steps of a routing configuration.
    ///
    /// - All at once: 100 % at 0.
    /// - Canary (p, I): p % at 0, 100 % at I minutes.
    /// - Linear (p, I): p % at 0, then p % more every I minutes, the last step capped
    ///   at 100 %. Example: 10 % every minute → 10 % at 0 s, 20 % at 60 s, …, 100 % at
    ///   540 s. (Reference §13 marks the exact linear timing UNVERIFIED: we start with
    ///   the first increment and do not wait after the last, so 10 steps of 10 % with a
    ///   10-minute interval reach 100 % at 90 minutes.)
    public static func steps(for routing: TrafficRouting) -> [Step] {
        switch routing {
        case .allAtOnce:
            return [Step(atSeconds: 0, weight: 100)]
        case .timeBasedCanary(let p, let i):
            return [Step(atSeconds: 0, weight: p), Step(atSeconds: i * 60, weight: 100)]
        case .timeBasedLinear(let p, let i):
            guard p > 0 else { return [Step(atSeconds: 0, weight: 100)] }
            var steps: [Step] = []
            var weight = 0
            var k = 0
            while weight < 100 {
                weight = min(100, weight + p)
                steps.append(Step(atSeconds: k * i * 60, weight: weight))
                k += 1
            }
            return steps
        }
    }
}
