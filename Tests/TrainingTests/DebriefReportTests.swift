import Foundation
import Scripting
import Simulation
import Testing
@testable import Training

/// A debrief is drawn from the world grading re-executed: its chart is the telemetry the world
/// keeps, every command is on it, and the same session gives the same bytes.
@Suite struct DebriefReportTests {
    let reporter = Reporter(grader: Grader(catalog: shippedCatalog, options: gradingOptions))

    /// The service-discovery lab runs the mini bank: traffic, alerts and a few minutes of work,
    /// cheap enough to replay several times in a debug build.
    @Test func theChartIsTrafficSuccessRateAtTheSameMoments() throws {
        let path = referenceSession("service-discovery")
        let report = reporter.report(path: path)
        let debrief = try #require(report.debrief, "\(report.grade.error ?? "")")
        #expect(debrief.chartKind == .success)
        let reading = try SessionReader.read(path: path)
        let lab = shippedLab("service-discovery")
        var compared = 0
        // Moments spread over the session, on the samples the chart holds.
        let points = try #require(debrief.series.first { !$0.points.isEmpty }).points
        for fraction in [0.1, 0.35, 0.6, 0.85] {
            let moment = points[Int(Double(points.count - 1) * fraction)].time
            let replay = try SessionReplay.run(reading, lab: lab, until: .afterArrival(moment - debrief.start))
            guard replay.session.world.now <= moment else { continue }  // inside a command's sim.advance
            replay.session.advanceWorld(to: moment)
            for series in debrief.series {
                let charted = series.points.first { $0.time == moment }?.value
                let live = try replay.session.runtime.lua.execute("return (traffic.success_rate(\(LuaValue.quote(series.name)), '1s'))").first
                #expect(charted == live?.numberValue, "\(series.name) at \(debrief.startClock)+\(Span.describe(moment - debrief.start))")
                compared += 1
            }
        }
        #expect(compared >= 2 * debrief.series.count, "compared \(compared) values")
    }

