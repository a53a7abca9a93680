/// How etcdctl prints: tables as its tablewriter draws them, sizes as go-humanize writes them,
/// durations as Go formats them.
enum EtcdctlOutput {
    /// A table as `-w table` draws it: headers upper-cased and centred, cells right-aligned.
    static func table(header: [String], rows: [[String]]) -> String {
        let widths = header.indices.map { column in
            max(header[column].count, rows.map { $0[column].count }.max() ?? 0)
        }
        let border = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+"
        func line(_ cells: [String], _ align: (String, Int) -> String) -> String {
            "|" + zip(cells, widths).map { " " + align($0, $1) + " " }.joined(separator: "|") + "|"
        }
        var lines = [border, line(header.map { $0.uppercased() }, center), border]
        lines += rows.map { line($0, rightAlign) }
        lines.append(border)
        return lines.joined(separator: "\n")
    }

    private static func center(_ text: String, _ width: Int) -> String {
        let gap = width - text.count
        let left = gap / 2
        return String(repeating: " ", count: left) + text + String(repeating: " ", count: gap - left)
    }

    private static func rightAlign(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: width - text.count) + text
    }

    /// Comma-separated rows, as the simple printer writes them.
    static func simple(_ rows: [[String]]) -> String {
        rows.map { $0.joined(separator: ", ") }.joined(separator: "\n")
    }

    /// go-humanize's `Bytes`: SI units, `20 kB`, `1.5 MB`.
    static func bytes(_ count: Int) -> String {
        if count < 10 { return "\(count) B" }
        let units = ["B", "kB", "MB", "GB", "TB"]
        var exponent = 0
        var scaled = Double(count)
        while scaled >= 1_000 && exponent < units.count - 1 {
            scaled /= 1_000
            exponent += 1
        }
        let rounded = (scaled * 10 + 0.5).rounded(.down) / 10
        if rounded < 10 {
            let tenths = Int((rounded * 10).rounded())
            return "\(tenths / 10).\(tenths % 10) \(units[exponent])"
        }
        return "\(Int(rounded.rounded(.toNearestOrEven))) \(units[exponent])"
    }

    /// Go's `time.Duration` string for whole microseconds: `850µs`, `2.13ms`, `1.5s`.
    static func duration(_ microseconds: Int64) -> String {
        func decimal(_ value: Int64, _ scale: Int64, _ unit: String) -> String {
            let whole = value / scale
            var fraction = String(value % scale)
            fraction = String(repeating: "0", count: String(scale).count - 1 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            return fraction.isEmpty ? "\(whole)\(unit)" : "\(whole).\(fraction)\(unit)"
        }
        if microseconds < 1_000 { return "\(microseconds)µs" }
        if microseconds < 1_000_000 { return decimal(microseconds, 1_000, "ms") }
        return decimal(microseconds, 1_000_000, "s")
    }

    /// `%16x`: hex, padded with spaces to sixteen characters.
    static func paddedHex(_ value: UInt64) -> String {
        let hex = String(value, radix: 16)
        return String(repeating: " ", count: max(0, 16 - hex.count)) + hex
    }
}
