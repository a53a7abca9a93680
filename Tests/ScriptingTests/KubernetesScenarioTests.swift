import Testing
import Simulation
@testable import Scripting

/// Operator sessions on the practice cluster: what a trainee does, and what the platform does back.
@Suite struct KubernetesScenarioTests {
    @Test func aDeploymentRollsOutAcrossZones() throws {
        let session = try OperatorSession()
        try session.advance("30s")
        #expect(try session.kubectl("apply -f -", stdin: KubectlGoldenTests.webManifest) == "deployment \"shop\" created\nservice \"shop\" created")
        #expect(try session.kubectl("rollout status deploy/shop").hasSuffix("deployment \"shop\" successfully rolled out"))
        let zones = try session.lua("""
            local zones = {}
            for _, pod in ipairs(k8s.get("pods", nil, {selector = "app=shop"})) do
              local node = k8s.get("nodes", pod.spec.nodeName)
              zones[#zones + 1] = node.metadata.labels["failure-domain.beta.kubernetes.io/zone"]
            end
            table.sort(zones)
            return table.concat(zones, ",")
            """)
        #expect(zones == "eu-west-1a,eu-west-1b,eu-west-1c")
        #expect(try session.lua("return #k8s.get('endpoints', 'shop').subsets[1].addresses") == "3")
    }

    @Test func aBadImageStallsTheRolloutAndUndoRecovers() throws {
        let session = try OperatorSession()
        try session.advance("60s")
        try session.lua("""
            local web = k8s.get("deployments", "web")
            web.spec.template.spec.containers[1].image = "nginx:bad"
            assert(k8s.apply(web) == "deployment.apps/web configured")
            """)
        let stalled = try session.kubectl("rollout status deployment/web --timeout=2m")
        #expect(stalled.hasSuffix("error: timed out waiting for the condition"), "\(stalled)")
        #expect(stalled.contains("1 out of 3 new replicas have been updated"))
        let pods = try session.kubectl("get pods -l app=web")
        #expect(pods.contains("ImagePullBackOff") || pods.contains("ErrImagePull"), "\(pods)")
        #expect(try session.kubectl("get deploy web").contains("web       3         4         1            3 "), "the old pods keep serving")
        try session.advance("9m")
        #expect(try session.kubectl("rollout status deploy/web") == "ERROR: error: deployment \"web\" exceeded its progress deadline")
        #expect(try session.kubectl("rollout undo deploy/web") == "deployment \"web\" rolled back")
        #expect(try session.kubectl("rollout status deploy/web").hasSuffix("successfully rolled out"))
        try session.advance("45s")
        #expect(try session.pods("app=web").allSatisfy { $0.spec.containers[0].image == "nginx:1.13" })
        #expect(try session.pods("app=web").count == 3)
    }

    @Test func aSilentNodeGoesNotReadyAndItsPodsAreReplacedElsewhere() throws {
        let session = try OperatorSession()
        try session.advance("60s")
        let onNode2 = try session.pods().filter { $0.spec.nodeName == "node-2" }.map(\.name)
        #expect(!onNode2.isEmpty)
        try session.lua("faults.crash('node-2')")
        try session.advance("50s")
        #expect(try session.kubectl("get nodes").contains("node-2     NotReady "))
        #expect(try session.lua("return k8s.get('endpoints', 'web').subsets[1].notReadyAddresses ~= nil") == "true"
                || (try session.pods().filter { $0.spec.nodeName == "node-2" }.allSatisfy { !$0.isReady }))
        try session.advance("6m")
        let pods = try session.kubectl("get pods -o wide")
        for name in onNode2 { #expect(pods.contains("\(name)   0/1     Terminating") || pods.contains(name) && pods.contains("Terminating"), "\(pods)") }
        let running = try session.pods().filter { $0.isReady && !$0.metadata.isTerminating }
        #expect(running.count == 5, "three web and two api pods serve again")
        #expect(running.allSatisfy { $0.spec.nodeName != "node-2" })
        #expect(try session.kubectl("get events --all-namespaces").contains("Deleting all Pods from Node node-2."))
    }

    @Test(arguments: [(KubernetesVersion.v1_6, "null", "nil"), (.v1_5, "[]", "0")])
    func scalingToZeroLeavesEmptyEndpoints(version: KubernetesVersion, json: String, lua: String) throws {
        let session = try OperatorSession(version: version)
        try session.advance("60s")
        #expect(try session.kubectl("scale deploy api --replicas=0") == "deployment \"api\" scaled")
        try session.advance("60s")
        #expect(try session.kubectl("get ep api").contains("api       <none>"))
        #expect(try session.kubectl("get ep api -o json").contains("\"subsets\": \(json)"))
        #expect(try session.lua("local s = k8s.get('endpoints', 'api').subsets return s == nil and 'nil' or tostring(#s)") == lua)
    }

