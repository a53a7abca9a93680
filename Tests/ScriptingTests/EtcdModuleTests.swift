import Testing
import Simulation
@testable import Scripting

/// `etcd` and `etcdctl` as a trainee uses them on the practice platform.
@Suite struct EtcdModuleTests {
    func session(seed: UInt64 = 1) throws -> ReplCore {
        let core = ReplCore(runtime: try makeRuntime(seed: seed))
        _ = core.feed("sim.advance('3s')")
        return core
    }

    @Test func membersAndLeaderAsTables() throws {
        let core = try session()
        #expect(core.feed("#etcd.members()").text == "3")
        #expect(core.feed("local m = etcd.members()[2] return m.name, m.host, m.zone, m.healthy").text
                == "etcd-2\tetcd-2\teu-west-1b\ttrue")
        #expect(core.feed("local n = 0 for _, m in ipairs(etcd.members()) do if m.leader then n = n + 1 end end return n").text == "1")
        #expect(core.feed("etcd.leader().id:match('^%x+$') ~= nil").text == "true", "ids are hex as etcd prints them")
        #expect(core.feed("local h = etcd.health() return h.healthy, h.members, h.quorum, h.fault_tolerance").text == "true\t3\t2\t1")
    }

    @Test func memberListLooksLikeEtcdctls() throws {
        let core = try session()
        let simple = core.feed("etcdctl('member list')").text.split(separator: "\n")
        #expect(simple.count == 3)
        #expect(simple.contains { $0.contains(", started, etcd-1, http://etcd-1:2380, http://etcd-1:2379") })
        let table = core.feed("etcdctl('member list -w table')").text.split(separator: "\n")
        #expect(table[1] == "|        ID        | STATUS  |  NAME  |     PEER ADDRS     |    CLIENT ADDRS    |")
        #expect(table.count == 7 && table[0].hasPrefix("+------------------+"))
    }

    @Test func keysRoundTrip() throws {
        let core = try session()
        #expect(core.feed("etcdctl('put /app/a 1')").text == "OK")
        #expect(core.feed("etcdctl(\"put /app/b 'two words'\")").text == "OK")
        #expect(core.feed("etcdctl('get /app/ --prefix')").text == "/app/a\n1\n/app/b\ntwo words")
        #expect(core.feed("etcdctl('get /app/ --prefix --keys-only')").text == "/app/a\n/app/b")
        #expect(core.feed("etcdctl('del /app/ --prefix')").text == "2")
        #expect(core.feed("etcdctl('get /app/a')").text == "")
    }

    @Test func statusAndHealth() throws {
        let core = try session()
        let status = core.feed("etcdctl('endpoint status --cluster')").text.split(separator: "\n")
        #expect(status.count == 3 && status.filter { $0.contains(", true, ") }.count == 1, "exactly one leader: \(status)")
        let health = core.feed("etcdctl('endpoint health --cluster')").text
        #expect(health.components(separatedBy: "is healthy: successfully committed proposal: took = ").count == 4)
    }

    @Test func aMemberThatNeverStartsLowersFaultTolerance() throws {
        let core = try session()
        #expect(core.feed("etcdctl('member add etcd-4 --peer-urls=http://etcd-4:2380')").text.hasPrefix("Member "))
        #expect(core.feed("etcd.health().fault_tolerance").text == "0", "four members need three for a quorum")
        #expect(core.feed("select(2, etcd.start('etcd-4'))").text.hasPrefix("no host named etcd-4 to run etcd on"))
        _ = core.feed("faults.crash(etcd.leader().host) sim.advance('5s')")
        #expect(core.feed("etcd.leader()").text == "nil", "two of four cannot elect a leader")
        let write = core.feed("select(2, etcdctl('put /k v'))").text
        #expect(write == "Error: context deadline exceeded")
    }

    @Test func addingAndStartingAMemberOnASpareHost() throws {
        let core = try session()
        let added = core.feed("etcdctl('member add extra --peer-urls=http://node-1:2380')").text
        #expect(added.contains("ETCD_NAME=\"extra\"") && added.contains("ETCD_INITIAL_CLUSTER_STATE=\"existing\""))
        #expect(core.feed("etcdctl('member list')").text.contains("unstarted, , http://node-1:2380"))
        #expect(core.feed("select(2, etcd.start('extra'))").text == "no host named extra to run etcd on; give its peer URL: etcd.start(\"extra\", \"http://HOST:2380\")")
        #expect(core.feed("etcd.start('extra', 'http://node-1:2380')").text == "true")
        _ = core.feed("sim.advance('3s')")
        #expect(core.feed("etcdctl('member list')").text.contains("started, extra, http://node-1:2380, http://node-1:2379"))
        #expect(core.feed("local h = etcd.health() return h.members, h.healthy_members, h.fault_tolerance").text == "4\t4\t1")
        #expect(core.feed("select(2, etcd.start('extra', 'http://node-1:2380'))").text == "etcd is already running as extra")
    }

    @Test func removingAMemberStopsIt() throws {
        let core = try session()
        _ = core.feed("victim = etcd.members()[3]")
        #expect(core.feed("etcdctl('member remove ' .. victim.id)").text.hasPrefix("Member "))
        _ = core.feed("sim.advance('1s')")
        #expect(core.feed("#etcd.members()").text == "2")
        #expect(core.feed("select(2, etcdctl('member remove ' .. victim.id))").text == "Error: etcdserver: member not found")
    }

    @Test func moveLeader() throws {
        let core = try session()
        _ = core.feed("target = nil for _, m in ipairs(etcd.members()) do if not m.leader then target = m end end")
        #expect(core.feed("etcdctl('move-leader ' .. target.id)").text.hasPrefix("Leadership transferred from "))
        #expect(core.feed("etcd.leader().name == target.name").text == "true")
    }

    @Test func badInputGetsEtcdctlsErrors() throws {
        let core = try session()
        let cases: [(String, String)] = [
            ("bogus", "Error: unknown command \"bogus\" for \"etcdctl\"\nRun 'etcdctl --help' for usage."),
            ("get", "Error: get command needs one argument as key and an optional argument as range_end"),
            ("put /k", "Error: put command needs 1 argument and input from stdin or 2 arguments"),
            ("get /k --bogus", "Error: unknown flag: --bogus"),
            ("get /k -x", "Error: unknown shorthand flag: 'x' in -x"),
            ("member list --endpoints", "Error: flag needs an argument: --endpoints"),
            ("member remove zz", "Error: bad member ID arg (strconv.ParseUint: parsing \"zz\": invalid syntax), expecting ID in Hex"),
            ("member remove", "Error: member ID is not provided"),
            ("member remove 1234", "Error: etcdserver: member not found"),
            ("member add", "Error: member name not provided"),
            ("member add x", "Error: member peer urls not provided"),
            ("member add x http://x:2380", "Error: too many arguments, did you mean --peer-urls=http://x:2380"),
            ("member frob", "Error: unknown command \"frob\" for \"etcdctl member\"\nRun 'etcdctl member --help' for usage."),
            ("get /k -w table", "Error: table not supported as output format"),
            ("get /k --command-timeout=soon", "Error: invalid argument \"soon\" for \"--command-timeout\" flag: time: invalid duration soon"),
            ("put /k 'unterminated", "Error: unterminated quote in command line"),
        ]
        for (command, expected) in cases {
            let reply = core.feed("select(2, etcdctl(\(LuaValue.quote(command))))")
            #expect(reply.text == expected, "etcdctl \(command)")
        }
        #expect(core.feed("etcdctl({})").failed, "a non-string command is misuse: a Lua error")
        #expect(core.feed("etcd.start({})").failed && core.feed("etcd.stop()").failed)
        #expect(core.feed("select(2, etcd.stop('nobody'))").text == "no etcd member named nobody; etcd.members() lists them")
    }

    @Test func aWorldWithoutEtcdSaysSo() throws {
        let runtime = try ScriptRuntime(scenario: ScenarioCatalog.named("empty")!, seed: 1)
        let core = ReplCore(runtime: runtime)
        let reply = core.feed("etcd.members()")
        #expect(reply.failed && reply.text.contains("this world has no etcd cluster (scenario \"empty\")"))
        #expect(core.feed("select(2, etcdctl('member list'))").text.contains("no etcd cluster"))
    }

    @Test func graderSeesClientsAndTheirPins() throws {
        let runtime = try makeRuntime()
        let core = ReplCore(runtime: runtime)
        _ = core.feed("sim.advance('3s')")
        _ = core.feed("etcdctl('put /k v')")
        // The apiserver's storage clients (one per resource) are the only ones left.
        _ = core.feed("function mine() for _, c in ipairs(etcd.clients()) do if c.owner == 'etcdctl' then return c end end end")
        #expect(core.feed("mine() == nil and #etcd.clients() > 0").text == "true", "etcdctl's own clients are gone once it returns")
        let cluster = runtime.world.component(EtcdCluster.self)!
        let client = EtcdClient(owner: cluster.workstation, endpoints: ["http://etcd-2:2379"], version: .v3_1, label: "endpoints")
        _ = core.feed("sim.advance('1s')")
        #expect(core.feed("local c = mine() return c.label, c.version, c.pinned, c.zombie").text
                == "endpoints\t3.1\thttp://etcd-2:2379\tfalse")
        runtime.world.crash(runtime.world.host(named: "etcd-2")!)
        #expect(core.feed("mine().zombie").text == "true", "the grader sees what no real cluster shows")
        client.close()
    }
}

/// A grader may read etcd, never change it: etcdctl moves time and writes, so it refuses.
@Suite struct EtcdReadOnlyTests {
    @Test func gradersReadEtcdButCannotRunEtcdctl() throws {
        let runtime = try makeRuntime()
        try runtime.advance(by: Span.seconds(3))
        let (members, etcdctl, stop) = runtime.readingOnly(as: "a grader") {
            (Result { try runtime.lua.execute("return #etcd.members()") },
             Result { try runtime.lua.execute("return etcdctl('member list')") },
             Result { try runtime.lua.execute("return etcd.stop('etcd-1')") })
        }
        #expect((try? members.get()) == [.integer(3)])
        #expect(throws: LuaError.self) { try etcdctl.get() }
        #expect(throws: LuaError.self) { try stop.get() }
        #expect(runtime.world.component(EtcdCluster.self)!.member(named: "etcd-1")!.isRunning)
    }
}
