import Simulation

/// The debrief page of a cohort: a sortable table (a row per session, a column per check, total,
/// time to mitigate, hints), the score distribution, and the checks most often missed with the
/// feedback they gave, each session linked to its own page written beside this one.
public enum ClassReportPage {
    public struct Entry: Sendable {
        public let report: SessionReport
        /// The session's page, relative to the class page; nil when it has none.
        public let link: String?

        public init(report: SessionReport, link: String?) {
            self.report = report
            self.link = link
        }
    }

    public static func render(_ entries: [Entry], title: String = "Class debrief") -> String {
        let grades = entries.map(\.report.grade)
        let checkNames = columns(grades)
        let graded = grades.filter { !$0.isError }
        var body = ["<header>", "<h1>\(ReportHTML.escape(title))</h1>",
                    "<p class=\"meta\">\(entries.count) sessions, \(graded.count) graded" + (graded.count < entries.count ? ", \(entries.count - graded.count) not graded" : "")
                        + labs(grades) + "</p>", "</header>"]
        body += table(entries, checkNames: checkNames)
        body += distribution(graded)
        body += missed(graded, checkNames: checkNames)
        return ReportHTML.page(title: title, body: body)
    }

    /// The checks in the order the sessions' rubrics give them, each name once.
    private static func columns(_ grades: [SessionGrade]) -> [String] {
        var names: [String] = []
        for grade in grades { for check in grade.checks where !names.contains(check.name) { names.append(check.name) } }
        return names
    }

    private static func labs(_ grades: [SessionGrade]) -> String {
        var labs: [String] = []
        for lab in grades.compactMap(\.lab) where !labs.contains(lab) { labs.append(lab) }
        return labs.isEmpty ? "" : " · lab " + labs.map(ReportHTML.escape).joined(separator: ", ")
    }

    private static func table(_ entries: [Entry], checkNames: [String]) -> [String] {
        let headers = ["<th data-sort=\"text\">session</th>"]
            + checkNames.map { "<th class=\"number\" data-sort=\"number\">\(ReportHTML.escape($0))</th>" }
            + ["<th class=\"number\" data-sort=\"number\">total</th>", "<th class=\"number\" data-sort=\"number\">time to mitigate</th>",
               "<th class=\"number\" data-sort=\"number\">hints</th>"]
        var lines = ["<section id=\"sessions\">", "<h2>Sessions</h2>", "<table class=\"sortable\">", "<thead><tr>" + headers.joined() + "</tr></thead>", "<tbody>"]
        for entry in entries {
            lines.append("<tr class=\"session\">" + row(entry, checkNames: checkNames).joined() + "</tr>")
        }
        lines += ["</tbody>", "</table>", "<p class=\"muted\">Time to mitigate: from arrival until every request class stays at or above "
                    + "\(ReportHTML.percent(DebriefSeries.healthy)) success to the end of the session. Click a heading to sort.</p>", "</section>"]
        return lines
    }

    private static func row(_ entry: Entry, checkNames: [String]) -> [String] {
        let grade = entry.report.grade
        let name = ReportHTML.escape(grade.session)
        var cells = [entry.link.map { "<td><a href=\"\(ReportHTML.escape($0))\">\(name)</a></td>" } ?? "<td>\(name)</td>"]
        if let error = grade.error {
            cells.append("<td colspan=\"\(checkNames.count + 3)\" class=\"fail\" data-value=\"-1\">not graded: \(ReportHTML.escape(error))</td>")
            return cells
        }
        for name in checkNames {
            guard let check = grade.checks.first(where: { $0.name == name }) else { cells.append("<td class=\"number\" data-value=\"-1\">–</td>"); continue }
            let style = check.passed ? "pass" : check.score > 0 ? "partial" : "fail"
            cells.append("<td class=\"number \(style)\" data-value=\"\(ScoreText.format(check.score))\" title=\"\(ReportHTML.escape(check.feedback))\">\(ScoreText.format(check.score))/\(ScoreText.format(check.maxScore))</td>")
        }
        cells.append("<td class=\"number\" data-value=\"\(ScoreText.format(grade.score))\"><b>\(ScoreText.format(grade.score))</b>/\(ScoreText.format(grade.maxScore))</td>")
        let debrief = entry.report.debrief
        if let debrief, let mitigated = debrief.mitigatedAt {
            let span = mitigated - debrief.start
            cells.append("<td class=\"number\" data-value=\"\(span / Span.microsecondsPerSecond)\">\(ReportHTML.duration(span))</td>")
        } else {
            let why = debrief?.chartKind == .success ? "never" : "no traffic"
            cells.append("<td class=\"number\" data-value=\"999999999\">\(why)</td>")
        }
        cells.append("<td class=\"number\">\(debrief?.hintsUsed ?? 0)</td>")
        return cells
    }

