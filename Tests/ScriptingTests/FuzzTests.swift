import Foundation
import Testing
import Simulation
@testable import Scripting

/// Calls every public Lua function (the platform's modules and the standard library) with values
/// from a hostile generator, and runs kubectl and etcdctl command lines built from their
/// vocabulary plus junk. The process must survive every call, each failure must be a Lua error,
/// each call must end within its limits, and the state must still work afterwards.
///
/// `FIREDRILL_FUZZ_SEEDS` sets how many seeds run (each a fresh world and `callsPerSeed` calls);
/// `FIREDRILL_FUZZ_SEED=N` runs one. A failure names its seed and the Lua that failed; a crash
/// leaves "fuzz seed N" as the last line printed; `FIREDRILL_FUZZ_VERBOSE=1` prints every call.
@Suite struct FuzzTests {
    static let defaultSeeds = 10
    static let callsPerSeed = 25

    /// `FIREDRILL_FUZZ_VERBOSE=1` prints every call and its reply.
    static let verbose = ProcessInfo.processInfo.environment["FIREDRILL_FUZZ_VERBOSE"] == "1"

    static var seeds: [UInt64] {
        let environment = ProcessInfo.processInfo.environment
        if let single = environment["FIREDRILL_FUZZ_SEED"].flatMap(UInt64.init) { return [single] }
        let count = environment["FIREDRILL_FUZZ_SEEDS"].flatMap(Int.init) ?? defaultSeeds
        // A soak interrupted by a crash resumes where it stopped.
        let first = environment["FIREDRILL_FUZZ_FIRST_SEED"].flatMap(UInt64.init) ?? 1
        return (0..<UInt64(max(0, count))).map { $0 + first }
    }

    @Test func hostileCallsEndInLuaErrorsAndLeaveTheStateUsable() throws {
        var tried = 0
        for seed in FuzzTests.seeds {
            // Unbuffered, so that a crash leaves the seed that caused it as the last line.
            FileHandle.standardError.write(Data("fuzz seed \(seed)\n".utf8))
            tried += try FuzzTests.run(seed: seed)
        }
        print("fuzz: \(tried) calls over \(FuzzTests.seeds.count) seeds")
    }

    /// One seed: a fresh practice world with small limits and `callsPerSeed` hostile calls.
    static func run(seed: UInt64) throws -> Int {
        let limits = LuaLimits(instructions: 3_000_000, memoryBytes: 96 << 20, wallClockSeconds: 5, outputBytes: 1 << 20)
        // Every third seed on the small bank, where the mesh, traffic and dashboard exist.
        let scenario = seed % 3 == 0 ? "mini-bank" : "practice"
        let runtime = try ScriptRuntime(scenario: ScenarioCatalog.named(scenario)!, seed: seed, limits: limits)
        // As in a lab: what one command may move the clock is capped, so calls stay short.
        runtime.commandTimeCap = CommandTimeCap(allowsAdvance: true, limit: Span.minutes(2))
        let core = ReplCore(runtime: runtime)
        let generator = HostileGenerator(random: RandomStream(seed: seed, name: "fuzz"), runtime: runtime)
        for number in 1...callsPerSeed {
            let source = generator.call()
            let started = ContinuousClock.now
            let reply = core.evaluate(source)
            let elapsed = ContinuousClock.now - started
            if verbose { print("--- seed \(seed) call \(number)\n\(source)\n=> \(reply)".prefix(1500)) }
            let replay = "seed \(seed), call \(number) (FIREDRILL_FUZZ_SEED=\(seed) swift test --filter FuzzTests):\n\(source.prefix(600))"
            guard case .output(let text, let failed) = reply else {
                Issue.record("did not compile as one chunk, \(replay)")
                continue
            }
            if failed { #expect(!text.isEmpty, "a failure without a message, \(replay)") }
            #expect(elapsed < .seconds(limits.wallClockSeconds + 10), "took \(elapsed), \(replay)")
            let after = core.evaluate("return 6 * 7")
            #expect(after == .output("42", failed: false), "state unusable after \(replay): \(after)")
        }
        return callsPerSeed
    }
}

/// Lua source for hostile calls, drawn from a seeded stream.
struct HostileGenerator {
    let random: RandomStream
    let runtime: ScriptRuntime

