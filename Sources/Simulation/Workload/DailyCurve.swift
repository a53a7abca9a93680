/// How busy a request class is over a day: a fraction of its peak rate for each hour of the
/// calendar, interpolated linearly between hours (lunchtime card payments, the evening app rush).
public struct DailyCurve: Sendable, Equatable {
    /// 24 fractions of the peak, for 00:00 to 23:00.
    public let hourlyFractions: [Double]

    public init(_ hourlyFractions: [Double]) {
        precondition(hourlyFractions.count == 24, "a daily curve has one fraction per hour")
        precondition(hourlyFractions.allSatisfy { $0 >= 0 && $0 <= 1 }, "fractions of the peak lie in 0...1")
        self.hourlyFractions = hourlyFractions
    }

    /// The fraction of the peak at a calendar time.
    public func fraction(at time: CalendarTime) -> Double {
        let hour = time.hour
        let within = Double(time.minute * 60 + time.second) / 3_600
        let next = hourlyFractions[(hour + 1) % 24]
        return hourlyFractions[hour] + (next - hourlyFractions[hour]) * within
    }

    /// Shopping: quiet at night, a lunchtime peak and a busy evening.
    public static let cardSpending = DailyCurve([0.08, 0.05, 0.04, 0.03, 0.03, 0.05, 0.12, 0.30, 0.55, 0.62, 0.70, 0.85,
                                                 1.00, 0.95, 0.78, 0.74, 0.78, 0.88, 0.92, 0.80, 0.62, 0.45, 0.28, 0.15])
    /// Bank transfers: business hours, with the morning payment runs.
    public static let transfers = DailyCurve([0.05, 0.04, 0.03, 0.03, 0.03, 0.05, 0.15, 0.45, 0.85, 1.00, 0.95, 0.90,
                                              0.85, 0.85, 0.80, 0.75, 0.70, 0.65, 0.55, 0.45, 0.35, 0.25, 0.15, 0.08])
    /// The app: people check their balance when they wake, at lunch and in the evening.
    public static let appUsage = DailyCurve([0.15, 0.08, 0.05, 0.04, 0.04, 0.08, 0.30, 0.70, 0.85, 0.70, 0.65, 0.80,
                                             0.95, 0.90, 0.70, 0.65, 0.70, 0.85, 0.95, 1.00, 0.90, 0.75, 0.50, 0.28])
    /// Customer operations: the support team's shifts.
    public static let supportShifts = DailyCurve([0.10, 0.08, 0.08, 0.08, 0.08, 0.10, 0.20, 0.55, 0.90, 1.00, 1.00, 0.95,
                                                  0.85, 0.95, 1.00, 1.00, 0.95, 0.85, 0.70, 0.60, 0.50, 0.40, 0.25, 0.15])
}
