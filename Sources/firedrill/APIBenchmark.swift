import Foundation
import KubeAPI
import KubeAPIServer
import Training

/// `api_request_us`: the median wall time of `kubectl get pods -n payments` run by the machine's
/// kubectl against the Monzo lab's world through `--api` (TLS, the mailbox to the world's
/// owner, the simulated load balancer and apiserver, the Table). `kubectl_start_us` is kubectl's
/// own share, measured apart: the median of `kubectl version --client`, which starts kubectl and
/// asks nothing. The first `get` fills kubectl's discovery cache and is not counted.
enum APIBenchmark {
    static let runs = 9

    struct Failure: Error, CustomStringConvertible { let description: String }

    static func requestMicroseconds() throws -> Double {
        let session = try LabSession(lab: try LabsLocation.parse([]).lab("monzo-2017"))
        let runner = try KubectlRunner(kubectl: try kubectl()) { session.answer($0, at: session.world.now) }
        return try median(runner) { runner in
            let run = try runner.run(["get", "pods", "-n", "payments"])
            guard run.status == 0 else { throw Failure(description: "kubectl get pods failed: \(run.error)") }
        }
    }

    static func kubectlStartMicroseconds() throws -> Double {
        let runner = try KubectlRunner(kubectl: try kubectl()) { _ in KubeAPIResponse(status: 503, body: "{}") }
        return try median(runner) { runner in _ = try runner.run(["version", "--client"], usesEndpoint: false) }
    }

    private static func kubectl() throws -> String {
        guard let kubectl = KubectlRunner.onPath() else { throw Failure(description: "no kubectl on PATH (Scripts/setup installs Debian's kubernetes-client)") }
        return kubectl
    }

    private static func median(_ runner: KubectlRunner, _ body: (KubectlRunner) throws -> Void) throws -> Double {
        try body(runner)
        var samples: [Double] = []
        for _ in 0..<runs {
            let started = DispatchTime.now().uptimeNanoseconds
            try body(runner)
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000)
        }
        return samples.sorted()[runs / 2].rounded()
    }
}
