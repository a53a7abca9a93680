/// A small platform to learn on: three zones with one node each, and a three-member etcd
/// cluster (etcd-1..3, one per zone).
enum PracticeScenario {
    static let zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]

    static let scenario = Scenario(
        name: "practice",
        summary: "Three nodes in three zones and a three-member etcd: a small cluster to practise on.",
        calendarStart: CalendarTime(year: 2017, month: 10, day: 27, hour: 9)
    ) { world in
        for (index, zone) in zones.enumerated() {
            world.addHost("node-\(index + 1)", zone: zone)
        }
        for (index, zone) in zones.enumerated() {
            world.addHost("etcd-\(index + 1)", zone: zone)
        }
        EtcdCluster.install(in: world, hosts: ["etcd-1", "etcd-2", "etcd-3"])
    }
}
