import Foundation

extension HLCTimestamp {
    /// The reading's wall time in UTC to the millisecond, as JSON and the
    /// W3C model write times: "2026-11-29T07:10:03.123Z". Computed from the
    /// integer milliseconds, so no floating-point rounding moves a digit.
    public var iso8601: String {
        let (seconds, millisecond) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                            from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.year!, parts.month!, parts.day!, parts.hour!,
                      parts.minute!, parts.second!, millisecond)
    }
}