    @Test func everyRecordedCommandHasAMarkerAndThePageIsTheSameTwice() throws {
        let path = referenceSession("service-discovery")
        let first = reporter.report(path: path).html
        let second = reporter.report(path: path).html
        #expect(first == second, "two reports of one session differ")
        let commands = try SessionReader.read(path: path).commands
        #expect(occurrences(of: "data-kind=\"command\"", in: first) == commands.count)
        for command in commands { #expect(first.contains("id=\"c-\(command.number)\""), "command \(command.number) has an entry") }
        let classes = ["card_payments", "bank_transfers", "feed_balance", "cops_lookups"]
        let debrief = try #require(reporter.report(path: path).debrief)
        #expect(occurrences(of: "class=\"series ", in: first) == debrief.series.count)
        #expect(classes.allSatisfy { name in debrief.series.contains { $0.name == name } } || !debrief.series.isEmpty)
        for reference in ["src=", "<link", "@import", "url(", "href=\"http"] {
            #expect(!first.contains(reference), "a page loads nothing from elsewhere: \(reference)")
        }
    }

    /// A lab without traffic charts its gauges (hosts up, etcd members) and still marks each step.
    @Test func aLabWithoutTrafficChartsItsGauges() throws {
        let report = reporter.report(path: referenceSession("zone-partition"))
        let debrief = try #require(report.debrief)
        #expect(debrief.chartKind == .gauges)
        #expect(debrief.series.contains { $0.name == "hosts_up" })
        #expect(debrief.reference == nil, "only a lab that ships as-it-happened.jsonl has a 2017 track")
        #expect(debrief.markers.contains { $0.kind == .step })
        #expect(!report.html.contains("data-track=\"2017\""))
    }

    @Test func aBadSessionGetsGradesErrorAndAClassGoesOn() throws {
        let directory = try scratchDirectory()
        let bad = directory.appendingPathComponent("bad.jsonl")
        try "{\"kind\": \"header\"\n".write(to: bad, atomically: true, encoding: .utf8)
        let grader = Grader(catalog: shippedCatalog, options: gradingOptions)
        let report = reporter.report(path: bad.path)
        #expect(report.debrief == nil)
        #expect(report.grade == grader.grade(path: bad.path), "the same error as grade")
        #expect(report.html.contains(ReportHTML.escape(report.grade.error!)))

        let paths = [referenceSession("zone-partition"), bad.path, referenceSession("write-a-drill")]
        let reports = Batch.run(paths, jobs: 2, work: { reporter.report(path: $0) }, progress: { _, _, _ in })
        let page = ClassReportPage.render(zip(reports, ["zone.html", "bad.html", "drill.html"]).map {
            ClassReportPage.Entry(report: $0, link: $0.debrief == nil ? nil : $1)
        })
        #expect(occurrences(of: "<tr class=\"session\">", in: page) == 3)
        #expect(page.contains("href=\"zone.html\"") && page.contains("href=\"drill.html\"") && !page.contains("href=\"bad.html\""))
        #expect(page.contains("not graded"))
        #expect(page.contains("id=\"distribution\"") && page.contains("id=\"missed\""))
    }

    /// The class page lists what was missed most first, with the feedback the grader gave.
    @Test func theClassPageRanksMissedChecksWithTheirFeedback() throws {
        let paths = [referenceSession("zone-partition"), try record(shippedLab("zone-partition"), []), try record(shippedLab("zone-partition"), [(0, "sim.advance('1m')")])]
        let reports = paths.map { reporter.report(path: $0) }
        let page = ClassReportPage.render(reports.map { ClassReportPage.Entry(report: $0, link: nil) })
        let missedByTwo = reports[1].grade.checks.filter { check in
            !check.passed && reports[2].grade.checks.contains { $0.name == check.name && !$0.passed }
                && reports[0].grade.checks.contains { $0.name == check.name && $0.passed }
        }
        let first = try #require(missedByTwo.first)
        #expect(page.contains("<b>\(ReportHTML.escape(first.name))</b>: missed by 2 of 3"))
        #expect(page.contains(ReportHTML.escape(first.feedback)))
        #expect(occurrences(of: "data-sort=", in: page) == reports[0].grade.checks.count + 4)
    }

    /// The Monzo lab ships what the engineers did in 2017. Their own session's debrief shows the
    /// outage at a glance: transfers failing from 14:10, the whole current account down after the
    /// mass linkerd restart, back after 15:31; and their actions on the 2017 track.
    @Test func theMonzoOutageAsItHappened() throws {
        let path = labsDirectory.appendingPathComponent("monzo-2017/solutions/as-it-happened.jsonl").path
        let report = reporter.report(path: path)
        let debrief = try #require(report.debrief, "\(report.grade.error ?? "")")
        #expect(debrief.startClock == "14:10:00")
        let value = { (name: String, clock: String) -> Double? in
            let parts = clock.split(separator: ":").compactMap { Int64($0) }
            let time = debrief.start + Span.seconds((parts[0] - 14) * 3_600 + (parts[1] - 10) * 60)
            return debrief.series.first { $0.name == name }?.points.last { $0.time <= time }?.value
        }
        #expect(try #require(value("bank_transfers", "14:12")) < 0.9, "transfers fail from the start")
        for name in ["bank_transfers", "feed_balance", "cops_lookups"] {
            #expect(try #require(value(name, "15:00")) < 0.05, "\(name): the whole current account is down")
            #expect(try #require(value(name, "15:35")) > 0.95, "\(name): back after 15:31")
        }
        let mitigated = try #require(debrief.mitigatedAt)
        #expect((Span.minutes(80)...Span.minutes(90)).contains(mitigated - debrief.start), "mitigated \(Span.describe(mitigated - debrief.start)) after arrival")
        #expect(debrief.alerts.contains { $0.name == "CardPaymentsFailing" })

        let history = try SessionReader.read(path: path)
        let reference = try #require(debrief.reference)
        #expect(reference.count == history.commands.filter { $0.timeUs >= debrief.start && $0.timeUs <= debrief.end }.count)
        #expect(reference.count > 10)
        #expect(occurrences(of: "data-kind=\"reference\"", in: report.html) == reference.count)
        #expect(report.html.contains("data-track=\"2017\""))
        #expect(occurrences(of: "class=\"series ", in: report.html) == debrief.series.count)
        #expect(debrief.series.count >= 5 && debrief.series.allSatisfy { !$0.points.isEmpty })
    }

    func occurrences(of needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }
}
