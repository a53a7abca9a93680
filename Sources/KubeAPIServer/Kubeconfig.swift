import Foundation
import X509

/// The kubeconfig a session writes for the real kubectl: the loopback server, the session's CA
/// and its one client certificate, in a context named `firedrill`.
enum Kubeconfig {
    static func write(to path: String, port: Int, certificates: SessionCertificates) throws {
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        let text = """
        # Written by firedrill for one session's Kubernetes API. It stops working when the session ends.
        apiVersion: v1
        kind: Config
        clusters:
        - name: firedrill
          cluster:
            server: https://127.0.0.1:\(port)
            certificate-authority-data: \(base64(try SessionCertificates.pem(certificates.authority)))
        users:
        - name: trainee
          user:
            client-certificate-data: \(base64(try SessionCertificates.pem(certificates.client.certificate)))
            client-key-data: \(base64(certificates.client.key.pemRepresentation))
        contexts:
        - name: firedrill
          context:
            cluster: firedrill
            user: trainee
            namespace: default
        current-context: firedrill

        """
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        // The client key is in it: readable by the trainee alone.
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw KubeAPIEndpointError("cannot write the kubeconfig '\(path)'")
        }
    }

    /// Points the cluster at a loopback port nothing listens on, with a path that says the
    /// session ended, so a later kubectl's error names why (`Get "https://127.0.0.1:1/
    /// firedrill-session-has-ended/api": ... connection refused`) without leaving the machine.
    static func markEnded(_ path: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let ended = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("    server: https://127.0.0.1:") ? "    server: https://127.0.0.1:1/firedrill-session-has-ended" : String(line)
        }.joined(separator: "\n")
            .replacingOccurrences(of: "# Written by firedrill", with: "# THIS FIREDRILL SESSION HAS ENDED; start a new one with --api.\n# Written by firedrill")
        try? ended.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
