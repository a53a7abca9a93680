import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import KubeAPI
import Logging
import NIOCore
import NIOSSL

/// The Kubernetes API of a running world on `https://127.0.0.1:PORT`, for the real kubectl. The
/// server's threads only carry bytes: each request is left in the `WorldMailbox` for the world's
/// owner, and the response waits for its answer. Loopback only; every client must present the
/// session's client certificate.
public final class KubeAPIEndpoint: @unchecked Sendable {
    public let port: Int
    public let kubeconfigPath: String
    public let mailbox: WorldMailbox
    private let serving: Task<Void, Never>
    private var isStopped = false

    /// Starts serving on `port` (0 for a free one), and writes the kubeconfig once it listens.
    /// Blocks until then: for a thread of its own (the command's main thread), not Swift's pool,
    /// whose threads the server's start-up needs.
    public static func start(port requested: Int = 0, kubeconfigPath: String, mailbox: WorldMailbox) throws -> KubeAPIEndpoint {
        let (serving, listening, certificates) = try launch(port: requested, mailbox: mailbox)
        return try listened(on: listening.wait(), requested: requested, kubeconfigPath: kubeconfigPath, mailbox: mailbox,
                            serving: serving, certificates: certificates)
    }

    /// `start` for a caller on Swift's cooperative pool (a test): it waits without holding a thread.
    public static func start(port requested: Int = 0, kubeconfigPath: String, mailbox: WorldMailbox) async throws -> KubeAPIEndpoint {
        let (serving, listening, certificates) = try launch(port: requested, mailbox: mailbox)
        return try listened(on: await listening.value(), requested: requested, kubeconfigPath: kubeconfigPath, mailbox: mailbox,
                            serving: serving, certificates: certificates)
    }

    private static func listened(on port: Int, requested: Int, kubeconfigPath: String, mailbox: WorldMailbox, serving: Task<Void, Never>,
                                 certificates: SessionCertificates) throws -> KubeAPIEndpoint {
        guard port > 0 else {
            serving.cancel()
            throw KubeAPIEndpointError("cannot serve the Kubernetes API on 127.0.0.1:\(requested): the port is taken or refused")
        }
        try Kubeconfig.write(to: kubeconfigPath, port: port, certificates: certificates)
        return KubeAPIEndpoint(port: port, kubeconfigPath: kubeconfigPath, mailbox: mailbox, serving: serving)
    }

    private static func launch(port requested: Int, mailbox: WorldMailbox) throws -> (Task<Void, Never>, PortPromise, SessionCertificates) {
        let certificates = try SessionCertificates.make()
        let tls = try tlsConfiguration(certificates)
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            await KubeAPIEndpoint.respond(to: request, mailbox: mailbox)
        }
        let listening = PortPromise()
        var logger = Logger(label: "firedrill.kubeapi")
        logger.logLevel = .critical
        let application = Application(
            responder: responder, server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: requested), serverName: nil),
            onServerRunning: { channel in listening.fulfil(channel.localAddress?.port ?? -1) }, logger: logger)
        // On a thread of its own, not Swift's pool: see ServerThreadExecutor.
        let serving = Task(executorPreference: ServerThreadExecutor.shared) {
            do { try await application.runService(gracefulShutdownSignals: []) } catch { listening.fulfil(-1) }
        }
        return (serving, listening, certificates)
    }

    private init(port: Int, kubeconfigPath: String, mailbox: WorldMailbox, serving: Task<Void, Never>) {
        (self.port, self.kubeconfigPath, self.mailbox, self.serving) = (port, kubeconfigPath, mailbox, serving)
    }

    /// Stops listening, refuses what still waits, and marks the kubeconfig as belonging to an
    /// ended session, so a kubectl that uses it later is told why nothing answers.
    public func stop() {
        guard !isStopped else { return }
        isStopped = true
        mailbox.close()
        serving.cancel()
        Kubeconfig.markEnded(kubeconfigPath)
    }

    static func tlsConfiguration(_ certificates: SessionCertificates) throws -> TLSConfiguration {
        let serverCertificate = try NIOSSLCertificate(bytes: Array(try SessionCertificates.pem(certificates.server.certificate).utf8), format: .pem)
        let serverKey = try NIOSSLPrivateKey(bytes: Array(certificates.server.key.pemRepresentation.utf8), format: .pem)
        let authority = try NIOSSLCertificate(bytes: Array(try SessionCertificates.pem(certificates.authority).utf8), format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(serverCertificate)], privateKey: .privateKey(serverKey))
        tls.trustRoots = .certificates([authority])
        // A server that verifies requires the client's certificate: no certificate, no API.
        tls.certificateVerification = .noHostnameVerification
        tls.applicationProtocols = ["http/1.1"]
        return tls
    }

    private static let kubectlCommand = HTTPField.Name("Kubectl-Command")!
    private static let kubectlSession = HTTPField.Name("Kubectl-Session")!

    static func respond(to request: Request, mailbox: WorldMailbox) async -> Response {
        let answer: KubeAPIResponse
        do {
            let buffer = try await request.body.collect(upTo: KubeAPIHandler.bodyLimitBytes)
            let body = buffer.readableBytes == 0 ? nil : String(buffer: buffer)
            let headers = request.headers
            answer = await mailbox.post(KubeAPIRequest(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", body: body,
                userAgent: headers[.userAgent] ?? "", accept: headers[.accept] ?? "", contentType: headers[.contentType] ?? "",
                kubectlCommand: headers[kubectlCommand], kubectlSession: headers[kubectlSession]))
        } catch {
            answer = KubeAPIHandler.tooLarge()
        }
        // A watch the world answered with nothing waits a second of wall time before it ends: a
        // quicker empty one makes kubectl's informers warn ("very short watch") and back off.
        // Only the delivery waits; the world has already answered.
        if answer.status == 200, answer.body.isEmpty, isWatch(request.uri.query ?? "") {
            try? await Task.sleep(nanoseconds: 1_000_000_000)
        }
        var fields = HTTPFields()
        fields[.contentType] = answer.contentType
        return Response(status: HTTPResponse.Status(code: answer.status), headers: fields,
                        body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
    }
}

private func isWatch(_ query: String) -> Bool {
    query.split(separator: "&").contains { $0 == "watch=true" || $0 == "watch=1" }
}

public struct KubeAPIEndpointError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The port the server listens on, handed from its start-up task to the thread that started it.
private final class PortPromise: @unchecked Sendable {
    private let condition = NSCondition()
    private var port: Int?
    private var waiting: [CheckedContinuation<Int, Never>] = []

    func fulfil(_ value: Int) {
        condition.lock()
        guard port == nil else { return condition.unlock() }
        port = value
        let resumed = waiting
        waiting.removeAll()
        condition.broadcast()
        condition.unlock()
        for continuation in resumed { continuation.resume(returning: value) }
    }

    func value() async -> Int {
        await withCheckedContinuation { continuation in
            condition.lock()
            if let port {
                condition.unlock()
                continuation.resume(returning: port)
            } else {
                waiting.append(continuation)
                condition.unlock()
            }
        }
    }

    func wait() -> Int {
        condition.lock()
        defer { condition.unlock() }
        while port == nil { condition.wait() }
        return port!
    }
}
