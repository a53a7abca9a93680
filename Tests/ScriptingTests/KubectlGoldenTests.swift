import Testing
import Simulation
@testable import Scripting

/// kubectl's output on the practice cluster, command by command, against golden transcripts per
/// Kubernetes release (`kubectl-1.6-*`, `kubectl-1.10-*`), checked by hand against the printers
/// of kubectl 1.6 and 1.10 (tabwriter columns at least ten wide, ShortHumanDuration ages, the
/// columns each release printed, `deployment "web" scaled` against `deployment.extensions "web"
/// scaled`, its error texts).
@Suite struct KubectlGoldenTests {
    static let releases: [KubernetesVersion] = [.v1_6, .v1_10]

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

    @Test(arguments: releases) func getPrintsKubectlTables(release: KubernetesVersion) throws {
        let session = try OperatorSession(version: release)
        try session.advance("90s")
        try expectGolden("kubectl-\(release.rawValue)-get", try transcript(session, [
            "get pods", "get pods -o wide", "get pods --all-namespaces", "get pods -n kube-system", "get pods -o name", "get pods --show-labels",
            "get pods -l app=web", "get nodes", "get nodes -o wide", "get svc", "get svc -o wide", "get endpoints", "get ep web",
            "get deploy", "get deployments -o wide", "get rs", "get rs -o wide", "get ds", "get ds --all-namespaces", "get cm", "get ns",
            "get deploy,svc", "get all", "get events -n kube-system", "get events --sort-by=.lastTimestamp",
            "get ep web -o yaml", "get cm api-config -o json", "get deployment/web -o name", "get deploy web -o yaml",
            "get componentstatuses", "get cs etcd-0",
        ]))
    }

    @Test(arguments: releases) func describeExplainsObjects(release: KubernetesVersion) throws {
        let session = try OperatorSession(version: release)
        try session.advance("2m")
        try expectGolden("kubectl-\(release.rawValue)-describe", try transcript(session, [
            "describe pods -l app=api", "describe deploy web", "describe node node-1", "describe svc web", "describe ep web",
            "describe cm api-config", "describe ns default",
        ]))
    }

    @Test(arguments: releases) func rolloutsScaleDeleteAndLogs(release: KubernetesVersion) throws {
        let session = try OperatorSession(version: release)
        try session.advance("60s")
        let updated = KubectlGoldenTests.webManifest.replacingOccurrences(of: "monzo/shop:1.0", with: "monzo/shop:1.1")
        try expectGolden("kubectl-\(release.rawValue)-rollout", try transcript(session, [
            "apply -f -", "rollout status deployment/shop", "apply -f - ", "get pods -l app=shop", "apply -f -  ",
            "rollout status deploy/shop", "rollout history deployment/shop", "get rs -l app=shop",
            "rollout undo deployment/shop", "rollout status deploy/shop", "rollout history deploy/shop",
            "rollout restart deployment/shop", "rollout status deployment shop --watch=false",
            "scale deployment/shop --replicas=5", "scale deploy web --replicas=1", "sim.advance(60)",
            "get deploy", "get pods", "logs deploy/shop", "logs -n kube-system kube-scheduler-master-1 --tail=2",
            "delete deployment shop", "delete svc shop", "get pods", "sim.advance(60)", "get pods",
        ], stdin: ["apply -f -": KubectlGoldenTests.webManifest, "apply -f - ": KubectlGoldenTests.webManifest, "apply -f -  ": updated]))
    }

