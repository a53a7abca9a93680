import Testing
@testable import Scripting

/// Tab completion as a trainee meets it, checked on the pure engine: what Tab puts on the line,
/// and what it lists when it cannot decide.
@Suite struct CompletionTests {
    /// A kubectl-like provider defined here, as the Kubernetes module will define the real one.
    struct FakeKubectl: CommandCompletion {
        let pods = ["payments-7d9f-abcde", "payments-7d9f-fghij", "ledger-5c4b-klmno"]

        func candidates(for request: CommandCompletionRequest) -> [String] {
            if request.previousWord == "-n" { return ["payments", "default", "kube-system"] }
            switch request.words.count {
            case 0: return ["get", "describe", "logs", "delete"]
            case 1: return ["pods", "deployments", "deployment/", "nodes"]
            default: return pods + ["-n", "--output="]
            }
        }
    }

    let snapshot = CompletionSnapshot([
        "": [
            CompletionCandidate("sim", kind: .table), CompletionCandidate("faults", kind: .table),
            CompletionCandidate("string", kind: .table), CompletionCandidate("print", kind: .function),
            CompletionCandidate("pairs", kind: .function), CompletionCandidate("payments_rate", kind: .value),
            CompletionCandidate("payments_total", kind: .value),
            CompletionCandidate("_hidden", kind: .value), CompletionCandidate("kubectl", kind: .function),
        ],
        "sim": [
            CompletionCandidate("advance", kind: .function), CompletionCandidate("at", kind: .function),
            CompletionCandidate("clock", kind: .function), CompletionCandidate("config", kind: .table),
        ],
        "text": [CompletionCandidate("upper", kind: .function), CompletionCandidate("len", kind: .function)],
    ])

    var documentation: Documentation {
        var documentation = Documentation()
        documentation.add(Topic(name: "sim", usage: "sim", summary: "the simulated clock"))
        documentation.add(Topic(name: "sim.advance", usage: "sim.advance(d)", summary: "let time pass"))
        documentation.add(Topic(name: "sim.digest", usage: "sim.digest()", summary: "a hash of the world"))
        return documentation
    }

    func complete(_ head: String) -> CompletionResult? {
        Completer.complete(head: head, names: snapshot, documentation: documentation,
                           commands: ["kubectl": FakeKubectl(),
                                      "faults.crash": CommandCompletionFunction(takesOneWord: true) { _ in ["node-1", "node-2"] }])
    }

    @Test func aUniqueGlobalCompletesWithWhatComesNext() {
        #expect(complete("fau")?.replacement == "faults.", "a table gets a dot, ready for a field")
        #expect(complete("pri")?.replacement == "print(", "a function gets its parenthesis")
        #expect(complete("x = payments_r")?.replacement == "payments_rate", "a value gets nothing")
        #expect(complete("fun")?.replacement == "function", "keywords complete too")
    }

    @Test func severalCandidatesExtendToWhatTheyShareThenList() {
        let shared = complete("paym")
        #expect(shared?.replacement == "payments_")
        #expect(shared?.candidates.map(\.text) == ["payments_rate", "payments_total"])
        let listed = complete("pa")
        #expect(listed?.extendsInput == false, "nothing more is shared: Tab lists")
        #expect(listed?.candidates.map(\.text) == ["pairs", "payments_rate", "payments_total"])
    }

    @Test func fieldsCompleteAfterADot() {
        #expect(complete("sim.adv")?.replacement == "advance(")
        #expect(complete("sim.adv")?.partial == "adv", "only the field name is replaced")
        #expect(complete("print(sim.cl")?.replacement == "clock(")
        #expect(complete("sim.co")?.replacement == "config.")
        #expect(complete("x = 'a' .. sim.adv")?.replacement == "advance(", "concatenation is not part of the name")
        #expect(complete("n..sim.adv")?.replacement == "advance(")
    }

