import Testing
@testable import CutoverCore

@Suite struct TargetSelectionTests {
    let fleet = [
        TargetDescription(id: "a", tags: ["env": "prod", "role": "web"]),
        TargetDescription(id: "b", tags: ["env": "prod", "role": "db"]),
        TargetDescription(id: "c", tags: ["env": "staging", "role": "web"]),
        TargetDescription(id: "d", tags: ["team": "prod"], autoScalingGroup: "asg-1"),
        TargetDescription(id: "e", tags: [:]),
    ]

    private func ids(_ s: TargetSelection) -> [String] { s.select(from: fleet).map(\.id) }

    @Test func filterKinds() {
        #expect(ids(.init(tagFilters: [TagFilter(key: "role", kind: .keyOnly)])) == ["a", "b", "c"])
        #expect(ids(.init(tagFilters: [TagFilter(value: "prod", kind: .valueOnly)])) == ["a", "b", "d"])
        #expect(ids(.init(tagFilters: [TagFilter(key: "env", value: "prod")])) == ["a", "b"])
    }

    @Test func filtersAreORedTagSetsANDedAcrossORedWithin() {
        let or = TargetSelection(tagFilters: [TagFilter(key: "env", value: "staging"), TagFilter(key: "role", value: "db")])
        #expect(ids(or) == ["b", "c"])
        let set = TargetSelection(tagSet: [
            [TagFilter(key: "env", value: "prod"), TagFilter(key: "env", value: "staging")],
            [TagFilter(key: "role", value: "web")],
        ])
        #expect(ids(set) == ["a", "c"])
    }

    @Test func unionWithGroupsAndExplicit() {
        let s = TargetSelection(tagFilters: [TagFilter(key: "role", value: "db")], autoScalingGroups: ["asg-1"], explicit: ["e"])
        #expect(ids(s) == ["b", "d", "e"])
    }

    @Test func constraints() {
        #expect(throws: CoreError.self) {
            try TargetSelection(tagFilters: [TagFilter(key: "a")], tagSet: [[TagFilter(key: "b")]]).validate()
        }
        #expect(throws: CoreError.self) {
            try TargetSelection(tagSet: Array(repeating: [TagFilter(key: "k")], count: 4)).validate()
        }
    }
}
