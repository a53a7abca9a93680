import Foundation
import Testing
import Simulation
@testable import Scripting

/// Times on the Lua surface, as a trainee reads them: a moment is a clock string on the world's
/// calendar and how long ago is an age in seconds, never raw simulated seconds (negative before
/// hand-over). `help("sim")` says so, and each function's help says which of its fields is which.
@Suite struct TimeFieldsTests {
    /// Walks every table a read returns and lists the fields whose name says "time" but whose
    /// value is a number: only `t` (sim.now()'s scale, paired with `clock`) and ages may be.
    static let sweep = """
        local function timeish(key)
          return key == "since" or key == "clock" or key == "time" or key:find("^last_") or key:find("_at$") or key:find("_time$")
        end
        local bad = {}
        local function walk(path, value, depth)
          if type(value) ~= "table" or depth > 6 then return end
          for key, field in pairs(value) do
            local name = path .. "." .. tostring(key)
            if type(key) == "string" and type(field) == "number" and timeish(key) and not key:find("_age$") then bad[#bad + 1] = name end
            if type(key) == "string" and key:find("_age$") and (type(field) ~= "number" or field < 0) then bad[#bad + 1] = name end
            if key == "t" and value.clock == nil then bad[#bad + 1] = name .. " without a clock" end
            walk(name, field, depth + 1)
          end
        end
        local reads = {
          ["mesh.proxies()"] = function() return mesh.proxies() end,
          ["mesh.discovery('node-1')"] = function() return mesh.discovery("node-1") end,
          ["mesh.routes('node-1', 'ledger/ledger')"] = function() return mesh.routes("node-1", "ledger/ledger") end,
          ["k8s.apiservers()"] = function() return k8s.apiservers() end,
          ["etcd.members()"] = function() return etcd.members() end,
          ["etcd.health()"] = function() return etcd.health() end,
          ["etcd.clients()"] = function() return etcd.clients() end,
          ["alerts.firing()"] = function() return alerts.firing() end,
          ["alerts.rules()"] = function() return alerts.rules() end,
          ["faults.active()"] = function() return faults.active() end,
          ["metrics.query('success_rate', {}, '2m')"] = function() return metrics.query("success_rate", {}, "2m") end,
          ["traffic.path('card_payments')"] = function() return traffic.path("card_payments") end,
        }
        for name, read in pairs(reads) do walk(name, read(), 0) end
        return table.concat(bad, ", ")
        """

