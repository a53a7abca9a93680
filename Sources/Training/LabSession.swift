import KubeAPI
import Scripting
import Simulation

/// A lab running on its own world: the lab's setup done, its injects armed, its steps checked
/// continuously. Commands go in with `submit(_:at:)` at a simulated time: the live REPL passes
/// the time that wall-clock pacing gives (`LiveLab`), a replay passes the recorded one, so a
/// session and its re-execution do exactly the same thing.
///
/// Step checks and history samples run on a simulated-time poll inside the world (every
/// `time.check_every`) and after each command, never at wall-clock moments, so both are part
/// of what a re-execution reproduces. Announcements wait in `takeNotices()` for the REPL to show between
/// commands.
public final class LabSession {
    public let lab: Lab
    public let runtime: ScriptRuntime
    public let history = LabHistory()
    /// What the lab was started with besides the seed (`SessionHeader.parameters`).
    public let parameters: [String: String]
    /// When the trainee took over, after the lab's setup.
    public private(set) var arrival: SimTime = 0
    private var hasArrived = false
    /// Bytes of command output kept so far (see `keptOutput`).
    private var keptOutputBytes = 0
    /// Index of the step the trainee is on; `lab.steps.count` once all are done.
    public private(set) var currentStep = 0
    /// When each step was completed, or nil.
    public private(set) var stepCompletions: [SimTime?]
    public private(set) var hintsUsed: [HintUse] = []
    public private(set) var statusPosts: [StatusPost] = []
    public private(set) var commands: [ExecutedCommand] = []
    /// Set by `lab.finish()`: the REPL should end the session after this command.
    public private(set) var isFinishRequested = false

    private let core: ReplCore
    private(set) var environment: LabEnvironment!
    private var definition: LabDefinition!
    private var notices: [LabNotice] = []
    private var pendingLines: [String] = []
    private var reportedProblems: Set<String> = []
    /// Steps whose check ran out of instructions: not polled again (it would burn the budget every
    /// poll), though `check()` still tries.
    private var exhaustedChecks: Set<Int> = []

    public var world: World { runtime.world }

    /// Builds the lab's world: scenario and seed (the lab's, unless `seed` is given), `setup`,
    /// injects, step polling. Throws a `LabError` naming `lab.lua` when the lab's code fails.
    public init(lab: Lab, seed: UInt64? = nil, limits: LuaLimits = LuaLimits(), parameters: [String: String] = [:]) throws {
        self.lab = lab
        self.parameters = parameters
        runtime = try ScriptRuntime(scenario: LabSession.scenario(for: lab), seed: seed ?? lab.scenario.seed,
                                    options: lab.scenario.versions, limits: limits)
        core = ReplCore(runtime: runtime)
        stepCompletions = Array(repeating: nil, count: lab.steps.count)
        LabModule.install(into: runtime, session: self)
        TruthModule.install(into: runtime)
        LabKit.document(in: runtime)
        environment = try LabEnvironment(runtime: runtime, modules: LabModules(kept: lab.modules))
        definition = try LabDefinition.read(try environment.evaluateLab(lab.labFile), file: lab.labFile, folderName: lab.id)
        runtime.lua.printSink = { [unowned self] line in notices.append(LabNotice(.output, line)) }
        try runSetup()
        // What the platform paged about while the lab built its history is not the trainee's.
        _ = runtime.drainNotices()
        arrival = world.now
        hasArrived = true
        runtime.commandTimeCap = lab.timing.advance.commandTimeCap
        armInjects()
        history.sample(world)
        schedulePoll()
        notices.append(LabNotice(.step, stepBriefing(0)))
        core.promptDecoration = { [unowned self] in progressLabel }
    }

    /// The scenario with the lab's calendar start, if it names one.
    public static func scenario(for lab: Lab) -> Scenario {
        let base = ScenarioCatalog.named(lab.scenario.name)!
        guard let start = lab.scenario.start else { return base }
        return base.arriving(at: start)
    }

