/// A group's size limits and the number of instances it keeps running.
///
/// The rule, as Auto Scaling states it: `0 ≤ min ≤ desired ≤ max`, and `max ≥ 1`. Local
/// groups are capped at `limit` instances (each is a directory and a port).
struct AutoScalingCapacity: Codable, Sendable, Equatable {
    static let limit = 100

    var min: Int
    var max: Int
    var desired: Int

    /// The first rule the capacity breaks, said as a ValidationError message; nil when
    /// it keeps them all.
    ///
    ///     (min 1, max 3, desired 2) → nil
    ///     (min 1, max 3, desired 5) → "desired capacity 5 is more than the max size 3; …"
    ///     (min 0, max 0, desired 0) → "max must be at least 1, got 0"
    var problem: String? {
        if min < 0 { return "min must be 0 or more, got \(min)" }
        if max < 1 { return "max must be at least 1, got \(max)" }
        if max > Self.limit { return "max must be at most \(Self.limit) on the local cloud, got \(max)" }
        if min > max { return "min size \(min) is more than the max size \(max); min must not exceed max" }
        if desired > max {
            return "desired capacity \(desired) is more than the max size \(max): the group cannot hold that many instances; raise max or lower desired (it must be between min \(min) and max \(max))"
        }
        if desired < min {
            return "desired capacity \(desired) is less than the min size \(min); it must be between min \(min) and max \(max)"
        }
        return nil
    }

    /// This capacity changed by a request (UpdateAutoScalingGroup / SetDesiredCapacity):
    /// fields it leaves out keep their value, except that a desired capacity left out is
    /// moved inside the new min and max.
    ///
    ///     (1, 4, desired 2) + {desired: 3}         → (1, 4, 3)
    ///     (1, 4, desired 2) + {min: 3}             → (3, 4, 3)
    ///     (1, 4, desired 4) + {max: 2}             → (1, 2, 2)
    ///     (1, 4, desired 2) + {desired: 6}         → (1, 4, 6), which `problem` rejects
    func applying(_ change: Control.SetCapacity) -> AutoScalingCapacity {
        var next = AutoScalingCapacity(min: change.min ?? min, max: change.max ?? max, desired: change.desired ?? desired)
        if change.desired == nil, next.min <= next.max {
            next.desired = Swift.min(Swift.max(next.desired, next.min), next.max)
        }
        return next
    }
}
