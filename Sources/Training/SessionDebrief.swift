import Foundation
import Scripting
import Simulation

/// What a debrief shows of one graded session, read from the world grading re-executed: the
/// customers' success per request class (or the lab's gauges where there is no traffic), the
/// alerts that fired, and the trainee's actions on the same clock. Built only from the replay and
/// the lab's files, never from the outputs written in the session, so the same file always gives
/// the same debrief.
public struct SessionDebrief: Sendable, Codable {
    public let lab: String
    public let title: String
    public let seed: UInt64
    /// Arrival and the judged end, on the world's clock (the x axis runs between them).
    public let start: SimTime
    public let end: SimTime
    public let startClock: String
    public let endClock: String
    public let date: String
    public let grade: SessionGrade
    /// "success" (a series per request class, 0..1) or "gauges" (the lab's history gauges).
    public let chartKind: ChartKind
    public let series: [DebriefSeries]
    public let alerts: [AlertBand]
    /// Commands, hints, status posts, step completions and injects, in time order.
    public let markers: [DebriefMarker]
    /// The real engineers' actions (the lab's `solutions/as-it-happened.jsonl`), if it ships one.
    public let reference: [DebriefMarker]?
    /// Whole-minute ticks for the time axis, with their clocks.
    public let ticks: [DebriefTick]

    public enum ChartKind: String, Sendable, Codable { case success, gauges }

    public var duration: SimTime { end - start }

    /// When customers stopped being hurt: the first moment from which every request class stays at
    /// or above `DebriefSeries.healthy` until the end; nil when they never were, or no traffic.
    public var mitigatedAt: SimTime? {
        guard chartKind == .success else { return nil }
        var latestBad: SimTime?
        for series in self.series {
            if let bad = series.points.last(where: { $0.value < DebriefSeries.healthy }) { latestBad = max(latestBad ?? bad.time, bad.time) }
        }
        guard let latestBad else { return start }
        return series.flatMap(\.points).map(\.time).filter { $0 > latestBad }.min()
    }

    public var hintsUsed: Int { markers.filter { $0.kind == .hint }.count }
}

/// One line on the impact chart: a point per sample the telemetry keeps (one a second for
/// traffic; a point per change for a gauge). A gap (no requests) has no point.
public struct DebriefSeries: Sendable, Codable {
    public struct Point: Sendable, Equatable, Codable {
        public let time: SimTime
        public let value: Double
    }

    public let name: String
    public let points: [Point]
    /// The success share below which customers count as hurt (time to mitigate).
    public static let healthy = 0.95
}

/// A mark on the time axis: a whole minute and its clock (`14:20`).
public struct DebriefTick: Sendable, Equatable, Codable {
    public let time: SimTime
    public let clock: String
}

/// An alert from when it fired to when it resolved (or the end, if it still fires).
public struct AlertBand: Sendable, Equatable, Codable {
    public let name: String
    public let severity: String
    public let from: SimTime
    public let to: SimTime
    public let fromClock: String
    public let toClock: String
    public let summary: String
}

/// Something that happened at a moment: what the trainee did or the lab did to them.
public struct DebriefMarker: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, CaseIterable, Codable { case command, hint, status, step, inject }
    public let kind: Kind
    public let time: SimTime
    public let clock: String
    /// One line: the command typed, the hint's step, the status text, the step's title.
    public let title: String
    /// The whole input (a command's Lua) and what came back.
    public let input: String
    public let output: String
    public let failed: Bool
    /// The command's number in its session, for commands.
    public let number: Int?
}

extension SessionDebrief {
    /// Reads the debrief off a session grading has just judged.
    public static func read(_ graded: GradedSession, referenceFile: String?) -> SessionDebrief {
        let session = graded.session, world = session.world
        let start = session.arrival, end = max(graded.ending.time, world.now)
        let calendar = world.calendarStart
        let clock = { (time: SimTime) in calendar.adding(time).clock }
        let (kind, series) = chart(session, from: start, to: end)
        return SessionDebrief(
            lab: session.lab.id, title: session.lab.title, seed: world.seed, start: start, end: end,
            startClock: clock(start), endClock: clock(end), date: calendar.adding(start).date, grade: graded.grade,
            chartKind: kind, series: series, alerts: alertBands(world, from: start, to: end, clock: clock),
            markers: markers(session, clock: clock),
            reference: referenceFile.flatMap { reference($0, from: start, to: end, clock: clock) },
            ticks: ticks(from: start, to: end, calendar: calendar))
    }