    private func runSetup() throws {
        guard let setup = definition.setup else { return }
        // The setup is the lab author's history of the world, not a trainee's command: it may
        // simulate longer than one command's wall-clock limit allows (the Monzo lab replays a
        // resize and its aftermath). Its budgets stay; grading's timeout bounds the session.
        let limits = runtime.lua.limits
        var unwatched = limits
        unwatched.wallClockSeconds = 0
        runtime.lua.limits = unwatched
        defer { runtime.lua.limits = limits }
        do {
            try environment.callLab(setup)
        } catch {
            throw LabError(file: lab.labFile.displayPath, field: "setup", problem: "failed: " + ReplCore.describe(error))
        }
    }

    // MARK: Commands

    /// True while a multi-line chunk is being typed.
    public var isContinuing: Bool { core.isContinuing }

    /// `[09:03:12 step 2/5] > `, or `>> ` on a continuation line.
    public var prompt: String { core.prompt }

    /// The lab's part of the prompt: `step 2/5`, or `done`.
    var progressLabel: String {
        currentStep < lab.steps.count ? "step \(currentStep + 1)/\(lab.steps.count)" : "done"
    }

    /// The REPL core the trainee types into (the interactive REPL paints its prompt and completes
    /// names from it).
    public var replCore: ReplCore { core }

    /// Runs one line at simulated time `time` (or now, if the world is already later): the world
    /// catches up first, then the line goes to the REPL core. A complete chunk is recorded in
    /// `commands` and the steps are checked.
    public func submit(_ line: String, at time: SimTime) -> ReplCore.Reply {
        advanceWorld(to: time)
        pendingLines.append(line)
        let started = world.now
        let reply = world.audit.attributing(to: nextCommand) { core.submit(line) }
        guard case .output(let text, let failed) = reply else { return reply }
        commandFinished(startedAt: started, output: text, failed: failed)
        return reply
    }

    /// `submit` for the interactive prompt: the error kept apart for colour, and `exit` alone on
    /// a line asks to leave (it is not a command, so it is not recorded).
    public func step(_ line: String, at time: SimTime) -> ReplCore.Step {
        advanceWorld(to: time)
        pendingLines.append(line)
        let started = world.now
        let step = world.audit.attributing(to: nextCommand) { core.step(line) }
        switch step {
        case .needsMore:
            break
        case .leave:
            pendingLines.removeAll()
        case .finished(let outcome):
            commandFinished(startedAt: started, output: outcome.combined, failed: outcome.failed)
        }
        return step
    }

    /// Answers a request of the real kubectl at simulated time `time` (or now, if later): the
    /// world catches up, the request crosses the simulated load balancer to an apiserver, and it
    /// is numbered and kept in `commands` like a typed command, its writes attributed to it.
    public func answer(_ request: KubeAPIRequest, at time: SimTime) -> KubeAPIResponse {
        advanceWorld(to: time)
        let started = world.now
        let response = world.audit.attributing(to: nextCommand) { KubeAPIHandler.answer(request, runtime: runtime) }
        var command = ExecutedCommand(number: commands.count + 1, time: started, input: request.line,
                                      output: keptOutput(response.body), failed: response.status >= 400)
        command.api = request
        command.status = response.status
        commands.append(command)
        collectCallbackErrors()
        history.sample(world)
        evaluateSteps()
        return response
    }

    /// What a line runs is the trainee's next command: it is numbered as it will be recorded.
    private var nextCommand: AuditLog.Attribution { AuditLog.Attribution(actor: .trainee, command: commands.count + 1) }

    private func commandFinished(startedAt started: SimTime, output: String, failed: Bool) {
        commands.append(ExecutedCommand(number: commands.count + 1, time: started,
                                        input: pendingLines.joined(separator: "\n"), output: keptOutput(output), failed: failed))
        pendingLines.removeAll()
        collectCallbackErrors()
        history.sample(world)
        evaluateSteps()
    }

