/// Resource quantities as the API writes them: CPU in cores or millicores (`2`, `250m`), memory
/// in bytes with SI or binary suffixes (`128Mi`, `1G`).
public enum Quantity {
    /// Millicores in a CPU quantity, or nil if it does not parse.
    public static func millicores(_ text: String) -> Int64? {
        if text.hasSuffix("m") { return Int64(text.dropLast()) }
        guard let cores = Double(text), cores >= 0 else { return nil }
        return Int64((cores * 1_000).rounded())
    }

    /// Bytes in a memory quantity, or nil if it does not parse.
    public static func bytes(_ text: String) -> Int64? {
        let suffixes: [(String, Double)] = [
            ("Ki", 1_024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
            ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12),
        ]
        for (suffix, scale) in suffixes where text.hasSuffix(suffix) {
            guard let number = Double(text.dropLast(suffix.count)), number >= 0 else { return nil }
            return Int64((number * scale).rounded())
        }
        guard let number = Double(text), number >= 0 else { return nil }
        return Int64(number.rounded())
    }

    /// Memory for display, in the largest binary unit that divides it (`8Gi`, `512Mi`).
    public static func formatBytes(_ bytes: Int64) -> String {
        for (suffix, scale) in [("Ti", Int64(1) << 40), ("Gi", Int64(1) << 30), ("Mi", Int64(1) << 20), ("Ki", Int64(1) << 10)]
            where bytes >= scale && bytes % scale == 0 {
            return "\(bytes / scale)\(suffix)"
        }
        return String(bytes)
    }

    public static func formatMillicores(_ millicores: Int64) -> String {
        millicores % 1_000 == 0 ? String(millicores / 1_000) : "\(millicores)m"
    }
}