    /// Every function a script can call: the platform's documented ones and the standard library.
    var functions: [String] {
        let documented = runtime.documentation.topics.map(\.name).filter { name in
            if case .function = (try? runtime.lua.global(name)) ?? .nil { return true }
            return false
        }
        return documented + HostileGenerator.standardLibrary
    }

    static let standardLibrary = [
        "assert", "error", "getmetatable", "ipairs", "load", "next", "pairs", "pcall", "print", "rawequal", "rawget",
        "rawlen", "rawset", "select", "setmetatable", "tonumber", "tostring", "type", "xpcall", "collectgarbage",
        "string.byte", "string.char", "string.find", "string.format", "string.gmatch", "string.gsub", "string.len",
        "string.lower", "string.match", "string.pack", "string.packsize", "string.rep", "string.reverse", "string.sub",
        "string.unpack", "string.upper", "table.concat", "table.insert", "table.move", "table.pack", "table.remove",
        "table.sort", "table.unpack", "math.abs", "math.ceil", "math.floor", "math.fmod", "math.max", "math.min",
        "math.modf", "math.random", "math.randomseed", "math.sqrt", "math.tointeger", "math.type", "math.ult",
        "utf8.char", "utf8.codepoint", "utf8.codes", "utf8.len", "utf8.offset", "coroutine.create", "coroutine.resume",
        "coroutine.wrap", "coroutine.status", "coroutine.close", "coroutine.isyieldable", "coroutine.running",
    ]

    /// One call: a function with hostile arguments, or a kubectl or etcdctl command line.
    func call() -> String {
        switch random.integer(in: 0..<10) {
        case 0, 1: return "return kubectl(\(literal(kubectlLine())))"
        case 2: return "return kubectl(\"apply -f -\", \(literal(manifest())))"
        case 3: return "return etcdctl(\(literal(etcdctlLine())))"
        default:
            let function = random.element(of: functions)!
            let arguments = (0..<random.integer(in: 0..<5)).map { _ in value(depth: 0) }
            return "local f = \(function)\nreturn f(\(arguments.joined(separator: ", ")))"
        }
    }

    // MARK: Values

    static let numbers = [
        "0", "-0.0", "0/0", "-(0/0)", "math.huge", "-math.huge", "math.maxinteger", "math.mininteger", "2^53", "2^63",
        "-2^63", "1e308", "-1e308", "5e-324", "1e-308", "0.5", "-1", "1", "2", "3", "60", "86400", "1e12", "1e18",
        "2147483648", "1000", "1001", "100000",
    ]

    static let words = [
        "", " ", "90s", "5m", "1h30m", "+5m", "+99999999999999h", "99999999999999999999h", "14:20", "25:61", "9999-12-31 23:59",
        "2017-10-26 16:00", "10000-01-01", "1us", "-1s", "nan", "inf", "node-1", "node-9", "etcd-1", "master-1", "web",
        "deployments", "pods", "replicasets", "nodes", "default", "kube-system", "*", "app=web", "app in (a,b)", "!x",
        "eu-west-1a", "eu-west-1c", "payments/transaction-processor", "card_payments", "(", "%", "[", "[^", "%b()",
        "%f[%w]", "a-a-a-a-b", "(.-)(.-)(.-)", "%1", "()", "^$", "%z", "5m", "1e3",
    ]

