import Foundation
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

    /// On-premises instances are matched by the on-premises tags only, EC2 ones by the
    /// EC2 tags only; a name given outright is either.
    @Test func onPremisesTagsAreKeptApartFromEC2Tags() {
        let mixed = fleet + [
            TargetDescription(id: "mi-1", tags: ["env": "prod"], onPremises: true),
            TargetDescription(id: "mi-2", tags: ["env": "staging"], onPremises: true),
        ]
        let prod = [TagFilter(key: "env", value: "prod")]
        #expect(TargetSelection(tagFilters: prod).select(from: mixed).map(\.id) == ["a", "b"])
        #expect(TargetSelection(onPremises: OnPremisesSelection(tagFilters: prod)).select(from: mixed).map(\.id) == ["mi-1"])
        #expect(TargetSelection(tagFilters: prod, onPremises: OnPremisesSelection(tagSet: [[TagFilter(key: "env", kind: .keyOnly)]]))
            .select(from: mixed).map(\.id) == ["a", "b", "mi-1", "mi-2"])
        #expect(TargetSelection(explicit: ["mi-2"]).select(from: mixed).map(\.id) == ["mi-2"])
        #expect(throws: CoreError.self) {
            try TargetSelection(onPremises: OnPremisesSelection(tagFilters: prod, tagSet: [prod])).validate()
        }
    }

    /// Records written before on-premises instances existed read back as EC2 ones.
    @Test func olderRecordsDecodeWithoutOnPremises() throws {
        let old = #"{"id":"i-1","tags":{"env":"prod"},"health":"Healthy","revision":"v1"}"#
        let target = try JSONDecoder().decode(TargetDescription.self, from: Data(old.utf8))
        #expect(target.id == "i-1" && target.revision == "v1" && !target.onPremises)
        let selection = try JSONDecoder().decode(TargetSelection.self, from: Data(#"{"tagFilters":[],"tagSet":[],"autoScalingGroups":["web"],"explicit":[]}"#.utf8))
        #expect(selection.autoScalingGroups == ["web"] && selection.onPremises == nil)
    }
}
