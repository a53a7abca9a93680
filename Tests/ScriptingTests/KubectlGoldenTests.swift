import Testing
import Simulation
@testable import Scripting

/// kubectl's output on the practice cluster, command by command, against golden transcripts
/// checked by hand against the layouts the real kubectl prints (tabwriter columns three spaces
/// apart, HumanDuration ages, `<none>` placeholders, its error texts).
@Suite struct KubectlGoldenTests {
    static let webManifest = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: shop
      labels:
        app: shop
    spec:
      replicas: 3
      selector:
        matchLabels:
          app: shop
      template:
        metadata:
          labels:
            app: shop
        spec:
          containers:
          - name: shop
            image: monzo/shop:1.0
            ports:
            - containerPort: 8080
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: shop
    spec:
      selector:
        app: shop
      ports:
      - port: 80
        targetPort: 8080
    """

    @Test func getPrintsKubectlTables() throws {
        let session = try OperatorSession()
        try session.advance("90s")
        try expectGolden("kubectl-get", try transcript(session, [
            "get pods", "get pods -o wide", "get pods -A", "get pods -n kube-system", "get pods -o name", "get pods --show-labels",
            "get pods -l app=web", "get nodes", "get nodes -o wide", "get svc", "get svc -o wide", "get endpoints", "get ep web",
            "get deploy", "get deployments -o wide", "get rs", "get rs -o wide", "get ds", "get ds -A", "get cm", "get ns",
            "get deploy,svc", "get all", "get events -n kube-system", "get events --sort-by=.lastTimestamp",
            "get ep web -o yaml", "get cm api-config -o json", "get deployment/web -o name",
        ]))
    }

    @Test func describeExplainsObjects() throws {
        let session = try OperatorSession()
        try session.advance("2m")
        try expectGolden("kubectl-describe", try transcript(session, [
            "describe pods -l app=api", "describe deploy web", "describe node node-1", "describe svc web", "describe ep web",
            "describe cm api-config", "describe ns default",
        ]))
    }

    @Test func rolloutsScaleDeleteAndLogs() throws {
        let session = try OperatorSession()
        try session.advance("60s")
        let updated = KubectlGoldenTests.webManifest.replacingOccurrences(of: "monzo/shop:1.0", with: "monzo/shop:1.1")
        try expectGolden("kubectl-rollout", try transcript(session, [
            "apply -f -", "rollout status deployment/shop", "apply -f - ", "get pods -l app=shop", "apply -f -  ",
            "rollout status deploy/shop", "rollout history deployment/shop", "get rs -l app=shop",
            "rollout undo deployment/shop", "rollout status deploy/shop", "rollout history deploy/shop",
            "rollout restart deployment/shop", "rollout status deployment shop --watch=false",
            "scale deployment/shop --replicas=5", "scale deploy web --replicas=1", "sim.advance(60)",
            "get deploy", "get pods", "logs deploy/shop", "logs -n kube-system kube-scheduler-master-1 --tail=2",
            "delete deployment shop", "delete svc shop", "sim.advance(60)", "get pods",
        ], stdin: ["apply -f -": KubectlGoldenTests.webManifest, "apply -f - ": KubectlGoldenTests.webManifest, "apply -f -  ": updated]))
    }

    @Test func nodesCordonAndDrain() throws {
        let session = try OperatorSession()
        try session.advance("60s")
        let proxy = """
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "l5d", "namespace": "kube-system"},
         "spec": {"selector": {"matchLabels": {"app": "l5d"}}, "template": {"metadata": {"labels": {"app": "l5d"}},
          "spec": {"containers": [{"name": "l5d", "image": "buoyantio/linkerd:0.9.1"}]}}}}
        """
        try expectGolden("kubectl-nodes", try transcript(session, [
            "apply -f -", "sim.advance(30)", "get ds -n kube-system", "cordon node-1", "cordon node-1", "get nodes",
            "uncordon node-1", "drain node-2", "drain node-2 --ignore-daemonsets", "get pods -o wide", "sim.advance(60)",
            "get pods -o wide", "get nodes", "uncordon node-2",
        ], stdin: ["apply -f -": proxy]))
    }

    @Test func badInputGetsKubectlErrors() throws {
        let session = try OperatorSession()
        try session.advance("30s")
        let broken = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: [\n"
        let halfBad = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n---\napiVersion: v1\nkind: Gadget\nmetadata:\n  name: bad\n"
        try expectGolden("kubectl-errors", try transcript(session, [
            "get gadgets", "get pods nope", "get pods -l 'app in (web'", "get pods -l '-x=1'", "get pods -o table",
            "get pods --bogus", "get pods -z", "frobnicate", "describe deploy nope", "logs nope", "scale deploy web",
            "scale deploy nope --replicas=2", "rollout undo deploy/api --to-revision=7", "apply -f /no/such/file.yaml",
            "apply -f -", "apply -f - ", "get cm", "delete pod nope", "cordon nowhere", "get pods -l app=web web",
        ], stdin: ["apply -f -": broken, "apply -f - ": halfBad]))
    }
}
