import Simulation

/// The debrief page of one session: metadata and score, the impact chart with alert bands and a
/// track of markers per kind of action (and the 2017 track where the lab ships one), the checks,
/// then every action in order with its input and output. One self-contained HTML file.
public enum SessionReportPage {
    /// The chart's geometry in SVG units: the plot runs from `left` to `width - right`.
    static let width = 1000.0, left = 150.0, right = 12.0
    static let plotHeight = 220.0, gaugeHeight = 60.0, laneHeight = 18.0
    /// Command output kept on the page; the rest is cut with a note (a `dashboard()` is a few KiB).
    static let longestOutputBytes = 16 << 10

    public static func render(_ debrief: SessionDebrief) -> String {
        let grade = debrief.grade
        let title = "Debrief: \(debrief.title)"
        var body = ["<header>", "<h1>\(ReportHTML.escape(debrief.title))</h1>",
                    "<p class=\"meta\">lab <b>\(ReportHTML.escape(debrief.lab))</b> · seed \(debrief.seed) · \(debrief.date) · "
                        + "\(debrief.startClock)–\(debrief.endClock) (\(ReportHTML.duration(debrief.duration))) · session \(ReportHTML.escape(grade.session))</p>",
                    "<p class=\"score\" id=\"score\">\(ScoreText.format(grade.score))/\(ScoreText.format(grade.maxScore))"
                        + (grade.isPractice ? " <span class=\"muted\">practice</span>" : "") + (grade.isForced ? " <span class=\"fail\">FORCED</span>" : "") + "</p>",
                    "</header>"]
        body += ["<section id=\"impact\">", "<h2>\(debrief.chartKind == .success ? "What customers felt" : "The platform, as the lab's gauges saw it")</h2>"]
        body += legend(debrief)
        body += chart(debrief)
        body += ["</section>"]
        body += checks(grade)
        body += timeline(debrief)
        body += injects(debrief)
        if !grade.warnings.isEmpty || !grade.forced.isEmpty {
            body += ["<section id=\"warnings\">", "<h2>Warnings</h2>", "<ul>"]
            body += (grade.forced.map { "FORCED: " + $0 } + grade.warnings).map { "<li>\(ReportHTML.escape($0))</li>" }
            body += ["</ul>", "</section>"]
        }
        return ReportHTML.page(title: title, body: body)
    }

    /// The page for a session that could not be graded: the same error `grade` gives.
    public static func render(failed grade: SessionGrade) -> String {
        ReportHTML.page(title: "Debrief: \(grade.session) (not graded)", body: [
            "<h1>\(ReportHTML.escape(grade.session))</h1>", "<p class=\"fail\" id=\"error\">not graded: \(ReportHTML.escape(grade.error ?? ""))</p>",
        ])
    }

    // MARK: Chart

    private static func legend(_ debrief: SessionDebrief) -> [String] {
        var items = debrief.series.enumerated().map { "<span class=\"s\($0.offset % 7)\">\(ReportHTML.escape($0.element.name))</span>" }
        if debrief.chartKind == .success { items.append("<span class=\"muted\">success per second, 0–100%; alerts as red bands</span>") }
        return ["<div class=\"legend\">" + items.joined(separator: " ") + "</div>"]
    }

    private static func chart(_ debrief: SessionDebrief) -> [String] {
        let x = { (time: SimTime) -> Double in
            let span = Double(max(debrief.duration, 1))
            return left + (width - left - right) * Double(time - debrief.start) / span
        }
        var svg: [String] = []
        var top = 8.0
        if debrief.chartKind == .success {
            svg += successPanel(debrief, x: x, top: top)
            top += plotHeight + 8
        } else {
            for (index, series) in debrief.series.enumerated() {
                svg += gaugePanel(series, index: index, debrief: debrief, x: x, top: top)
                top += gaugeHeight + 8
            }
        }
        let (lanes, height) = laneRows(debrief, x: x, top: top)
        svg += lanes
        let axis = top + height + 4
        svg += debrief.ticks.map {
            // A tick at the right edge is written leftwards, so it is not cut off.
            let anchor = x($0.time) > width - right - 20 ? "end" : "middle"
            return "<text x=\"\(ReportHTML.number(x($0.time)))\" y=\"\(ReportHTML.number(axis + 10))\" text-anchor=\"\(anchor)\">\($0.clock)</text>"
        }
        let total = axis + 16
        return ["<svg class=\"chart\" viewBox=\"0 0 \(ReportHTML.number(width)) \(ReportHTML.number(total))\" role=\"img\" aria-label=\"impact chart\">"]
            + svg + ["</svg>"]
    }

    private static func successPanel(_ debrief: SessionDebrief, x: (SimTime) -> Double, top: Double) -> [String] {
        let y = { (value: Double) in top + plotHeight * (1 - value) }
        var svg = paging(debrief.alerts).map {
            "<rect class=\"shade\" x=\"\(ReportHTML.number(x($0.from)))\" y=\"\(ReportHTML.number(top))\" width=\"\(ReportHTML.number(max(x($0.to) - x($0.from), 1)))\" height=\"\(ReportHTML.number(plotHeight))\"/>"
        }
        svg += grid(debrief, x: x, top: top, height: plotHeight)
        for level in [0.0, 0.5, 0.9, 1.0] {
            svg.append("<line class=\"grid\" x1=\"\(ReportHTML.number(left))\" x2=\"\(ReportHTML.number(width - right))\" y1=\"\(ReportHTML.number(y(level)))\" y2=\"\(ReportHTML.number(y(level)))\"/>")
            svg.append("<text x=\"\(ReportHTML.number(left - 6))\" y=\"\(ReportHTML.number(y(level) + 4))\" text-anchor=\"end\">\(ReportHTML.percent(level))</text>")
        }
        for (index, series) in debrief.series.enumerated() {
            svg.append(path(series, index: index, x: x, y: y, steps: false))
        }
        return svg
    }

    /// The spans when at least one paging alert fired: shaded once, however many overlap.
    static func paging(_ alerts: [AlertBand]) -> [(from: SimTime, to: SimTime)] {
        var spans: [(from: SimTime, to: SimTime)] = []
        for band in alerts.filter({ $0.severity == "page" }).sorted(by: { $0.from < $1.from }) {
            if let last = spans.last, band.from <= last.to {
                spans[spans.count - 1].to = max(last.to, band.to)
            } else {
                spans.append((band.from, band.to))
            }
        }
        return spans
    }

    private static func gaugePanel(_ series: DebriefSeries, index: Int, debrief: SessionDebrief, x: (SimTime) -> Double, top: Double) -> [String] {
        let highest = max(series.points.map(\.value).max() ?? 1, 1)
        let y = { (value: Double) in top + gaugeHeight * (1 - value / highest) }
        var svg = grid(debrief, x: x, top: top, height: gaugeHeight)
        svg.append("<line class=\"grid\" x1=\"\(ReportHTML.number(left))\" x2=\"\(ReportHTML.number(width - right))\" y1=\"\(ReportHTML.number(top + gaugeHeight))\" y2=\"\(ReportHTML.number(top + gaugeHeight))\"/>")
        svg.append("<text x=\"\(ReportHTML.number(left - 6))\" y=\"\(ReportHTML.number(top + 12))\" text-anchor=\"end\">\(ReportHTML.escape(series.name))</text>")
        svg.append("<text x=\"\(ReportHTML.number(left - 6))\" y=\"\(ReportHTML.number(top + 26))\" text-anchor=\"end\">0–\(ScoreText.format(highest))</text>")
        // A gauge holds its value until the next change, and to the end of the session.
        var extended = series
        if let last = series.points.last, last.time < debrief.end {
            extended = DebriefSeries(name: series.name, points: series.points + [DebriefSeries.Point(time: debrief.end, value: last.value)])
        }
        svg.append(path(extended, index: index, x: x, y: y, steps: true))
        return svg
    }

    private static func grid(_ debrief: SessionDebrief, x: (SimTime) -> Double, top: Double, height: Double) -> [String] {
        debrief.ticks.map {
            "<line class=\"grid\" x1=\"\(ReportHTML.number(x($0.time)))\" x2=\"\(ReportHTML.number(x($0.time)))\" y1=\"\(ReportHTML.number(top))\" y2=\"\(ReportHTML.number(top + height))\"/>"
        }
    }

    /// One series as a path: a point per sample, broken where samples are missing (a second with
    /// no requests), or as steps for a gauge.
    private static func path(_ series: DebriefSeries, index: Int, x: (SimTime) -> Double, y: (Double) -> Double, steps: Bool) -> String {
        var commands: [String] = []
        var previous: DebriefSeries.Point?
        for point in series.points {
            let px = ReportHTML.number(x(point.time)), py = ReportHTML.number(y(point.value))
            if previous != nil, steps {
                commands.append("H\(px)V\(py)")
            } else if let previous, point.time - previous.time <= Span.seconds(1) {
                commands.append("L\(px) \(py)")
            } else {
                commands.append("M\(px) \(py)")
            }
            previous = point
        }
        return "<path class=\"series s\(index % 7)\" data-series=\"\(ReportHTML.escape(series.name))\" d=\"\(commands.joined())\"/>"
    }

    // MARK: Lanes: alerts, then the trainee's actions, the lab's, and 2017's

    private static func laneRows(_ debrief: SessionDebrief, x: (SimTime) -> Double, top: Double) -> ([String], Double) {
        var svg: [String] = []
        var row = top
        func label(_ text: String) {
            svg.append("<text x=\"\(ReportHTML.number(left - 6))\" y=\"\(ReportHTML.number(row + 12))\" text-anchor=\"end\">\(ReportHTML.escape(text))</text>")
        }
        var alertNames: [String] = []
        for band in debrief.alerts where !alertNames.contains(band.name) { alertNames.append(band.name) }
        for name in alertNames {
            label(name)
            for band in debrief.alerts where band.name == name {
                let tip = "\(band.name) (\(band.severity)) fired \(band.fromClock)–\(band.toClock): \(band.summary)"
                svg.append("<rect class=\"band \(band.severity)\" data-alert=\"\(ReportHTML.escape(name))\" x=\"\(ReportHTML.number(x(band.from)))\" y=\"\(ReportHTML.number(row + 3))\" width=\"\(ReportHTML.number(max(x(band.to) - x(band.from), 1)))\" height=\"\(ReportHTML.number(laneHeight - 6))\"><title>\(ReportHTML.escape(tip))</title></rect>")
            }
            row += laneHeight
        }
        let lanes: [(String, String, [DebriefMarker])] = [
            ("you: commands", "command", debrief.markers.filter { $0.kind == .command }),
            ("you: hints, status, steps", "mixed", debrief.markers.filter { [DebriefMarker.Kind.hint, .status, .step].contains($0.kind) }),
            ("lab: injects", "inject", debrief.markers.filter { $0.kind == .inject }),
        ]
        for (name, _, markers) in lanes {
            label(name)
            svg += markers.map { marker(of: $0, id: anchor($0), x: x($0.time), y: row + laneHeight / 2, reference: false) }
            row += laneHeight
        }
        if let reference = debrief.reference {
            label("2017: the real engineers")
            svg.append("<g class=\"track-2017\" data-track=\"2017\">")
            svg += reference.map { marker(of: $0, id: "r-\($0.number ?? 0)", x: x($0.time), y: row + laneHeight / 2, reference: true) }
            svg.append("</g>")
            row += laneHeight
        }
        return (svg, row - top)
    }

    private static func marker(of marker: DebriefMarker, id: String, x: Double, y: Double, reference: Bool) -> String {
        let kind = reference ? "reference" : marker.kind.rawValue
        let failed = marker.failed && !reference ? " failed" : ""
        let tip = "\(marker.clock) \(marker.kind.rawValue): \(marker.title)"
        let shape = marker.kind == .command
            ? "<circle cx=\"\(ReportHTML.number(x))\" cy=\"\(ReportHTML.number(y))\" r=\"4.5\"/>"
            : "<rect x=\"\(ReportHTML.number(x - 4))\" y=\"\(ReportHTML.number(y - 4))\" width=\"8\" height=\"8\" transform=\"rotate(45 \(ReportHTML.number(x)) \(ReportHTML.number(y)))\"/>"
        return "<a href=\"#\(id)\" class=\"marker \(kind)\(failed)\" data-kind=\"\(kind)\"><title>\(ReportHTML.escape(tip))</title>\(shape)</a>"
    }

    static func anchor(_ marker: DebriefMarker) -> String {
        marker.kind == .command ? "c-\(marker.number ?? 0)" : "\(marker.kind.rawValue)-\(marker.time)"
    }

    // MARK: Checks, timeline, injects

    private static func checks(_ grade: SessionGrade) -> [String] {
        var lines = ["<section id=\"checks\">", "<h2>Checks</h2>", "<table>", "<thead><tr><th></th><th>check</th><th class=\"number\">points</th><th>feedback</th></tr></thead>", "<tbody>"]
        for check in grade.checks {
            let (mark, style) = check.passed ? ("✓", "pass") : check.score > 0 ? ("~", "partial") : ("✗", "fail")
            lines.append("<tr class=\"check\"><td class=\"\(style)\">\(mark)</td><td>\(ReportHTML.escape(check.name))</td>"
                         + "<td class=\"number\">\(ScoreText.format(check.score))/\(ScoreText.format(check.maxScore))</td><td>\(ReportHTML.escape(check.feedback))</td></tr>")
        }
        lines += ["</tbody>", "</table>", "</section>"]
        return lines
    }

    private static func timeline(_ debrief: SessionDebrief) -> [String] {
        var lines = ["<section id=\"timeline\">"]
        let yours = ["<h2>What you did</h2>"] + debrief.markers.map { entry($0, id: anchor($0), reference: false) }
        if let reference = debrief.reference {
            let theirs = ["<h2>What the engineers did in 2017</h2>"] + reference.map { entry($0, id: "r-\($0.number ?? 0)", reference: true) }
            lines += ["<div class=\"columns\">", "<div>"] + yours + ["</div>", "<div class=\"track-2017\">"] + theirs + ["</div>", "</div>"]
        } else {
            lines += yours
        }
        lines.append("</section>")
        return lines
    }

    private static func entry(_ marker: DebriefMarker, id: String, reference: Bool) -> String {
        let kind = reference ? "reference" : marker.kind.rawValue
        var parts = ["<details id=\"\(id)\" class=\"\(kind)\">",
                     "<summary><span class=\"kind\">\(marker.clock)</span> <span class=\"kind\">\(marker.kind.rawValue)</span> <code>\(ReportHTML.escape(marker.title))</code>"
                        + (marker.failed ? " <span class=\"fail\">failed</span>" : "") + "</summary>"]
        if !marker.input.isEmpty && marker.input != marker.title { parts.append("<pre class=\"input\">\(ReportHTML.escape(marker.input))</pre>") }
        if !marker.output.isEmpty { parts.append("<pre class=\"output\">\(ReportHTML.escape(cut(marker.output)))</pre>") }
        parts.append("</details>")
        return parts.joined()
    }

    private static func cut(_ output: String) -> String {
        let bytes = output.utf8.count
        guard bytes > longestOutputBytes else { return output }
        let kept = String(decoding: output.utf8.prefix(longestOutputBytes), as: UTF8.self)
        return kept + "\n… (\(bytes - longestOutputBytes) more bytes not shown)"
    }

    private static func injects(_ debrief: SessionDebrief) -> [String] {
        let injects = debrief.markers.filter { $0.kind == .inject }
        guard !injects.isEmpty else { return [] }
        return ["<section id=\"injects\">", "<h2>What the lab did</h2>", "<ul>"]
            + injects.map { "<li><a href=\"#\(anchor($0))\">\($0.clock)</a> \(ReportHTML.escape($0.title))</li>" }
            + ["</ul>", "</section>"]
    }
}