    @Test func momentsAreClockStringsAndAgesEvenAcrossACalendarSkip() throws {
        let bank = try BankSession("mini-bank", seed: 3)
        try bank.lua("k8s.scale('deployments', 'ledger', 0, {namespace = 'ledger'})")
        try bank.advance("4m")
        #expect(try bank.lua(TimeFieldsTests.sweep) == "", "every time on the surface is a clock string or an age")

        try bank.lua("function ledger() for _, n in ipairs(mesh.discovery('node-1')) do if n.namespace == 'ledger' then return n end end end")
        let changed = try bank.lua("return ledger().last_change")
        #expect(changed.range(of: #"^13:5\d:\d\d$"#, options: .regularExpression) != nil, "today's moment is a clock: \(changed)")
        let age = try bank.number("return ledger().last_change_age")
        #expect(age >= 230 && age <= 250, "the ledger's pods went four minutes ago, as the lab arrived at 13:55: \(age) s")
        let firing = try bank.lua("for _, a in ipairs(alerts.firing()) do if a.name == 'LedgerErrors' then return a.since .. ' ' .. a.since_age end end")
        #expect(firing.range(of: #"^13:5\d:\d\d \d+"#, options: .regularExpression) != nil, "alerts say since when, and how long: \(firing)")
        #expect(try bank.lua("return metrics.query('success_rate', {class = 'card_payments'}, '10s')[1].samples[1].clock")
                    .range(of: #"^13:5\d:\d\d$"#, options: .regularExpression) != nil)

        #expect(try bank.lua("return sim.skip_calendar('2017-10-30 09:00')") == "2017-10-30 09:00:00")
        let before = try bank.lua("return ledger().last_change")
        #expect(before.hasPrefix("2017-10-27 13:5"), "a moment before the skip keeps the date it happened on: \(before)")
        #expect(try bank.number("return ledger().last_change_age") > 2 * 86_400 + 19 * 3_600, "and is as old as the calendar says")
        let event = try bank.lua("local s = k8s.apiservers()[1].resources.pods return s.last_event .. ' ' .. s.last_event_age")
        #expect(event.hasPrefix("2017-10-27 13:5"), "\(event)")
        try bank.advance("30s")
        #expect(try bank.lua(TimeFieldsTests.sweep) == "")
    }

    @Test func helpSaysWhichFieldsAreClocksAndWhichAreAges() throws {
        let bank = try BankSession("mini-bank", seed: 1)
        let sim = try bank.lua("return help('sim')")
        #expect(sim.contains("clock string") && sim.contains("_age") && sim.contains("sim.now()"), "\(sim)")
        for (topic, fields) in [("mesh.discovery", ["last_change", "last_change_age"]), ("k8s.apiservers", ["last_event", "last_event_age"]),
                                ("alerts.firing", ["since", "since_age"]), ("metrics.query", ["clock"])] {
            let text = try bank.lua("return help('\(topic)')")
            for field in fields { #expect(text.contains(field), "help(\"\(topic)\") names \(field): \(text)") }
        }
    }

    /// A window ("the last 15 minutes") is calendar time: after a skip of days it holds nothing
    /// from before the skip, though little simulated time separates the two.
    @Test func windowsDoNotReachBackAcrossACalendarSkip() throws {
        let bank = try BankSession("mini-bank", seed: 3)
        try bank.advance("5m")
        try bank.lua("sim.skip_calendar('2017-10-30 09:00')")
        try bank.advance("40s")
        let clocks = try bank.lua("""
            local clocks = {} for _, s in ipairs(metrics.query('success_rate', {class = 'card_payments'}, '30m')[1].samples) do clocks[#clocks + 1] = s.clock end
            return table.concat(clocks, ' ')
            """)
        #expect(!clocks.isEmpty && !clocks.contains("2017-10-27"), "only Monday's samples: \(clocks)")
        // Monday morning's request rate, not Friday afternoon's: both windows hold the same 40 s.
        #expect(try bank.number("return traffic.rate('card_payments', '30m')") == (try bank.number("return traffic.rate('card_payments', '1m')")))
        let dashboard = try bank.lua("return dashboard()")
        #expect(dashboard.contains("platform at 2017-10-30 09:00:40"), "\(dashboard)")
        let recent = try bank.lua("return metrics.query('success_rate', {class = 'card_payments'}, '30m')[1].samples[1].t")
        let skippedAt = try bank.number("return sim.now()") - 40
        #expect((Double(recent) ?? -1) >= skippedAt, "the first sample in the window is after the skip: \(recent) vs \(skippedAt)")
    }

    @Test func linkerdLogsWithTheWorldsClock() throws {
        let bank = try BankSession("mini-bank", seed: 5)
        try bank.lua("sim.skip_calendar('2017-11-02 16:20')")
        #expect(try bank.lua("return mesh.restart('node-2')").hasSuffix("deleted"))
        try bank.advance("60s")
        let log = try bank.lua("return mesh.logs('node-2')")
        #expect(log.range(of: #"\nNov 02, 2017 4:2\d:\d\d PM com\.twitter\.finagle\.Init\$ \$anonfun\$once\$1\nINFO: Finagle version"#,
                          options: .regularExpression) != nil, "the JVM's first lines carry the clock it started at: \(log)")
        #expect(log.contains("I 1102 16:2"), "linkerd's own lines too")
        #expect(!log.contains("Nov 27, 2017 12:00:00 AM"))
    }
}