    @Test func aStuckEndpointsClientSilencesDiscoveryWhilePodWritesWork() throws {
        let session = try OperatorSession(storage: "local")
        try session.advance("60s")
        let server = session.cluster.apiServers[0]
        (server.storageClient(for: .endpoints) as! StallableKeyValueClient).stall()
        #expect(try session.kubectl("scale deploy web --replicas=5") == "deployment \"web\" scaled")
        try session.advance("60s")
        #expect(try session.pods("app=web").filter(\.isReady).count == 5, "pods are created, scheduled and started")
        #expect(try session.lua("return #k8s.get('endpoints', 'web').subsets[1].addresses") == "3", "discovery still says three")
        let before = session.world.now
        let answer = try session.kubectl("get endpoints web")
        #expect(answer == "ERROR: Error from server (Timeout): the server was unable to return a response in the time allotted, but may still be processing the request (get endpoints)")
        #expect(session.world.now - before >= Span.seconds(60), "the request waited out the apiserver's timeout")
        #expect(try session.lua("local s = k8s.apiservers()[1] return s.resources.endpoints.last_event_age > s.resources.pods.last_event_age") == "true", "the Endpoints watch went quiet long before the Pods watch")
        server.world.restart(server)
        try session.advance("30s")
        #expect(try session.lua("return #k8s.get('endpoints', 'web').subsets[1].addresses") == "5", "a restarted apiserver re-dials and catches up")
    }