    @Test(arguments: releases) func nodesCordonAndDrain(release: KubernetesVersion) throws {
        let session = try OperatorSession(version: release)
        try session.advance("60s")
        let proxy = """
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "l5d", "namespace": "kube-system"},
         "spec": {"selector": {"matchLabels": {"app": "l5d"}}, "template": {"metadata": {"labels": {"app": "l5d"}},
          "spec": {"containers": [{"name": "l5d", "image": "buoyantio/linkerd:0.9.1"}]}}}}
        """
        try expectGolden("kubectl-\(release.rawValue)-nodes", try transcript(session, [
            "apply -f -", "sim.advance(30)", "get ds -n kube-system", "cordon node-1", "cordon node-1", "get nodes",
            "uncordon node-1", "drain node-2", "drain node-2 --ignore-daemonsets", "get pods -o wide", "sim.advance(60)",
            "get pods -o wide", "get nodes", "uncordon node-2",
        ], stdin: ["apply -f -": proxy]))
    }

    @Test(arguments: releases) func badInputGetsKubectlErrors(release: KubernetesVersion) throws {
        let session = try OperatorSession(version: release)
        try session.advance("30s")
        let broken = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: [\n"
        let halfBad = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n---\napiVersion: v1\nkind: Gadget\nmetadata:\n  name: bad\n"
        try expectGolden("kubectl-\(release.rawValue)-errors", try transcript(session, [
            "get gadgets", "get pods nope", "get pods -l 'app in (web'", "get pods -l '-x=1'", "get pods -o table",
            "get pods --bogus", "get pods -z", "get pods -A", "logs --replicas=2 web", "frobnicate", "get", "describe deploy nope", "logs nope", "scale deploy web",
            "scale deploy nope --replicas=2", "rollout undo deploy/api --to-revision=7", "apply -f /no/such/file.yaml",
            "apply -f -", "apply -f - ", "get cm", "delete pod nope", "cordon nowhere", "get pods -l app=web web",
        ], stdin: ["apply -f -": broken, "apply -f - ": halfBad]))
    }

    /// The commands on-call engineers reached for that came later to Firedrill: set image, patch
    /// (strategic, merge, JSON), edit through kubectl's second argument, top without heapster,
    /// cluster-info, version, and help.
    @Test(arguments: releases) func editingAndClusterCommands(release: KubernetesVersion) throws {
        let session = try OperatorSession(version: release)
        try session.advance("60s")
        let edited = try session.kubectl("get svc web -o yaml").replacingOccurrences(of: "app: web", with: "app: web-v2")
        try expectGolden("kubectl-\(release.rawValue)-editing", try transcript(session, [
            "set image deployment/web web=nginx:1.14", "set image deploy web nope=nginx:1.14", "set image deploy/web",
            "rollout status deploy/web", "get rs -o wide",
            #"patch deployment web -p '{"spec":{"replicas":2}}'"#,
            #"patch deployment web -p '{"spec":{"replicas":2}}'"#,
            #"patch deploy/web -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.13"}]}}}}'"#,
            #"patch deploy web --type=merge -p '{"metadata":{"labels":{"team":"payments"}}}'"#,
            #"patch deploy web --type=json -p '[{"op":"replace","path":"/spec/replicas","value":3}]'"#,
            #"patch deploy web --type=json -p '[{"op":"remove","path":"/metadata/labels/team"}]'"#,
            #"patch node node-1 -p '{"spec":{"unschedulable":true}}'"#, "get nodes",
            #"patch deploy web --type=xml -p '{}'"#, "patch deploy web", #"patch deploy nope -p '{"spec":{}}'"#,
            "get deploy web --show-labels",
            "edit svc web", "edit svc/web ", "edit svc/web  ", "get svc web -o wide",
            "top node", "top pod", "top", "cluster-info", "version", "version --short", "version --client",
        ], stdin: ["edit svc/web ": edited, "edit svc/web  ": edited]))
    }

    @Test(arguments: releases) func helpIsTheErasHelp(release: KubernetesVersion) throws {
        let session = try OperatorSession(version: release)
        try expectGolden("kubectl-\(release.rawValue)-help", try transcript(session, [
            "--help", "get --help", "rollout -h", "rollout undo --help", "set image --help", "patch --help", "edit --help",
            "top --help", "version --help", "rollout restart deploy/web", "set", "set frobnicate",
        ]))
    }
}
