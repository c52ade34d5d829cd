/// One request's claim on a target, naming the registration it was made against so a
/// request that outlives its target's drain cannot disturb a later re-registration.
struct TargetLease: Sendable, Equatable {
    let target: Target
    let entryID: UInt64
}
