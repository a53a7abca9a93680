import Foundation
import Testing
import Simulation
@testable import Scripting

/// Prepaid card payments on the bank run on the prepaid platform, hosts of its own outside
/// Kubernetes and linkerd (the postmortem's "separate path"): the mesh's troubles never reach
/// them, and they fail for the platform's own causes, which the dashboard and the pages show.
@Suite struct PrepaidPlatformTests {
    /// The worst second of a class's platform success over a window.
    static func worst(_ bank: BankSession, _ requestClass: String, over window: String) throws -> Double {
        try bank.number("""
            local worst = 1
            for _, s in ipairs(metrics.query('platform_success_rate', {class = '\(requestClass)'}, '\(window)')[1].samples) do worst = math.min(worst, s.v) end
            return worst
            """)
    }

    @Test func prepaidFailsForItsOwnCausesAndNothingElseDoes() throws {
        let bank = try BankSession(seed: 21)
        #expect(try bank.lua("local p = traffic.path('prepaid_card_payments') return p[1].from .. ' -> ' .. p[1].to") == "prepaid-platform/processor -> prepaid-platform/authoriser")
        #expect(try bank.lua("return select(2, pcall(mesh.routes, 'node-1', 'prepaid-platform/authoriser'))")
                    .contains("prepaid-platform runs on the prepaid platform (prepaid-1, prepaid-2, prepaid-3), outside Kubernetes and linkerd"))
        #expect(try bank.lua("return dashboard()").contains("prepaid platform: 3/3 hosts in service"))

        // One host down: its third of requests fails until the load balancer's second failed check.
        try bank.lua("faults.crash('prepaid-2')")
        try bank.advance("30s")
        let dip = try PrepaidPlatformTests.worst(bank, "prepaid_card_payments", over: "30s")
        #expect(dip > 0.6 && dip < 0.7, "a third fails while the load balancer still sends to prepaid-2: \(dip)")
        #expect(try PrepaidPlatformTests.worst(bank, "prepaid_card_payments", over: "10s") == 1, "then it is out of service")
        #expect(try bank.lua("return dashboard()").contains("prepaid platform: 2/3 hosts in service"))

        // Every host down: every prepaid payment fails and pages; the current account does not notice.
        try bank.lua("faults.crash('prepaid-1') faults.crash('prepaid-3')")
        try bank.advance("4m")
        #expect(try bank.successRate("prepaid_card_payments", over: "30s") == 0)
        let firing = try bank.lua("local n = {} for _, a in ipairs(alerts.firing()) do n[#n + 1] = a.name end return table.concat(n, ' ')")
        #expect(firing.contains("PrepaidCardPaymentsFailing") && firing.contains("PrepaidPlatformErrors"), "\(firing)")
        for name in ["card_payments", "bank_transfers", "feed_balance", "cops_lookups"] {
            #expect(try bank.successRate(name, over: "30s") > 0.99, "\(name) runs on Kubernetes")
        }

        // Hosts back: each instance warms up, then the load balancer takes it back after two passed checks.
        try bank.lua("faults.restart('prepaid-1') faults.restart('prepaid-2') faults.restart('prepaid-3')")
        try bank.advance("20s")
        #expect(try bank.successRate("prepaid_card_payments", over: "5s") == 0, "still warming up")
        try bank.advance("40s")
        #expect(try PrepaidPlatformTests.worst(bank, "prepaid_card_payments", over: "10s") == 1)
    }
}
