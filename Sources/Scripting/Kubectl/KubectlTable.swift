import Simulation

/// Columns laid out as kubectl's tabwriter does: each column as wide as its widest cell plus
/// three spaces (at least six), the last column unpadded.
struct KubectlTable {
    var rows: [[String]]

    init(header: [String]) { rows = [header] }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render(padding: Int = 3, minimumWidth: Int = 6) -> String {
        guard let columnCount = rows.map(\.count).max(), columnCount > 0 else { return "" }
        var widths = Array(repeating: 0, count: columnCount)
        for row in rows {
            for (index, cell) in row.enumerated() where index < columnCount - 1 {
                widths[index] = max(widths[index], max(cell.count + padding, minimumWidth))
            }
        }
        return rows.map { row in
            var line = ""
            for (index, cell) in row.enumerated() {
                line += index == row.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[index] - cell.count))
            }
            return line.trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

/// kubectl's ways of printing time.
enum KubectlTime {
    /// `duration.HumanDuration`, as the AGE and LAST SEEN columns print spans: exact seconds up
    /// to two minutes, then coarser the older it gets (`5m12s`, `42m`, `3h4m`, `9h`, `2d3h`, `30d`).
    static func human(seconds: Int64) -> String {
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        return "\(hours / 24 / 365)y"
    }

    static func age(_ timestamp: Timestamp?, now: Timestamp) -> String {
        guard let timestamp else { return "<unknown>" }
        return human(seconds: timestamp.seconds(until: now))
    }

    /// RFC 1123 with a numeric zone, as `kubectl describe` prints times: `Fri, 27 Oct 2017 14:10:05 +0000`.
    static func rfc1123(_ timestamp: Timestamp) -> String {
        let calendar = CalendarTime(secondsSinceEpoch: timestamp.secondsSinceEpoch)
        let days = timestamp.secondsSinceEpoch.floorDivided(by: 86_400)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][calendar.month - 1]
        let day = calendar.day < 10 ? "0\(calendar.day)" : "\(calendar.day)"
        return "\(weekday), \(day) \(month) \(calendar.year) \(calendar.clock) +0000"
    }
}

extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
