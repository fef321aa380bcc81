/// A hybrid logical clock reading (Kulkarni et al., 2014): wall time in
/// milliseconds since 1970 and a counter that orders events within one
/// millisecond. Ordered by time, then counter.
public struct HLCTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var milliseconds: Int
    public var counter: Int

    public init(milliseconds: Int, counter: Int) {
        self.milliseconds = milliseconds
        self.counter = counter
    }

    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool {
        (lhs.milliseconds, lhs.counter) < (rhs.milliseconds, rhs.counter)
    }

    public var description: String { "\(milliseconds).\(counter)" }
}

/// The hybrid logical clock of one device.
///
/// Readings never go backwards, even when the wall clock does, and stay close
/// to wall time. A remote reading more than `maximumDrift` ahead of local wall
/// time is reported and otherwise ignored, so one peer with a wrong clock
/// cannot drag every replica's clock into the future.
public struct HybridClock: Sendable {
    /// The last reading issued or observed.
    public private(set) var last: HLCTimestamp
    /// How far ahead of wall time a remote reading may be before it is
    /// flagged instead of followed.
    public let maximumDrift: Int

    public static let defaultMaximumDrift = 24 * 60 * 60 * 1000

    public init(last: HLCTimestamp = HLCTimestamp(milliseconds: 0, counter: 0),
                maximumDrift: Int = HybridClock.defaultMaximumDrift) {
        self.last = last
        self.maximumDrift = maximumDrift
    }

    /// The reading for a local event at wall time `now` (ms since 1970).
    public mutating func tick(now: Int) -> HLCTimestamp {
        if now > last.milliseconds {
            last = HLCTimestamp(milliseconds: now, counter: 0)
        } else {
            last.counter += 1
        }
        return last
    }

    /// What happened when a remote reading was observed.
    public enum Observation: Equatable, Sendable {
        /// The clock now reflects the remote reading.
        case merged
        /// The reading was `drift` ms ahead of local wall time, beyond
        /// `maximumDrift`; the clock did not follow it.
        case tooFarAhead(drift: Int)
    }

    /// Takes a reading received from another device at wall time `now`.
    public mutating func observe(_ remote: HLCTimestamp, now: Int) -> Observation {
        let drift = remote.milliseconds - now
        guard drift <= maximumDrift else { return .tooFarAhead(drift: drift) }
        let milliseconds = max(last.milliseconds, remote.milliseconds, now)
        let counter: Int
        switch (milliseconds == last.milliseconds, milliseconds == remote.milliseconds) {
        case (true, true): counter = max(last.counter, remote.counter) + 1
        case (true, false): counter = last.counter + 1
        case (false, true): counter = remote.counter + 1
        case (false, false): counter = 0
        }
        last = HLCTimestamp(milliseconds: milliseconds, counter: counter)
        return .merged
    }
}