    /// Drops a half-typed chunk (Ctrl-C on a continuation line).
    public func cancelPending() {
        core.cancelPending()
        pendingLines.removeAll()
    }

    // MARK: What a session keeps

    /// The longest status update `status_page` takes.
    public static let longestStatusPostBytes = 4 << 10
    /// Status updates one session keeps.
    public static let mostStatusPosts = 200
    /// Events a lab's history keeps (`session.event` refuses more).
    public static let mostHistoryEvents = 100_000
    /// Output kept per command in the record graders read, and for the whole session: a command's
    /// output is bounded when it runs (`LuaLimits.outputBytes`), but a session of many commands
    /// would otherwise keep all of it.
    public static let keptOutputBytesPerCommand = 1 << 20
    public static let keptOutputBytesPerSession = 64 << 20

    /// The output as the record keeps it: cut past a command's share or the session's.
    private func keptOutput(_ output: String) -> String {
        let room = min(LabSession.keptOutputBytesPerCommand, max(0, LabSession.keptOutputBytesPerSession - keptOutputBytes))
        let bytes = output.utf8.count
        guard bytes > room else {
            keptOutputBytes += bytes
            return output
        }
        keptOutputBytes += room
        let kept = String(decoding: output.utf8.prefix(room), as: UTF8.self)
        return kept + "\n… (\(bytes - room) more bytes of output not kept: a session keeps \(LabSession.keptOutputBytesPerCommand >> 20) MiB of each command's output and \(LabSession.keptOutputBytesPerSession >> 20) MiB in all)"
    }

    /// The longest a session runs after the trainee arrives. A recording that names a later time
    /// (a damaged or forged file) is replayed up to here and no further, so grading it finishes.
    public static let longestSession = Span.hours(4)

    /// The latest simulated time this session's world runs to.
    public var horizon: SimTime { arrival + LabSession.longestSession }

    /// Lets simulated time run to `target` (at most to the session's horizon), timers and
    /// injects included; failures become notices.
    public func advanceWorld(to requested: SimTime) {
        var target = requested
        if hasArrived, target > horizon {
            target = max(world.now, horizon)
            report("the session names \(Span.describe(requested - arrival)) after arrival, past the \(Span.describe(LabSession.longestSession)) a session may last; the world stops at \(world.calendarStart.adding(target).description)")
        }
        while world.now < target {
            do {
                try runtime.advance(by: target - world.now)
            } catch let error as LuaError where error.kind == .interrupted || error.kind == .wallClock {
                break
            } catch {
                notices.append(LabNotice(.problem, "a timer failed at \(world.calendarNow.clock): " + ReplCore.describe(error)))
            }
        }
        collectCallbackErrors()
    }

    /// The announcements since the last call, oldest first.
    public func takeNotices() -> [LabNotice] {
        collectWorldNotices()
        defer { notices.removeAll() }
        return notices
    }

    /// Pages from the world's alerts (and anything else the platform posted) join the lab's
    /// notices, so a piped session sees them as the interactive REPL does.
    private func collectWorldNotices() {
        for notice in runtime.drainNotices() {
            switch notice.kind {
            case .alert: notices.append(LabNotice(.page, notice.text))
            case .error: notices.append(LabNotice(.problem, notice.text))
            case .info, .warning: notices.append(LabNotice(.output, notice.text))
            }
        }
    }

    private func collectCallbackErrors() {
        for error in runtime.drainCallbackErrors() {
            notices.append(LabNotice(.problem, "a timer failed: " + ReplCore.describe(error)))
        }
    }

    // MARK: Steps

    private func schedulePoll() {
        world.timer(after: lab.timing.checkInterval) { [unowned self] in
            history.sample(world)
            evaluateSteps()
            schedulePoll()
        }
    }

    /// Completes the current step while its check holds, then the next, and so on.
    func evaluateSteps() {
        while currentStep < lab.steps.count, !exhaustedChecks.contains(currentStep), checkStep(currentStep).done {
            completeStep()
        }
    }