    func value(depth: Int) -> String {
        switch random.integer(in: 0..<12) {
        case 0: return random.element(of: ["nil", "true", "false"])!
        case 1, 2: return random.element(of: HostileGenerator.numbers)!
        case 3: return String(random.integer(in: Int64.min...Int64.max) >> Int64(random.integer(in: 0..<64)))
        case 4, 5: return literal(random.element(of: HostileGenerator.words)!)
        case 6: return "string.rep(\(literal(random.element(of: ["x", "ab", "", "\u{20AC}"])!)), \(random.element(of: ["0", "1", "1000", "100000", "1e6"])!))"
        case 7: return literal(bytes: (0..<random.integer(in: 0..<12)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        case 8:
            guard depth < 3 else { return "{}" }
            let entries = (0..<random.integer(in: 0..<4)).map { _ in
                random.chance(0.5) ? value(depth: depth + 1)
                    : "[\(literal(random.element(of: ["namespace", "selector", "from", "to", "delay", "drop", "one_way", "x"])!))] = \(value(depth: depth + 1))"
            }
            return "{" + entries.filter { $0 != "nil" }.joined(separator: ", ") + "}"
        case 9:
            return random.element(of: [
                "setmetatable({}, {__index = function() error('index boom') end})",
                "setmetatable({}, {__tostring = function() error('tostring boom') end})",
                "setmetatable({}, {__len = function() return math.maxinteger end})",
                "setmetatable({}, {__name = 'thing', __eq = function() return true end})",
                "setmetatable({}, {__pairs = function() return function() error('pairs boom') end end})",
                "setmetatable({}, {__index = function(t, k) return t[k] end})",
            ])!
        case 10:
            return random.element(of: [
                "function() error('boom') end", "function() return true end", "function() while true do end end",
                "print", "function(...) return ... end", "function() return sim.advance(1) end", "function() error({}) end",
            ])!
        default:
            return random.element(of: ["coroutine.create(print)", "coroutine.running()", "_G", "string", "{1, 2, 3}"])!
        }
    }

    // MARK: Command lines

    static let kubectlVerbs = ["get", "describe", "logs", "scale", "rollout", "delete", "apply", "cordon", "uncordon", "drain",
                               "version", "top", "exec", "", "kubectl"]
    static let rolloutSubcommands = ["status", "history", "undo", "restart", "pause"]
    static let resources = ["pods", "po", "deploy", "deployments", "svc", "services", "nodes", "no", "rs", "ds", "endpoints",
                            "ep", "events", "ns", "all", "deploy/web", "pod/nope", "node/node-1", "x/y/z", "pods,svc"]
    static let names = ["web", "node-1", "node-9", "nope", "kube-system", "linkerd", "master-1"]
    static let counts = ["-1", "0", "3", "1000", "1001", "2147483648", "9223372036854775807", "99999999999999999999", "1e3",
                         "nan", "0x10", ""]
    static let durations = ["0", "1s", "5m", "2h", "876000h", "99999999999999999999h", "-1s", "1.5", "nan", "inf", "1us", "",
                            "1h30m", "9000000000000s"]

    func kubectlLine() -> String {
        var tokens = [random.element(of: HostileGenerator.kubectlVerbs)!]
        if tokens[0] == "rollout" { tokens.append(random.element(of: HostileGenerator.rolloutSubcommands)!) }
        for _ in 0..<random.integer(in: 0..<6) {
            switch random.integer(in: 0..<8) {
            case 0: tokens.append(random.element(of: HostileGenerator.resources)!)
            case 1: tokens.append(random.element(of: HostileGenerator.names)!)
            case 2: tokens.append("--replicas=" + random.element(of: HostileGenerator.counts)!)
            case 3: tokens.append("--" + random.element(of: ["timeout", "since"])! + "=" + random.element(of: HostileGenerator.durations)!)
            case 4: tokens.append("--" + random.element(of: ["grace-period", "tail", "to-revision"])! + "=" + random.element(of: HostileGenerator.counts)!)
            case 5:
                tokens.append(random.element(of: ["-n", "-n default", "--namespace=*", "-A", "-o wide", "-o yaml", "-o json", "-o name",
                                                  "-l app=web", "-l 'app in (a,b)'", "--sort-by=.metadata.name", "--watch=false", "-w",
                                                  "--force", "--all", "--ignore-daemonsets", "--wait=false", "-f -", "-f", "--", "-c",
                                                  "-p", "--bogus", "-x", "-nfoo"])!)
            case 6: tokens.append(junk())
            default: tokens.append(random.element(of: HostileGenerator.words)!)
            }
        }
        return tokens.joined(separator: " ")
    }

    func etcdctlLine() -> String {
        var tokens = [random.element(of: ["member list", "member add etcd-4", "member remove 8e9e05c52164694d", "member remove zz",
                                          "endpoint status", "endpoint health", "get", "put", "del", "compact", "move-leader",
                                          "version", "member", "endpoint", "", "snapshot save x"])!]
        for _ in 0..<random.integer(in: 0..<5) {
            switch random.integer(in: 0..<6) {
            case 0: tokens.append("--" + random.element(of: ["command-timeout", "dial-timeout"])! + "=" + random.element(of: HostileGenerator.durations)!)
            case 1: tokens.append("--endpoints=" + random.element(of: [",", "", " , ", "http://etcd-1:2379", "http://nowhere:1", "a,,b"])!)
            case 2: tokens.append("--" + random.element(of: ["rev", "limit"])! + "=" + random.element(of: HostileGenerator.counts)!)
            case 3: tokens.append(random.element(of: ["--prefix", "-w table", "-w json", "--cluster", "--keys-only", "--peer-urls=http://x:2380",
                                                      "--peer-urls=", "--help", "-w"])!)
            case 4: tokens.append(junk())
            default: tokens.append(random.element(of: ["/registry/", "key", "value", "0", "-5", "99999999999999999999", "8e9e05c52164694d"])!)
            }
        }
        return tokens.joined(separator: " ")
    }

    func junk() -> String {
        let alphabet = Array("abz09-_=/.:,;'\"\\ \t*[]{}()%$#!?<>|&~`\u{00e9}\u{20ac}")
        return String((0..<random.integer(in: 1..<8)).map { _ in random.element(of: alphabet)! })
    }

    // MARK: Manifests

    func manifest() -> String {
        let replicas = random.element(of: [".nan", ".inf", "-.inf", "1e308", "3", "1000001", "-1", "9223372036854775807", "\"2\"", "~", "[1]"])!
        let surge = random.element(of: ["1", "25%", "9223372036854775807", "\"9223372036854775807%\"", "-1", "\"x%\"", "1.5"])!
        var text = """
        apiVersion: apps/v1
        kind: \(random.element(of: ["Deployment", "ReplicaSet", "Pod", "Service", "Node", "DaemonSet", "Nope", ""])!)
        metadata: {name: \(random.element(of: ["fuzz", "web", "\"\"", "UPPER", "a/b"])!), labels: {app: fuzz}}
        spec:
          replicas: \(replicas)
          selector: {matchLabels: {app: fuzz}}
          strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: \(surge), maxUnavailable: \(surge)}}
          template:
            metadata: {labels: {app: fuzz}}
            spec: {terminationGracePeriodSeconds: \(random.element(of: HostileGenerator.counts.filter { !$0.isEmpty })!), containers: [{name: c, image: nginx}]}

        """
        switch random.integer(in: 0..<6) {
        case 0: text += "extra: " + String(repeating: "[", count: random.integer(in: 1..<200)) + "\n"
        case 1: text += "a: &a [x, x]\nb: [*a, *a]\n"
        case 2: text += String(repeating: " ", count: random.integer(in: 0..<4)) + junk() + "\n"
        case 3: text += "---\n" + junk() + ": " + junk() + "\n"
        case 4: text = "{\"kind\": " + String(repeating: "{\"a\":", count: random.integer(in: 0..<100)) + "1"
        default: break
        }
        return text
    }

    // MARK: Literals

    /// A Lua string literal for any text.
    func literal(_ text: String) -> String { literal(bytes: Array(text.utf8)) }

    func literal(bytes: [UInt8]) -> String {
        var result = "\""
        for byte in bytes {
            let isPlain = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || " -_=/.:,;*[]{}()%$#!?<>|&~+^@".utf8.contains(byte)
            result += isPlain ? String(UnicodeScalar(byte)) : "\\\(byte / 100)\(byte / 10 % 10)\(byte % 10)"
        }
        return result + "\""
    }
}
