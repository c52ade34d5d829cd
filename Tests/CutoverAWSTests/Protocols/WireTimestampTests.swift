@testable import CutoverAWS
import Foundation
import Testing

/// Timestamps in the forms AWS and moto write them.
@Suite struct WireTimestampTests {
    @Test(arguments: [
        ("2026-11-28T19:30:07.000Z", 1_795_894_207.0),          // EC2
        ("2026-11-28T19:30:00.240111Z", 1_795_894_200.240111),  // Auto Scaling (moto)
        ("2026-11-28T12:55:30.895757", 1_795_870_530.895757),   // moto's SSM: no zone, read as UTC
        ("2026-11-28T12:55:30.175378000Z", 1_795_870_530.175378),  // moto's Lambda: nine digits
        ("2026-11-28T21:30:07+02:00", 1_795_894_207.0),
        ("2026-11-28T19:30:07-0030", 1_795_896_007.0),
        ("1970-01-01T00:00:00Z", 0.0),
        ("2000-02-29T00:00:00Z", 951_782_400.0),
    ])
    func readsISO8601(text: String, seconds: Double) throws {
        let date = try #require(WireTimestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_01)
    }

    @Test(arguments: ["", "2026-11-28", "2026-13-01T00:00:00Z", "2026-11-28T19:30", "2026-11-28T19:30:07.Z", "2026-11-28T19:30:07Zjunk", "yesterday"])
    func refusesWhatIsNotATimestamp(text: String) {
        #expect(WireTimestamp.parse(text) == nil)
    }

    @Test func readsJSONNumbersAndStrings() {
        #expect(WireTimestamp.date(.number(1_795_894_207.314)) == Date(timeIntervalSince1970: 1_795_894_207.314))
        #expect(WireTimestamp.date("2026-11-28T19:30:07Z") == Date(timeIntervalSince1970: 1_795_894_207))
        #expect(WireTimestamp.date(nil) == nil && WireTimestamp.date(.bool(true)) == nil)
    }

    @Test func countsDaysLikeTheCalendar() {
        #expect(WireTimestamp.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
        #expect(WireTimestamp.daysFromCivil(year: 2000, month: 3, day: 1) == 11_017)
        #expect(WireTimestamp.daysFromCivil(year: 1969, month: 12, day: 31) == -1)
    }
}