    /// Runs a step's `done(world, session)`, read-only. It returns truthy when done, and may
    /// return a second value saying what is missing.
    func checkStep(_ index: Int) -> (done: Bool, missing: String?) {
        do {
            let results = try runtime.readingOnly(as: "a lab's step check") {
                try environment.callLab(definition.stepChecks[index])
            }
            return (results.first?.isTruthy ?? false, results.dropFirst().first?.stringValue)
        } catch {
            if let error = error as? LuaError, error.kind == .instructionBudget { exhaustedChecks.insert(index) }
            report("step \(index + 1)'s check failed: " + ReplCore.describe(error))
            return (false, nil)
        }
    }

    private func completeStep() {
        let index = currentStep
        stepCompletions[index] = world.now
        currentStep += 1
        let step = lab.steps[index]
        history.record("step", "\(index + 1). \(step.title)", at: world.now)
        notices.append(LabNotice(.step, "✓ Step \(index + 1) of \(lab.steps.count) done: \(step.title)"))
        if currentStep < lab.steps.count {
            notices.append(LabNotice(.step, stepBriefing(currentStep)))
        } else {
            notices.append(LabNotice(.step, "All \(lab.steps.count) steps are done. Carry on exploring, or end the session with lab.finish() (Ctrl-D works too)."))
        }
    }

    func stepBriefing(_ index: Int) -> String {
        let step = lab.steps[index]
        return "Step \(index + 1) of \(lab.steps.count): \(step.title)\n" + indent(step.briefing)
    }

    /// Tells the trainee something went wrong outside the world (a session line not saved).
    func noteProblem(_ message: String) {
        notices.append(LabNotice(.problem, message))
    }

    /// A problem shown once: a check that fails every second would otherwise flood the screen.
    private func report(_ message: String) {
        if reportedProblems.insert(message).inserted { notices.append(LabNotice(.problem, message)) }
    }

    // MARK: Injects

    private func armInjects() {
        for (index, inject) in definition.injects.enumerated() {
            switch inject.description.trigger {
            case .at(let moment):
                let due = max(world.now, moment.resolve(arrival: arrival, calendarStart: world.calendarStart))
                world.timer(after: due - world.now) { [unowned self] in fire(index) }
            case .when(let every):
                pollInject(index, every: every)
            }
        }
    }

    private func pollInject(_ index: Int, every: SimTime) {
        world.timer(after: every) { [unowned self] in
            let inject = definition.injects[index]
            do {
                let holds = try runtime.readingOnly(as: "an inject's when") { try environment.callLab(inject.predicate!) }
                if holds.first?.isTruthy == true { fire(index) } else { pollInject(index, every: every) }
            } catch {
                // As with sim.when: a predicate that failed is not asked again.
                report("\(inject.description.name)'s when failed, so it will not fire: " + ReplCore.describe(error))
            }
        }
    }

    private func fire(_ index: Int) {
        let inject = definition.injects[index]
        history.record("inject", inject.description.name, at: world.now)
        do {
            try environment.callLab(inject.action)
            history.sample(world)
            if let notice = inject.description.notice {
                notices.append(LabNotice(.page, "[\(world.calendarNow.clock)] " + notice))
            }
        } catch {
            report("\(inject.description.name) failed: " + ReplCore.describe(error))
        }
    }

    // MARK: The trainee's lab functions

    func nextHint() -> String {
        guard currentStep < lab.steps.count else { return "All steps are done: there are no more hints." }
        let step = lab.steps[currentStep]
        let used = hintsUsed.filter { $0.step == currentStep }.count
        guard used < step.hints.count else {
            return step.hints.isEmpty ? "Step \(currentStep + 1) has no hints. lab.status() repeats its briefing."
                : "No more hints for step \(currentStep + 1): you have seen all \(step.hints.count)."
        }
        let text = step.hints[used]
        hintsUsed.append(HintUse(step: currentStep, number: used + 1, time: world.now, text: text))
        history.record("hint", "step \(currentStep + 1), hint \(used + 1)", at: world.now)
        return "Hint \(used + 1) of \(step.hints.count) for step \(currentStep + 1) (\(step.title)):\n" + indent(text)
    }

