import Foundation
import Testing
import GlossCore

@Suite("Hybrid logical clock")
struct HybridClockTests {
    func reading(_ milliseconds: Int, _ counter: Int) -> HLCTimestamp {
        HLCTimestamp(milliseconds: milliseconds, counter: counter)
    }

    @Test("a reading prints as ISO 8601 in UTC with its exact milliseconds")
    func iso8601() {
        #expect(HLCTimestamp(milliseconds: 1_795_945_271_831, counter: 3).iso8601 == "2026-11-29T09:41:11.831Z")
        #expect(HLCTimestamp(milliseconds: 1_795_945_271_001, counter: 0).iso8601 == "2026-11-29T09:41:11.001Z")
        #expect(HLCTimestamp(milliseconds: 0, counter: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(HLCTimestamp(milliseconds: 951_868_799_999, counter: 0).iso8601 == "2000-02-29T23:59:59.999Z")
        #expect(HLCTimestamp(milliseconds: -1, counter: 0).iso8601 == "1969-12-31T23:59:59.999Z")
        // Changes hold no negative readings (canonical JSON has no sign), but the type does: before year 1 the year keeps its sign.
        #expect(HLCTimestamp(milliseconds: -62_198_755_200_000, counter: 0).iso8601 == "-0001-01-01T00:00:00.000Z")
    }

    @Test("the printed date agrees with Foundation's Gregorian calendar, over leap days, centuries and the largest reading")
    func iso8601AgreesWithCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        func expected(_ milliseconds: Int) -> String {
            let (seconds, millisecond) = milliseconds.quotientAndRemainder(dividingBy: 1000)
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                                from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.year!, parts.month!, parts.day!,
                          parts.hour!, parts.minute!, parts.second!, millisecond)
        }
        var generator = SeededGenerator(seed: 8601)
        let largest = CanonicalJSON.maximumInteger
        var readings = [0, 999, 86_399_999, 86_400_000, 951_782_400_000, 4_107_542_399_999, 4_107_542_400_000, largest]
        readings += (0..<3_000).map { _ in Int.random(in: 0...4_102_444_800_000, using: &generator) }  // to 2100
        readings += (0..<1_000).map { _ in Int.random(in: 0...largest, using: &generator) }
        for milliseconds in readings {
            #expect(HLCTimestamp(milliseconds: milliseconds, counter: 0).iso8601 == expected(milliseconds), "\(milliseconds)")
        }
    }

    @Test("local events follow wall time and count within one millisecond")
    func localEvents() {
        var clock = HybridClock()
        #expect(clock.tick(now: 1000) == reading(1000, 0))
        #expect(clock.tick(now: 1000) == reading(1000, 1))
        #expect(clock.tick(now: 1000) == reading(1000, 2))
        #expect(clock.tick(now: 1005) == reading(1005, 0))
    }

    @Test("a wall clock that jumps back never makes the clock go back")
    func wallClockJumpsBack() {
        var clock = HybridClock()
        #expect(clock.tick(now: 5000) == reading(5000, 0))
        #expect(clock.tick(now: 3000) == reading(5000, 1))
        #expect(clock.tick(now: 4999) == reading(5000, 2))
        #expect(clock.tick(now: 5001) == reading(5001, 0))
    }

    // The receive rule of Kulkarni et al. 2014, figure 5, one case per branch.
    @Test("receiving a reading ahead of both clocks takes its time and counts past it")
    func receiveAhead() {
        var clock = HybridClock(last: reading(10, 3))
        #expect(clock.observe(reading(20, 7), now: 15) == .merged)
        #expect(clock.last == reading(20, 8))
    }

    @Test("receiving a reading equal in time to the local clock counts past both counters")
    func receiveEqual() {
        var clock = HybridClock(last: reading(20, 3))
        #expect(clock.observe(reading(20, 7), now: 15) == .merged)
        #expect(clock.last == reading(20, 8))
    }

    @Test("receiving an older reading keeps local time and counts on")
    func receiveOlder() {
        var clock = HybridClock(last: reading(20, 3))
        #expect(clock.observe(reading(10, 9), now: 15) == .merged)
        #expect(clock.last == reading(20, 4))
    }

    @Test("receiving when wall time is ahead of both resets the counter")
    func receiveBehindWallTime() {
        var clock = HybridClock(last: reading(20, 3))
        #expect(clock.observe(reading(10, 9), now: 30) == .merged)
        #expect(clock.last == reading(30, 0))
    }

    @Test("a reading more than a day ahead is flagged and does not drag the clock")
    func farFuture() {
        let day = HybridClock.defaultMaximumDrift
        var clock = HybridClock(last: reading(1000, 0))
        #expect(clock.observe(reading(1000 + day + 1, 0), now: 1000) == .tooFarAhead(drift: day + 1))
        #expect(clock.last == reading(1000, 0))
        #expect(clock.observe(reading(1000 + day, 0), now: 1000) == .merged, "exactly the bound is accepted")
        #expect(clock.last == reading(1000 + day, 1))
    }

    @Test("readings order by time, then counter")
    func ordering() {
        #expect(reading(1, 9) < reading(2, 0))
        #expect(reading(2, 0) < reading(2, 1))
    }
}