    /// A bar per whole point of score.
    private static func distribution(_ graded: [SessionGrade]) -> [String] {
        guard let top = graded.map(\.maxScore).max(), top > 0 else { return [] }
        let buckets = Int(top.rounded(.up))
        var counts = Array(repeating: 0, count: buckets + 1)
        for grade in graded { counts[min(Int(grade.score.rounded(.down)), buckets)] += 1 }
        let tallest = Double(max(counts.max() ?? 1, 1))
        let barWidth = 600.0 / Double(buckets + 1), height = 120.0
        var svg = ["<svg class=\"distribution\" viewBox=\"0 0 620 150\" role=\"img\" aria-label=\"score distribution\">"]
        for (score, count) in counts.enumerated() {
            let barHeight = height * Double(count) / tallest
            let x = 10 + Double(score) * barWidth
            svg.append("<rect class=\"bar\" data-score=\"\(score)\" data-count=\"\(count)\" x=\"\(ReportHTML.number(x + 2))\" y=\"\(ReportHTML.number(10 + height - barHeight))\" width=\"\(ReportHTML.number(barWidth - 4))\" height=\"\(ReportHTML.number(barHeight))\" fill=\"currentColor\"><title>\(count) scored \(score)\(score < buckets ? " to under \(score + 1)" : "")</title></rect>")
            svg.append("<text x=\"\(ReportHTML.number(x + barWidth / 2))\" y=\"145\" text-anchor=\"middle\">\(score)</text>")
            if count > 0 { svg.append("<text x=\"\(ReportHTML.number(x + barWidth / 2))\" y=\"\(ReportHTML.number(6 + height - barHeight))\" text-anchor=\"middle\">\(count)</text>") }
        }
        svg.append("</svg>")
        return ["<section id=\"distribution\" class=\"s0\">", "<h2>Score distribution</h2>"] + svg + ["</section>"]
    }

    /// Checks by how many sessions fell short of full marks, with each distinct feedback and how often.
    private static func missed(_ graded: [SessionGrade], checkNames: [String]) -> [String] {
        let misses = checkNames.map { name in
            (name, graded.compactMap { $0.checks.first { $0.name == name && !$0.passed } })
        }.filter { !$0.1.isEmpty }
        let ordered = misses.enumerated().sorted { ($1.element.1.count, $0.offset) < ($0.element.1.count, $1.offset) }.map(\.element)
        var lines = ["<section id=\"missed\">", "<h2>Most missed checks</h2>"]
        guard !ordered.isEmpty else { return lines + ["<p>Every graded session passed every check.</p>", "</section>"] }
        lines.append("<ol>")
        for (name, checks) in ordered {
            var feedback: [(String, Int)] = []
            for check in checks where !check.feedback.isEmpty {
                if let index = feedback.firstIndex(where: { $0.0 == check.feedback }) { feedback[index].1 += 1 } else { feedback.append((check.feedback, 1)) }
            }
            lines.append("<li class=\"missed\"><b>\(ReportHTML.escape(name))</b>: missed by \(checks.count) of \(graded.count)<ul>"
                         + feedback.map { "<li>\(ReportHTML.escape($0.0))" + ($0.1 > 1 ? " <span class=\"muted\">(×\($0.1))</span>" : "") + "</li>" }.joined()
                         + "</ul></li>")
        }
        return lines + ["</ol>", "</section>"]
    }
}
