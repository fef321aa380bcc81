extension HLCTimestamp {
    /// The reading's wall time in UTC to the millisecond, as JSON and the
    /// W3C model write times: "2026-11-29T07:10:03.123Z". Computed from the
    /// integer milliseconds, so no floating-point rounding moves a digit.
    ///
    /// The date is worked out in integers (Howard Hinnant's `civil_from_days`,
    /// the proleptic Gregorian calendar), not with Foundation's `Calendar`,
    /// whose set-up (a time zone, the calendar, `String(format:)`) cost more
    /// than the rest of a `gloss show`.
    public var iso8601: String {
        let (days, millisecondOfDay) = milliseconds.floorDivided(by: 86_400_000)
        let (hour, minute, second, millisecond) = (millisecondOfDay / 3_600_000, millisecondOfDay / 60_000 % 60,
                                                   millisecondOfDay / 1000 % 60, millisecondOfDay % 1000)
        // Days since 1970-01-01 to year, month and day, with years starting on 1 March.
        let (era, dayOfEra) = (days + 719_468).floorDivided(by: 146_097)
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

        func digits(_ value: Int, _ width: Int) -> String {
            let text = String(value.magnitude)
            return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(digits(year, 4))-\(digits(month, 2))-\(digits(day, 2))T\(digits(hour, 2)):\(digits(minute, 2)):\(digits(second, 2)).\(digits(millisecond, 3))Z"
    }
}

private extension Int {
    /// Quotient and remainder rounded towards minus infinity, so the remainder is never negative.
    func floorDivided(by divisor: Int) -> (quotient: Int, remainder: Int) {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