    /// `kubectl --server` reaches one master's apiserver, not the load balancer: how an operator
    /// asks a particular apiserver (each kubectl run through the balancer lands on any of them).
    @Test func serverFlagAsksOneApiserverAndNamesWhatItCannotReach() throws {
        let session = try OperatorSession(storage: "local")
        try session.advance("60s")
        let server = session.cluster.apiServers[0]
        let master = server.host.name
        (server.storageClient(for: .endpoints) as! StallableKeyValueClient).stall()
        let before = session.world.now
        #expect(try session.kubectl("--server https://\(master) get endpoints web")
            == "ERROR: Error from server (Timeout): the server was unable to return a response in the time allotted, but may still be processing the request (get endpoints)")
        #expect(session.world.now - before >= Span.seconds(60), "the named apiserver's storage client never answered")
        for form in ["-s \(master)", "--server=https://\(master):443/", "-shttps://\(master)", "--server https://10.0.0.1:443"] {
            let answer = try session.kubectl("get pods -l app=web \(form)")
            #expect(answer.hasPrefix("NAME") && answer.contains("web-"), "\(form): \(answer)")
        }
        #expect(try session.kubectl("-s https://master-9 get pods") == "ERROR: Unable to connect to the server: dial tcp: lookup master-9 on 10.0.0.2:53: no such host")
        #expect(try session.kubectl("-s node-1:443 get pods")
            == "ERROR: The connection to the server node-1:443 was refused - did you specify the right host or port?")
        #expect(try session.kubectl("-s http://\(master) get pods")
            == "ERROR: The connection to the server \(master) was refused - did you specify the right host or port?", "no plain HTTP on port 80")
        #expect(try session.kubectl("-s 10.9.9.9 get pods") == "ERROR: Unable to connect to the server: dial tcp 10.9.9.9:443: i/o timeout")
        #expect(try session.kubectl("--server= get pods -l app=web").hasPrefix("NAME"), "empty is the load balancer")
        #expect(try session.kubectl("cluster-info -s \(master)").hasPrefix("Kubernetes master is running at https://\(master)\n"))
        let statuses = try session.kubectl("get cs -s https://\(master):443"); #expect(statuses.contains("controller-manager"), "\(statuses)")
        #expect(try session.kubectl("options").contains("-s, --server=''"))
        #expect(try session.kubectl("get pods --server").hasPrefix("ERROR: error: flag needs an argument: --server"))
        session.world.stop(server)
        try session.advance("1s")
        #expect(try session.kubectl("-s \(master) get pods")
            == "ERROR: The connection to the server \(master) was refused - did you specify the right host or port?", "refused, not sent to another")
    }

    @Test func aStuckConfigMapClientStopsNewPodsStarting() throws {
        let session = try OperatorSession(storage: "local")
        try session.advance("60s")
        let server = session.cluster.apiServers[0]
        (server.storageClient(for: .configmaps) as! StallableKeyValueClient).stall()
        #expect(try session.kubectl("scale deploy api --replicas=4") == "deployment \"api\" scaled")
        try session.advance("3m")
        let pods = try session.kubectl("get pods -l app=api")
        #expect(pods.components(separatedBy: "ContainerCreating").count == 3, "\(pods)")
        #expect(try session.kubectl("get events").contains("FailedMount"))
        server.world.restart(server)
        try session.advance("3m")
        #expect(try session.pods("app=api").filter(\.isReady).count == 4)
    }

    static let proxyManifest = """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: l5d-config
      namespace: kube-system
    data:
      config.yaml: "namers: [{kind: io.l5d.k8s}]"
    ---
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: l5d
      namespace: kube-system
    spec:
      selector:
        matchLabels: {app: l5d}
      template:
        metadata:
          labels: {app: l5d}
        spec:
          tolerations: [{operator: Exists}]
          volumes: [{name: config, configMap: {name: l5d-config}}]
          containers:
          - name: l5d
            image: buoyantio/linkerd:0.9.1
    """

    @Test func aDaemonSetRunsOnEveryNodeAndRollsNodeByNode() throws {
        let session = try OperatorSession()
        try session.advance("30s")
        #expect(try session.kubectl("apply -f -", stdin: KubernetesScenarioTests.proxyManifest)
                == "configmap \"l5d-config\" created\ndaemonset \"l5d\" created")
        #expect(try session.kubectl("rollout status ds/l5d -n kube-system").hasSuffix("daemon set \"l5d\" successfully rolled out"))
        #expect(try session.kubectl("get ds -n kube-system").contains("l5d       4         4         4         4            4           <none>"),
                "one per node, the master included: the pods tolerate its taint")
        let updated = KubernetesScenarioTests.proxyManifest.replacingOccurrences(of: "0.9.1", with: "1.0.0")
        #expect(try session.kubectl("apply -f -", stdin: updated) == "configmap \"l5d-config\" configured\ndaemonset \"l5d\" configured", "kubectl 1.6 calls every apply of an existing object configured")
        let progress = try session.kubectl("rollout status ds/l5d -n kube-system")
        #expect(progress.contains("1 out of 4 new pods have been updated") && progress.hasSuffix("successfully rolled out"), "\(progress)")
        let images = try session.lua("""
            local images = {}
            for _, pod in ipairs(k8s.get("pods", nil, {namespace = "kube-system", selector = "app=l5d"})) do
              if not pod.metadata.deletionTimestamp then images[#images + 1] = pod.spec.containers[1].image end
            end
            return #images .. " " .. table.concat(images, ",")
            """)
        #expect(images == "4 " + Array(repeating: "buoyantio/linkerd:1.0.0", count: 4).joined(separator: ","))
    }

    @Test func livePodsAreWhatTheKubeletsRunNotWhatTheAPISays() throws {
        let session = try OperatorSession()
        try session.advance("60s")
        let onNode1 = try session.pods().filter { $0.spec.nodeName == "node-1" }
        #expect(!onNode1.isEmpty && onNode1.allSatisfy { session.cluster.isServing(ip: $0.status.podIP) })
        try session.lua("faults.crash('node-1')")
        try session.advance("5s")
        #expect(try session.pods().filter { $0.spec.nodeName == "node-1" }.allSatisfy(\.isReady), "the API has not noticed yet")
        #expect(onNode1.allSatisfy { !session.cluster.isServing(ip: $0.status.podIP) }, "nothing runs there any more")
    }

    @Test func aCrashingContainerBacksOffAndItsLogShowsWhy() throws {
        let session = try OperatorSession()
        try session.advance("30s")
        try session.lua("""
            local api = k8s.get("deployments", "api")
            api.spec.template.spec.containers[1].image = "monzo/api:crash"
            assert(k8s.apply(api))
            """)
        try session.advance("2m45s")
        let crashing = try session.pods("app=api").first { $0.spec.containers[0].image == "monzo/api:crash" }!
        #expect(crashing.status.containerStatuses[0].restartCount >= 3)
        #expect(try session.kubectl("get pods -l app=api").contains("\(crashing.name)   0/1       CrashLoopBackOff"), "restarts back off")
        #expect(try session.kubectl("logs \(crashing.name) --previous").hasSuffix("panic: runtime error: invalid memory address or nil pointer dereference"))
        #expect(try session.kubectl("logs \(crashing.name)").hasSuffix("nil pointer dereference"), "backing off, the last instance is what there is")
        let neverRestarted = try session.pods("app=web").first!.name
        #expect(try session.kubectl("logs \(neverRestarted) -p").hasPrefix("ERROR: Error from server (BadRequest): previous terminated container"))
        #expect(try session.kubectl("get events").contains("Back-off restarting failed container"))
    }

    @Test func theSchedulerRespectsCapacityAndSaysWhyAPodWaits() throws {
        let session = try OperatorSession()
        try session.advance("30s")
        try session.lua("""
            local big = k8s.get("deployments", "web")
            big.metadata = {name = "big", labels = {app = "big"}}
            big.spec.selector = {matchLabels = {app = "big"}}
            big.spec.template.metadata.labels = {app = "big"}
            big.spec.template.spec.containers[1].resources.requests.cpu = "3"
            big.spec.replicas = 5
            big.status = nil
            assert(k8s.apply(big) == "deployment.apps/big created")
            """)
        try session.advance("60s")
        let pods = try session.pods("app=big")
        #expect(pods.filter { !$0.spec.nodeName.isEmpty }.count == 3, "one per worker: four cores each")
        #expect(pods.filter { $0.spec.nodeName.isEmpty }.count == 2)
        let events = try session.kubectl("get events --sort-by=.lastTimestamp")
        #expect(events.contains("0/4 nodes are available: 3 Insufficient cpu, 1 node(s) had taints that the pod didn't tolerate."), "\(events)")
    }

    @Test func aWorldWithoutKubernetesSaysSo() throws {
        let runtime = try ScriptRuntime(scenario: ScenarioCatalog.named("empty")!, seed: 1)
        let reply = try runtime.lua.execute("return kubectl('get pods')")
        #expect(reply.count == 2 && reply[0] == .nil && reply[1].stringValue?.contains("has no Kubernetes") == true)
        #expect(throws: LuaError.self) { try runtime.lua.execute("return k8s.get('pods')") }
        #expect(try runtime.lua.execute("return select(2, pcall(k8s.get, 'pods'))").first?.stringValue?.contains("no Kubernetes cluster") == true)
    }

    @Test func misuseOfTheK8sModuleRaises() throws {
        let session = try OperatorSession()
        #expect(throws: LuaError.self) { try session.lua("k8s.get('gadgets')") }
        #expect(throws: LuaError.self) { try session.lua("k8s.get('pods', nil, {selector = 'a in ('})") }
        #expect(throws: LuaError.self) { try session.lua("k8s.scale('pods', 'x', 1)") }
        #expect(try session.lua("return select(2, k8s.apply({kind = 'Gadget', metadata = {name = 'g'}}))").contains("no matches for kind \"Gadget\""))
        #expect(try session.lua("return select(2, k8s.get('pods', 'nope'))") == "Error from server (NotFound): pods \"nope\" not found")
    }
}