    func checkNow() -> String {
        guard currentStep < lab.steps.count else {
            return "All \(lab.steps.count) steps are done. lab.finish() ends the session."
        }
        let index = currentStep
        let (done, missing) = checkStep(index)
        guard done else {
            return "Step \(index + 1) (\(lab.steps[index].title)) is not done yet" + (missing.map { ": " + $0 } ?? ".")
        }
        evaluateSteps()
        return "Step \(index + 1) (\(lab.steps[index].title)) is done."
    }

    func postStatus(_ text: String) -> String {
        statusPosts.append(StatusPost(time: world.now, text: text))
        history.record("status", text, at: world.now)
        return "Status page updated at \(world.calendarNow.clock): \(text)"
    }

    func requestFinish() -> String {
        isFinishRequested = true
        return "Ending the session at \(world.calendarNow.clock)."
    }

    public func statusText() -> String {
        let elapsed = Span.describe(world.now - arrival)
        let position = currentStep < lab.steps.count ? "step \(currentStep + 1) of \(lab.steps.count)" : "all steps done"
        var lines = ["\(lab.title): \(position), \(world.calendarNow.clock) (\(elapsed) since you arrived)"]
        for (index, step) in lab.steps.enumerated() {
            let mark = stepCompletions[index] != nil ? "✓" : index == currentStep ? "→" : " "
            let when = stepCompletions[index].map { "  (\(world.calendarStart.adding($0).clock))" } ?? ""
            lines.append("  \(mark) \(index + 1). \(step.title)\(when)")
        }
        lines.append("Hints used: \(hintsUsed.count). hint() gives the next one; check() checks the current step now.")
        if currentStep < lab.steps.count { lines += ["", stepBriefing(currentStep)] }
        return lines.joined(separator: "\n")
    }

    private func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
    }

    // MARK: Lua values of the record

    /// `{t = seconds, clock = "09:03:12"}` merged into `fields`.
    func timed(_ time: SimTime, _ fields: LuaValue) -> LuaValue {
        var table = fields.tableValue ?? LuaTable()
        table["t"] = .number(world.scriptSeconds(time))
        table["clock"] = .string(world.calendarStart.adding(time).clock)
        return .table(table)
    }

    func hintValue(_ hint: HintUse) -> LuaValue {
        timed(hint.time, ["step": .integer(Int64(hint.step + 1)), "number": .integer(Int64(hint.number)), "text": .string(hint.text)])
    }

    /// A command as graders read it. `source` tells the two clients apart: "repl" for what was
    /// typed at the prompt, "api" for a request of the real kubectl, which also carries `method`,
    /// `path`, `query`, `status`, `user_agent` and kubectl's `kubectl_command`/`kubectl_session`.
    func commandValue(_ command: ExecutedCommand) -> LuaValue {
        var fields = LuaTable()
        fields["input"] = .string(command.input)
        fields["output"] = .string(command.output)
        fields["failed"] = .boolean(command.failed)
        fields["source"] = .string(command.api == nil ? "repl" : "api")
        if let request = command.api {
            fields["method"] = .string(request.method)
            fields["path"] = .string(request.path)
            fields["query"] = .string(request.query)
            fields["user_agent"] = .string(request.userAgent)
            fields["status"] = command.status.map { LuaValue.integer(Int64($0)) } ?? .nil
            fields["kubectl_command"] = request.kubectlCommand.map { LuaValue.string($0) } ?? .nil
            fields["kubectl_session"] = request.kubectlSession.map { LuaValue.string($0) } ?? .nil
        }
        return timed(command.time, .table(fields))
    }
}
