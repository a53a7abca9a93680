import Testing
@testable import Simulation

@Suite struct KubernetesSmokeTests {
    @Test func practiceConverges() {
        let world = ScenarioCatalog.named("practice")!.makeWorld(seed: 1)
        world.advance(by: Span.seconds(90))
        let cluster = world.component(KubernetesCluster.self)!
        let server = cluster.apiServers[0]
        for object in server.cachedObjects(.pods) {
            let pod = object as! Pod
            print(pod.namespace, pod.name, pod.spec.nodeName, pod.status.phase, pod.isReady, pod.status.podIP)
        }
        for object in server.cachedObjects(.endpoints) { print((object as! Endpoints).name, (object as! Endpoints).readyAddresses) }
        for object in server.cachedObjects(.nodes) { print((object as! Node).name, (object as! Node).isReady) }
        print("events", server.cachedObjects(.events).count, "executed", world.executedEventCount)
        for line in cluster.logs.lines(.init(namespace: "kube-system", pod: "kube-controller-manager-master-1", container: "kube-controller-manager")) { print(line.text) }
    }
}
