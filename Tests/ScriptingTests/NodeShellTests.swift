import Foundation
import Testing
import Simulation
@testable import Scripting

/// `node.sh(host, cmd)`: the host-level signals an on-call engineer reads, from the model.
@Suite struct NodeShellTests {
    static func miniBank(seed: UInt64 = 11) throws -> BankSession {
        let bank = try BankSession("mini-bank", seed: seed)
        try bank.advance("1m")
        return bank
    }

    /// `node.sh(host, cmd)`, or `ERROR: message` when it returns nil and a message.
    static func sh(_ bank: BankSession, _ host: String, _ command: String) throws -> String {
        try bank.lua("local out, err = node.sh(\(LuaValue.quote(host)), \(LuaValue.quote(command))) return out or ('ERROR: ' .. err)")
    }

    @Test func theKubeletJournalAndUnitStatus() throws {
        let bank = try NodeShellTests.miniBank()
        let journal = try NodeShellTests.sh(bank, "node-1", "journalctl -u kubelet -n 5")
        let lines = journal.split(separator: "\n")
        #expect(lines.count == 6 && lines[0].hasPrefix("-- Logs begin at Fri 2017-10-27 13:5"), "\(journal)")
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("Oct 27 1") && $0.contains(" node-1 kubelet[") }, "\(journal)")
        let started = try NodeShellTests.sh(bank, "node-1", "journalctl -u kubelet --since 13:00 | grep -c 'Started Kubernetes Kubelet Server'")
        #expect(started == "1", "\(started)")
        let added = try NodeShellTests.sh(bank, "node-1", "journalctl -u kubelet | grep SyncLoop | head -n 1")
        #expect(added.contains("kubelet.go:1782] SyncLoop (ADD, \"api\"): \""), "\(added)")
        let status = try NodeShellTests.sh(bank, "node-1", "systemctl status kubelet")
        #expect(status.hasPrefix("● kubelet.service - Kubernetes Kubelet Server"), "\(status)")
        #expect(status.contains("Active: active (running) since Fri 2017-10-27 13:5") && status.contains("Main PID: "), "\(status)")
        #expect(try NodeShellTests.sh(bank, "node-1", "journalctl -u docker").contains("dockerd["), "docker starts first after a boot")
        #expect(try NodeShellTests.sh(bank, "etcd-1", "journalctl -u etcd").contains("etcd["), "etcd runs under systemd")
        #expect(try NodeShellTests.sh(bank, "etcd-1", "systemctl status kubelet") == "ERROR: Unit kubelet.service could not be found.")
    }

    @Test func whatTheShellRefuses() throws {
        let bank = try NodeShellTests.miniBank()
        #expect(try NodeShellTests.sh(bank, "node-1", "top") == "ERROR: bash: top: command not found")
        #expect(try NodeShellTests.sh(bank, "node-9", "uptime") == "ERROR: ssh: Could not resolve hostname node-9: Name or service not known")
        #expect(try NodeShellTests.sh(bank, "node-1", "systemctl restart kubelet").hasPrefix("ERROR: systemctl restart: node.sh is read-only"))
        try bank.lua("faults.crash('node-2')")
        #expect(try NodeShellTests.sh(bank, "node-2", "uptime") == "ERROR: ssh: connect to host node-2 port 22: Connection timed out")
        let before = bank.world.digestHex()
        for command in ["journalctl", "systemctl status kubelet", "ss -tnp", "netstat -tan", "ps aux", "ps -ef", "df -h", "uptime",
                        "cat /etc/hosts", "curl -s localhost:9990/admin/metrics.json"] {
            _ = try NodeShellTests.sh(bank, "node-1", command)
        }
        #expect(bank.world.digestHex() == before, "reading a host changes nothing")
    }

    @Test func processesDisksAndAddresses() throws {
        let bank = try NodeShellTests.miniBank()
        let processes = try NodeShellTests.sh(bank, "node-1", "ps aux")
        #expect(processes.hasPrefix("USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND"), "\(processes)")
        #expect(processes.contains("/usr/local/bin/kubelet --api-servers=https://10.0.0.1:443") && processes.contains("java -XX:+UseConcMarkSweepGC"), "\(processes)")
        #expect(try NodeShellTests.sh(bank, "master-1", "ps -ef").contains("/usr/local/bin/kube-apiserver --etcd-servers="))
        #expect(try NodeShellTests.sh(bank, "etcd-2", "ps aux").contains("/usr/local/bin/etcd --name etcd-2"))
        #expect(try NodeShellTests.sh(bank, "node-1", "df -h").contains("/var/lib/docker"))
        #expect(try NodeShellTests.sh(bank, "etcd-1", "df -h").contains("/var/lib/etcd"))
        let uptime = try NodeShellTests.sh(bank, "node-1", "uptime")
        #expect(uptime.hasPrefix(" 13:56:00 up 5 min,  1 user,  load average: "), "\(uptime)")
        let hosts = try NodeShellTests.sh(bank, "bastion", "cat /etc/hosts")
        let nodeAddress = try bank.lua("for _, a in ipairs(k8s.get('nodes', 'node-1').status.addresses) do if a.type == 'InternalIP' then return a.address end end")
        #expect(hosts.contains("\(nodeAddress)\tnode-1") && hosts.contains("\tetcd-3") && hosts.contains("\tbastion"), "\(hosts)\nnode-1 reports \(nodeAddress)")
    }

    @Test func linkerdAdminMetricsAndDelegation() throws {
        let bank = try NodeShellTests.miniBank()
        let metrics = try NodeShellTests.sh(bank, "node-1", "curl -s localhost:9990/admin/metrics.json?pretty=1")
        let requests = try #require(metrics.split(separator: "\n").first { $0.contains("\"rt/outgoing/srv/0.0.0.0/4140/requests\"") }, "\(metrics)")
        #expect((Int(requests.split(separator: ":").last!.trimmingCharacters(in: .whitespaces).dropLast()) ?? 0) > 0, "\(requests)")
        #expect(metrics.contains("/dst/id/#/io.l5d.k8s/") && metrics.contains("/loadbalancer/size") && metrics.contains("ConnectionFailedException"), "\(metrics)")
        let tree = try NodeShellTests.sh(bank, "node-1", "curl -s 'localhost:9990/delegator.json?path=/svc/accounts/account&namespace=outgoing'")
        #expect(tree.hasPrefix("{\"type\":\"delegate\",\"path\":\"/svc/accounts/account\"") && tree.contains("\"type\":\"bound\",\"addrs\":[{\"ip\":\"10."), "\(tree)")
        #expect(try NodeShellTests.sh(bank, "master-1", "curl -s localhost:9990/admin/metrics.json") == "ERROR: curl: (7) Failed to connect to localhost port 9990: Connection refused")
    }

    /// A storage client stranded on a member that was then removed: the apiserver's host still
    /// shows the connection as ESTABLISHED, to an address no member has any more.
    @Test func aStrandedEtcdClientShowsAsAnEstablishedConnectionToARemovedMember() throws {
        let bank = try NodeShellTests.miniBank(seed: 4)
        let owner = try bank.lua("for _, c in ipairs(etcd.clients()) do if c.owner:find('apiserver', 1, true) and c.pinned == 'http://etcd-1:2379' then return c.owner end end")
        let master = try #require(owner.split(separator: "/").last.map(String.init), "some apiserver client is pinned to etcd-1: \(owner)")
        try bank.lua("faults.crash('etcd-1')")
        try bank.advance("10s")
        #expect(try bank.lua("for _, m in ipairs(etcd.members()) do if m.name == 'etcd-1' then return select(2, etcdctl('member remove ' .. m.id)) or 'removed' end end") == "removed")
        try bank.advance("30s")
        let address = try #require(try NodeShellTests.sh(bank, master, "cat /etc/hosts").split(separator: "\n").first { $0.hasSuffix("\tetcd-1") }?.split(separator: "\t").first)
        let sockets = try NodeShellTests.sh(bank, master, "ss -tnp")
        let stranded = sockets.split(separator: "\n").filter { $0.hasPrefix("ESTAB") && $0.contains(" \(address):2379") }
        #expect(!stranded.isEmpty && stranded.allSatisfy { $0.contains("\"kube-apiserver\"") }, "\(sockets)")
        #expect(try NodeShellTests.sh(bank, master, "ss -t").contains(" etcd-1:2379"), "without -n, the resolver names the host")
        #expect(!(try bank.lua("local names = {} for _, m in ipairs(etcd.members()) do names[#names + 1] = m.name end return table.concat(names, ' ')")).contains("etcd-1"))
    }
}
