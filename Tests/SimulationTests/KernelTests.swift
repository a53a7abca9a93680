import Testing
@testable import Simulation

@Suite struct TimeTests {
    @Test func parsesDurations() {
        #expect(Span.parse("90s") == Span.seconds(90))
        #expect(Span.parse("5m") == Span.minutes(5))
        #expect(Span.parse("1h30m") == Span.minutes(90))
        #expect(Span.parse("250ms") == Span.milliseconds(250))
        #expect(Span.parse("1.5s") == Span.milliseconds(1_500))
        #expect(Span.parse("2d") == Span.days(2))
        #expect(Span.parse("42") == Span.seconds(42))
        for bad in ["", "5x", "m", "-5s", "5m3", "1..2s"] { #expect(Span.parse(bad) == nil, "\(bad) should not parse") }
    }

    @Test func calendarArithmetic() {
        let start = CalendarTime(year: 2017, month: 10, day: 27, hour: 13, minute: 55)
        #expect(start.adding(Span.minutes(15)).clock == "14:10:00")
        #expect(start.adding(Span.hours(11)).description == "2017-10-28 00:55:00")
        #expect(start.adding(-Span.days(14)).date == "2017-10-13")
        #expect(CalendarTime(year: 2016, month: 2, day: 28).adding(Span.days(1)).date == "2016-02-29")
        #expect(CalendarTime(parsing: "2017-10-27 13:55") == start)
        #expect(CalendarTime(parsing: "2017-13-01") == nil)
        #expect(CalendarTime(secondsSinceEpoch: 0).description == "1970-01-01 00:00:00")
    }

    @Test func describesSpans() {
        #expect(Span.describe(Span.milliseconds(850)) == "850ms")
        #expect(Span.describe(Span.seconds(42)) == "42s")
        #expect(Span.describe(Span.seconds(312)) == "5m12s")
        #expect(Span.describe(Span.minutes(184)) == "3h4m")
        #expect(Span.describe(Span.hours(51)) == "2d3h")
    }
}

@Suite struct NetworkTests {
    func threeZones() -> (World, [Host]) {
        let world = World(seed: 5)
        let hosts = ["a", "b", "c"].map { world.addHost("host-\($0)", zone: "zone-\($0)") }
        return (world, hosts)
    }

    @Test func partitionsCutBetweenGroupsOnly() {
        let (world, hosts) = threeZones()
        world.network.partition(Partition(groups: [["zone-a"]]))
        #expect(!world.network.canReach(from: hosts[0], to: hosts[1]))
        #expect(world.network.canReach(from: hosts[1], to: hosts[2]), "the rest stays together")
        var delivered = 0
        world.network.send(from: hosts[0], to: hosts[2]) { delivered += 1 }
        world.network.send(from: hosts[1], to: hosts[2]) { delivered += 1 }
        world.advance(by: Span.seconds(1))
        #expect(delivered == 1)
        world.network.heal()
        #expect(world.network.canReach(from: hosts[0], to: hosts[1]))
    }

    @Test func messagesInFlightAreLostToANewPartition() {
        let (world, hosts) = threeZones()
        var delivered = false
        world.network.send(from: hosts[0], to: hosts[1]) { delivered = true }
        world.network.partition(Partition(groups: [["host-a"], ["host-b"]]))
        world.advance(by: Span.seconds(1))
        #expect(!delivered)
    }

    @Test func clogsDelayAndDrop() {
        let (world, hosts) = threeZones()
        world.network.clog(Clog(from: "zone-a", extraDelay: Span.seconds(2)))
        var arrival: SimTime?
        world.network.send(from: hosts[0], to: hosts[1]) { arrival = world.now }
        world.advance(by: Span.seconds(5))
        #expect(arrival! >= Span.seconds(2))
        world.network.heal()
        world.network.clog(Clog(from: "zone-a", dropProbability: 1))
        var delivered = false
        world.network.send(from: hosts[1], to: hosts[0]) { delivered = true }
        world.advance(by: Span.seconds(1))
        #expect(!delivered, "clogs apply both ways unless one_way")
    }

    @Test func latencyDependsOnDistance() {
        let (world, hosts) = threeZones()
        let sameHost = world.network.transitDelay(from: hosts[0], to: hosts[0])!
        let crossZone = world.network.transitDelay(from: hosts[0], to: hosts[1])!
        #expect(sameHost < crossZone)
    }
}

@Suite struct ConnectionTests {
    final class Server: SimProcess {
        var requests = 0
        override func didStart() { requests = 0 }
    }

    final class Client: SimProcess {
        var connection: Connection?
        var closedNotices = 0
        var dialResult: Result<Connection, DialError>?

        func dial(_ server: Server) {
            world.network.dial(from: self, to: server, timeout: Span.seconds(2)) { result in
                self.dialResult = result
                if case .success(let connection) = result {
                    self.connection = connection
                    connection.onClosedAtClient = { self.closedNotices += 1 }
                }
            }
        }
    }

    func pair() -> (World, Client, Server) {
        let world = World(seed: 11)
        let client = Client(name: "client", host: world.addHost("client-host", zone: "zone-a"))
        let server = Server(name: "server", host: world.addHost("server-host", zone: "zone-b"))
        world.add(client); world.add(server)
        world.start(client); world.start(server)
        client.dial(server)
        world.advance(by: Span.seconds(1))
        return (world, client, server)
    }

    @Test func requestsFlowOnAnOpenConnection() {
        let (world, client, server) = pair()
        client.connection!.sendToServer { server.requests += 1 }
        world.advance(by: Span.seconds(1))
        #expect(server.requests == 1)
    }

    @Test func hostCrashLeavesAZombie() {
        let (world, client, server) = pair()
        world.crash(server.host)
        world.advance(by: Span.seconds(1))
        let connection = client.connection!
        #expect(connection.isOpenAtClient && connection.isZombie, "nobody told the client")
        connection.sendToServer { server.requests += 1 }
        world.advance(by: Span.seconds(1))
        #expect(client.closedNotices == 0, "a down host sends no reset: the request just vanishes")
        #expect(server.requests == 0)
    }

    @Test func restartedServerResetsOldConnections() {
        let (world, client, server) = pair()
        world.crash(server.host)
        world.restart(server.host)
        #expect(server.isRunning && server.incarnation == 2)
        client.connection!.sendToServer { server.requests += 1 }
        world.advance(by: Span.seconds(1))
        #expect(server.requests == 0, "the new incarnation does not know the old connection")
        #expect(client.closedNotices == 1, "its kernel answers with a reset")
    }

    @Test func gracefulStopTellsTheClient() {
        let (world, client, server) = pair()
        world.stop(server)
        world.advance(by: Span.seconds(1))
        #expect(client.closedNotices == 1)
        #expect(!client.connection!.isOpenAtClient)
    }

    @Test func lostTeardownLeavesAZombie() {
        let (world, client, server) = pair()
        world.network.partition(Partition(groups: [["zone-a"]]))
        world.stop(server)
        world.advance(by: Span.seconds(1))
        world.network.heal()
        world.advance(by: Span.seconds(1))
        #expect(client.closedNotices == 0)
        #expect(client.connection!.isZombie)
    }

    @Test func dialingNothingFails() {
        let (world, client, server) = pair()
        world.stop(server)
        client.dial(server)
        world.advance(by: Span.seconds(3))
        #expect(client.dialResult.map { if case .failure(.refused) = $0 { true } else { false } } == true)
        world.crash(server.host)
        client.dial(server)
        world.advance(by: Span.seconds(3))
        #expect(client.dialResult.map { if case .failure(.timedOut) = $0 { true } else { false } } == true)
    }
}
