import Testing
@testable import CutoverLocal

/// The capacity rule, table-driven: `0 ≤ min ≤ desired ≤ max`, `max ≥ 1`.
@Suite struct AutoScalingCapacityTests {
    @Test(arguments: [
        (1, 3, 2, nil),
        (0, 1, 0, nil),
        (2, 2, 2, nil),
        (1, 3, 5, "desired capacity 5 is more than the max size 3"),
        (2, 3, 1, "desired capacity 1 is less than the min size 2"),
        (0, 0, 0, "max must be at least 1, got 0"),
        (4, 3, 3, "min size 4 is more than the max size 3"),
        (-1, 3, 0, "min must be 0 or more, got -1"),
        (0, 101, 1, "max must be at most 100"),
    ] as [(Int, Int, Int, String?)])
    func problems(min: Int, max: Int, desired: Int, expected: String?) {
        let problem = AutoScalingCapacity(min: min, max: max, desired: desired).problem
        if let expected {
            #expect(problem?.hasPrefix(expected) == true, "\(problem ?? "nil")")
        } else {
            #expect(problem == nil)
        }
    }

    @Test func aChangeKeepsWhatItLeavesOutAndMovesDesiredInsideTheNewLimits() {
        let capacity = AutoScalingCapacity(min: 1, max: 4, desired: 2)
        #expect(capacity.applying(.init(desired: 3)) == AutoScalingCapacity(min: 1, max: 4, desired: 3))
        #expect(capacity.applying(.init(min: 3)) == AutoScalingCapacity(min: 3, max: 4, desired: 3))
        #expect(AutoScalingCapacity(min: 1, max: 4, desired: 4).applying(.init(max: 2)) == AutoScalingCapacity(min: 1, max: 2, desired: 2))
        // A desired capacity given outright is not moved: the rule rejects it.
        let tooMany = capacity.applying(.init(desired: 6))
        #expect(tooMany == AutoScalingCapacity(min: 1, max: 4, desired: 6))
        #expect(tooMany.problem != nil)
    }
}
