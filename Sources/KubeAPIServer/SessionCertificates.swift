import Crypto
import Foundation
import SwiftASN1
import X509

/// The certificates of one API session, made at start and never written but into the
/// kubeconfig: a CA, the server's certificate for 127.0.0.1 signed by it (so kubectl verifies
/// the server without `--insecure-skip-tls-verify`), and one client certificate for the
/// trainee, which the server requires.
struct SessionCertificates {
    let authority: Certificate
    let server: (certificate: Certificate, key: P256.Signing.PrivateKey)
    let client: (certificate: Certificate, key: P256.Signing.PrivateKey)

    /// Valid from a minute ago (clocks differ a little) for a week: longer than any session.
    static func make(now: Date = Date()) throws -> SessionCertificates {
        let authorityKey = P256.Signing.PrivateKey()
        let authorityName = try DistinguishedName { CommonName("firedrill-ca") }
        let authority = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(authorityKey.publicKey),
            notValidBefore: now - 60, notValidAfter: now + 7 * 86_400, issuer: authorityName, subject: authorityName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
            },
            issuerPrivateKey: Certificate.PrivateKey(authorityKey))
        func issue(_ commonName: String, organisation: String?, usage: ExtendedKeyUsage.Usage) throws -> (Certificate, P256.Signing.PrivateKey) {
            let key = P256.Signing.PrivateKey()
            let subject = try organisation.map { organisation in try DistinguishedName { OrganizationName(organisation); CommonName(commonName) } }
                ?? DistinguishedName { CommonName(commonName) }
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: now - 60, notValidAfter: now + 7 * 86_400, issuer: authorityName, subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([usage])
                    // Only the server's is checked against the address; the client's does no harm.
                    SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])), .dnsName("localhost")])
                },
                issuerPrivateKey: Certificate.PrivateKey(authorityKey))
            return (certificate, key)
        }
        return SessionCertificates(authority: authority,
                                   server: try issue("firedrill-apiserver", organisation: nil, usage: .serverAuth),
                                   client: try issue("trainee", organisation: "system:masters", usage: .clientAuth))
    }

    static func pem(_ certificate: Certificate) throws -> String { try certificate.serializeAsPEM().pemString }
}