    /// The customers' success per request class where the world has traffic, else the lab's
    /// gauges that are not about traffic.
    private static func chart(_ session: LabSession, from start: SimTime, to end: SimTime) -> (ChartKind, [DebriefSeries]) {
        if let traffic = session.world.component(TrafficEngine.self) {
            let metrics = Telemetry.of(session.world).metrics
            return (.success, traffic.catalog.classes.map { requestClass in
                let samples = metrics.query("success_rate", ["class": requestClass.name]).first?.samples(from: start, to: end) ?? []
                return DebriefSeries(name: requestClass.name, points: samples.map { DebriefSeries.Point(time: $0.time, value: $0.value) })
            })
        }
        let gauges = session.history.series.filter { !$0.name.hasPrefix("success_") && !$0.name.hasPrefix("linkerd_") }
        return (.gauges, gauges.map { DebriefSeries(name: $0.name, points: $0.points.map { DebriefSeries.Point(time: $0.time, value: $0.value) }) })
    }

    /// Pairs the alert manager's pages into bands, clipped to the session.
    private static func alertBands(_ world: World, from start: SimTime, to end: SimTime, clock: (SimTime) -> String) -> [AlertBand] {
        guard let telemetry = world.component(Telemetry.self) else { return [] }
        var open: [(page: Page, from: SimTime)] = []
        var bands: [AlertBand] = []
        func close(_ index: Int, at time: SimTime) {
            let (page, from) = open.remove(at: index)
            if time > start { bands.append(AlertBand(name: page.alert, severity: page.severity.rawValue, from: max(from, start), to: min(time, end),
                                                fromClock: clock(max(from, start)), toClock: clock(min(time, end)), summary: page.summary)) }
        }
        for page in telemetry.alerts.pageHistory where page.time <= end {
            let index = open.firstIndex { $0.page.alert == page.alert }
            switch page.kind {
            case .firing: if index == nil { open.append((page, page.time)) }
            case .resolved: if let index { close(index, at: page.time) }
            }
        }
        while !open.isEmpty { close(0, at: end) }
        return bands.sorted { ($0.from, $0.name) < ($1.from, $1.name) }
    }

    private static func markers(_ session: LabSession, clock: (SimTime) -> String) -> [DebriefMarker] {
        var markers = session.commands.map {
            DebriefMarker(kind: .command, time: $0.time, clock: clock($0.time), title: firstLine($0.input), input: $0.input,
                          output: $0.output, failed: $0.failed, number: $0.number)
        }
        markers += session.hintsUsed.map {
            DebriefMarker(kind: .hint, time: $0.time, clock: clock($0.time), title: "hint \($0.number) for step \($0.step + 1)",
                          input: "", output: $0.text, failed: false, number: nil)
        }
        markers += session.statusPosts.map {
            DebriefMarker(kind: .status, time: $0.time, clock: clock($0.time), title: firstLine($0.text), input: "", output: $0.text, failed: false, number: nil)
        }
        markers += session.history.events.compactMap { event in
            let kind: DebriefMarker.Kind? = event.kind == "step" ? .step : event.kind == "inject" ? .inject : nil
            return kind.map {
                DebriefMarker(kind: $0, time: event.time, clock: clock(event.time), title: event.detail, input: "", output: event.detail, failed: false, number: nil)
            }
        }
        // Stable: markers at one moment keep the order above (a command before the step it completed).
        return markers.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    /// The 2017 track: the shipped session's commands, as recorded, within this session's span.
    private static func reference(_ path: String, from start: SimTime, to end: SimTime, clock: (SimTime) -> String) -> [DebriefMarker]? {
        guard let reading = try? SessionReader.read(path: path) else { return nil }
        return reading.commands.filter { $0.timeUs >= start && $0.timeUs <= end }.map {
            DebriefMarker(kind: .command, time: $0.timeUs, clock: clock($0.timeUs), title: firstLine($0.input), input: $0.input,
                          output: $0.output, failed: $0.failed, number: $0.number)
        }
    }

    /// Ticks on whole minutes, about eight of them whatever the span.
    private static func ticks(from start: SimTime, to end: SimTime, calendar: CalendarTime) -> [DebriefTick] {
        let minute = Span.minutes(1)
        let steps = [1, 2, 5, 10, 15, 30, 60, 120]
        let stepMinutes = steps.first { Span.minutes(Int64($0)) * 8 >= end - start } ?? 240
        let step = minute * Int64(stepMinutes)
        // The calendar's microseconds at time 0, so ticks fall on the clock's whole minutes
        // (calendars are after 1970, so the division rounds the way it should).
        let base = calendar.secondsSinceEpoch * Span.microsecondsPerSecond
        var time = (base + start + step - 1) / step * step - base
        var ticks: [DebriefTick] = []
        while time <= end {
            ticks.append(DebriefTick(time: time, clock: String(calendar.adding(time).clock.prefix(5))))
            time += step
        }
        return ticks
    }

    static func firstLine(_ text: String) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        return line.count > 120 ? String(line.prefix(119)) + "…" : line
    }
}