    @Test func documentedNamesComeFromTheSameSourceAsHelp() {
        let fields = complete("sim.")?.candidates ?? []
        #expect(fields.map(\.text) == ["advance", "at", "clock", "config", "digest"],
                "sim.digest is documented though this snapshot has no live value for it")
        #expect(fields.first { $0.text == "advance" }?.summary == "let time pass")
        #expect(fields.first { $0.text == "clock" }?.summary == nil)
    }

    @Test func methodCallsOfferOnlyFunctions() {
        #expect(complete("text:u")?.replacement == "upper(")
        #expect(complete("sim:")?.candidates.map(\.text) == ["advance", "at", "clock", "digest"])
    }

    @Test func privateNamesHideUntilAskedFor() {
        #expect(complete("")?.candidates.contains { $0.text == "_hidden" } == false)
        #expect(complete("_h")?.replacement == "_hidden")
    }

    @Test func nothingIsOfferedWhereNoNameCanStand() {
        #expect(complete("x = 1.5") == nil, "a number")
        #expect(complete("f().x") == nil, "a field of a call's result")
        #expect(complete("-- sim.adv") == nil, "a comment")
        #expect(complete("print('sim.adv") == nil, "a string passed to a function with no command completion")
        #expect(complete("nosuch.x")?.candidates == [])
    }

    @Test func commandStringsCompleteWordByWord() {
        #expect(complete("kubectl \"g")?.replacement == "get ", "a completed word is followed by a space")
        #expect(complete("kubectl \"get po")?.replacement == "pods ")
        #expect(complete("kubectl(\"get pods pay")?.replacement == "payments-7d9f-")
        #expect(complete("kubectl 'get pods -n kube")?.replacement == "kube-system ", "the word after -n is a namespace")
        #expect(complete("kubectl [[get deploy")?.candidates.map(\.text) == ["deployment/", "deployments"])
        #expect(complete("kubectl \"get deployment")?.replacement == "deployment", "shared start")
        #expect(complete("kubectl \"get deployment/")?.candidates.map(\.text) == ["deployment/"])
        #expect(complete("kubectl \"get pods --out")?.replacement == "--output=", "no space after =")
        #expect(complete("kubectl \"get pods ")?.candidates.count == 5, "an empty word lists every candidate")
        #expect(complete("local out = kubectl \"de")?.candidates.map(\.text) == ["delete", "describe"])
    }

    @Test func theCommandSeesTheWordsTypedSoFar() {
        final class Recorder: CommandCompletion {
            var requests: [CommandCompletionRequest] = []
            func candidates(for request: CommandCompletionRequest) -> [String] {
                requests.append(request)
                return []
            }
        }
        let recorder = Recorder()
        _ = Completer.complete(head: "print(kubectl \"get  pods -n  pay", names: snapshot, documentation: documentation,
                               commands: ["kubectl": recorder])
        #expect(recorder.requests == [CommandCompletionRequest(command: "kubectl", words: ["get", "pods", "-n"], partial: "pay")])
    }

    @Test func aOneWordCommandClosesItsString() {
        #expect(complete("faults.crash(\"node-1")?.replacement == "node-1\"")
        #expect(complete("faults.crash('node-")?.candidates.count == 2)
        #expect(complete("faults.crash('node-2")?.replacement == "node-2'", "the same quote closes it")
    }

    @Test func stringsAreSeenAsLuaSeesThem() {
        #expect(LexicalPosition.of(Array("x = \"a\\\"b")) == .string(contentStart: 5, opener: 4, closer: "\""),
                "an escaped quote does not end the string")
        #expect(LexicalPosition.of(Array("x = 'done' .. y")) == .code)
        #expect(LexicalPosition.of(Array("x = [==[abc")) == .string(contentStart: 8, opener: 4, closer: "]==]"))
        #expect(LexicalPosition.of(Array("--[[ note ]] sim.")) == .code, "a closed long comment ends")
        #expect(LexicalPosition.of(Array("t[i] = 1")) == .code, "an index is not a long bracket")
    }
}

/// Completion over a live Lua state: what the trainee defined, and what hides behind `__index`.
@Suite struct LuaNameSourceTests {
    func names(_ path: [String], after setup: String) throws -> [String] {
        let runtime = try makeRuntime()
        try runtime.lua.execute(setup)
        return LuaNameSource(lua: runtime.lua).names(at: path).map(\.text).sorted()
    }

