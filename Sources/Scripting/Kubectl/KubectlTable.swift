import Simulation

/// Columns laid out as kubectl's tabwriter does: each column as wide as its widest cell plus
/// three spaces (at least six), the last column unpadded.
struct KubectlTable {
    var rows: [[String]]
    /// tabwriter's minimum cell width: 10 in kubectl up to 1.12, 6 after.
    var minimumWidth: Int

    init(header: [String], minimumWidth: Int = 6) {
        rows = [header]
        self.minimumWidth = minimumWidth
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render(padding: Int = 3) -> String {
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