@Suite struct KubernetesReadOnlyTests {
    @Test func gradersReadTheClusterButCannotChangeIt() throws {
        let session = try OperatorSession()
        TruthModule.install(into: session.runtime)
        try session.advance("60s")
        let before = session.world.now
        try session.runtime.readingOnly(as: "a grader") { () throws -> Void in
            #expect(try session.lua("return #world.truth.k8s.get('pods')") == "5")
            #expect(try session.lua("return world.truth.k8s.get('deployments', 'web').metadata.name") == "web")
            #expect(try session.lua("return k8s.apiservers()[1].running") == "true")
            // The trainee's k8s.get is a client: it would let time pass, so a grader reads the truth.
            #expect(try session.lua("return select(2, pcall(k8s.get, 'pods'))").contains("read world.truth.k8s.get"))
            #expect(throws: LuaError.self) { try session.lua("return kubectl('get pods')") }
            #expect(throws: LuaError.self) { try session.lua("return k8s.scale('deployments', 'web', 1)") }
        }
        #expect(session.world.now == before, "reading took no simulated time")
    }

    @Test func waitingCommandsDoNotWaitWhereTheLabForbidsMovingTime() throws {
        let session = try OperatorSession()
        try session.advance("60s")
        session.runtime.commandTimeCap = CommandTimeCap(allowsAdvance: false, limit: Span.minutes(5))
        #expect(try session.kubectl("scale deploy web --replicas=5") == "deployment \"web\" scaled")
        let status = try session.kubectl("rollout status deploy/web")
        #expect(!status.contains("\n"), "one line, as with --watch=false: \(status)")
    }
}