    @Test func globalsIncludeWhatTheTraineeDefined() throws {
        let globals = try names([], after: "incident_count = 3")
        #expect(globals.contains("incident_count"))
        #expect(globals.contains("sim") && globals.contains("faults") && globals.contains("help"))
        #expect(!globals.contains("io") && !globals.contains("dofile"), "what the sandbox removed is not offered")
    }

    @Test func fieldsFollowIndexTables() throws {
        let setup = """
        local base = {describe = function() end, kind = "Pod"}
        local middle = setmetatable({restart = function() end}, {__index = base})
        pod = setmetatable({name = "payments-1"}, {__index = middle})
        """
        #expect(try names(["pod"], after: setup) == ["describe", "kind", "name", "restart"])
    }

    @Test func anIndexFunctionIsNeverCalled() throws {
        let setup = """
        called = false
        lazy = setmetatable({}, {__index = function() called = true; return 1 end})
        """
        let runtime = try makeRuntime()
        try runtime.lua.execute(setup)
        #expect(LuaNameSource(lua: runtime.lua).names(at: ["lazy"]).isEmpty)
        #expect(LuaNameSource(lua: runtime.lua).names(at: ["lazy", "x"]).isEmpty)
        #expect(try runtime.lua.global("called") == .boolean(false))
    }

    @Test func stringsOfferTheStringLibrary() throws {
        let methods = try names(["greeting"], after: "greeting = 'hello'")
        #expect(methods.contains("upper") && methods.contains("format"))
    }

    @Test func kindsDecideTheSuffix() throws {
        let runtime = try makeRuntime()
        try runtime.lua.execute("config = {window = '5m'}")
        let result = Completer.complete(head: "con", names: LuaNameSource(lua: runtime.lua),
                                        documentation: runtime.documentation, commands: runtime.commandCompletions)
        #expect(result?.replacement == "config.")
        let help = Completer.complete(head: "help \"faults.cr", names: LuaNameSource(lua: runtime.lua),
                                      documentation: runtime.documentation, commands: runtime.commandCompletions)
        #expect(help?.replacement == "faults.crash\"", "help topics complete inside help's string")
        let host = Completer.complete(head: "faults.restart(\"node-3", names: LuaNameSource(lua: runtime.lua),
                                      documentation: runtime.documentation, commands: runtime.commandCompletions)
        #expect(host?.replacement == "node-3\"", "hosts of the live world")
    }

    @Test func aLoopOfMetatablesEnds() throws {
        let setup = """
        a = {}
        b = setmetatable({}, {__index = a})
        setmetatable(a, {__index = b})
        """
        #expect(try names(["a", "missing"], after: setup).isEmpty)
        #expect(try names(["a"], after: setup).isEmpty)
    }
}

/// The real kubectl and etcdctl completions, on the live practice world.
@Suite struct CommandWordCompletionTests {
    func complete(_ head: String, in runtime: ScriptRuntime) -> CompletionResult? {
        Completer.complete(head: head, names: LuaNameSource(lua: runtime.lua),
                           documentation: runtime.documentation, commands: runtime.commandCompletions)
    }

    @Test func kubectlCompletesVerbsKindsNamesNamespacesAndFlags() throws {
        let runtime = try makeRuntime()
        #expect(complete("kubectl \"desc", in: runtime)?.replacement == "describe ")
        #expect(complete("kubectl \"get po", in: runtime)?.replacement == "pods ")
        let pods = complete("kubectl \"get pods web", in: runtime)
        let live = try runtime.lua.execute("local names = {} for _, p in ipairs(k8s.get('pods', nil, {selector = 'app=web'})) do names[#names + 1] = p.metadata.name end table.sort(names) return table.concat(names, ' ')")
        #expect(pods?.candidates.map(\.text).joined(separator: " ") == live.first?.stringValue, "the names of the pods that run now")
        #expect(complete("kubectl \"get pods -n kube-sy", in: runtime)?.replacement == "kube-system ")
        #expect(complete("kubectl \"logs -n kube-system kube-ap", in: runtime)?.replacement == "kube-apiserver-master-1 ")
        #expect(complete("kubectl \"get deploy/w", in: runtime)?.replacement == "deploy/web ")
        #expect(complete("kubectl \"rollout st", in: runtime)?.replacement == "status ")
        #expect(complete("kubectl \"cordon node-", in: runtime)?.candidates.count == 3)
        #expect(complete("kubectl \"get pods --all-n", in: runtime)?.replacement == "--all-namespaces ")
        #expect(complete("kubectl \"get pods -o ya", in: runtime)?.replacement == "yaml ")
    }

    @Test func kubectlCompletesTheNewWords() throws {
        let runtime = try makeRuntime()
        #expect(complete("kubectl \"se", in: runtime)?.replacement == "set ")
        #expect(complete("kubectl \"set im", in: runtime)?.replacement == "image ")
        #expect(complete("kubectl \"set image deploy", in: runtime)?.replacement == "deployments ")
        #expect(complete("kubectl \"set image deployment web w", in: runtime)?.replacement == "web=", "the container, ready for its image")
        #expect(complete("kubectl \"set image deploy/api a", in: runtime)?.replacement == "api=")
        #expect(complete("kubectl \"pat", in: runtime)?.replacement == "patch ")
        #expect(complete("kubectl \"patch deploy web --ty", in: runtime)?.replacement == "--type ")
        #expect(complete("kubectl \"patch deploy web --type ", in: runtime)?.candidates.map(\.text) == ["json", "merge", "strategic"])
        #expect(complete("kubectl \"top n", in: runtime)?.replacement == "node ")
        #expect(complete("kubectl \"top node node-", in: runtime)?.candidates.count == 3)
        #expect(complete("kubectl \"clu", in: runtime)?.replacement == "cluster-info ")
        #expect(complete("kubectl \"get componentst", in: runtime)?.replacement == "componentstatuses ")
        #expect(complete("kubectl \"version --sh", in: runtime)?.replacement == "--short ")
        #expect(complete("kubectl \"logs --h", in: runtime)?.replacement == "--help ")
        #expect(complete("kubectl \"get pods -A", in: runtime)?.candidates.isEmpty ?? true, "-A came with kubectl 1.14")
    }

    @Test func etcdctlCompletesCommandsAndMemberIDs() throws {
        let runtime = try makeRuntime()
        #expect(complete("etcdctl \"mem", in: runtime)?.replacement == "member ")
        #expect(complete("etcdctl \"member rem", in: runtime)?.replacement == "remove ")
        let ids = try runtime.lua.execute("local ids = {} for _, m in ipairs(etcd.members()) do ids[#ids + 1] = m.id end table.sort(ids) return table.concat(ids, ' ')")
        #expect(complete("etcdctl \"member remove ", in: runtime)?.candidates.map(\.text).joined(separator: " ") == ids.first?.stringValue)
        #expect(complete("etcdctl \"endpoint st", in: runtime)?.replacement == "status ")
    }
}

extension CommandWordCompletionTests {
    /// `node.sh("host", "cmd")`: hosts in the first string, the shell's words in the second.
    @Test func nodeShellCompletesHostsThenCommandsThenTheirWords() throws {
        let runtime = try makeRuntime()
        #expect(complete("node.sh(\"mas", in: runtime)?.replacement == "master-1\"", "a host closes its string")
        #expect(complete("node.sh(\"etcd-", in: runtime)?.candidates.count == 3)
        #expect(complete("node.sh(\"node-1\", \"jour", in: runtime)?.replacement == "journalctl ")
        #expect(complete("node.sh('node-1', 'journalctl -u ku", in: runtime)?.replacement == "kubelet ")
        #expect(complete("node.sh(\"node-1\", \"systemctl st", in: runtime)?.replacement == "status ")
        #expect(complete("node.sh(\"node-1\", \"curl -s localhost:9990/ad", in: runtime)?.candidates.count == 2)
        #expect(complete("node.sh(\"node-1\", \"journalctl -u kubelet | gr", in: runtime)?.replacement == "grep ")
        #expect(complete("x = f(\"a\", \"jour", in: runtime) == nil, "other functions' second strings are left alone")
    }
}
