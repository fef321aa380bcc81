import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509
import GlossCore

/// A device's TLS identity: a self-signed X.509 certificate holding its
/// Ed25519 key (`Protocol/sync.md`, section 2).
struct DeviceCertificate {
    let certificate: NIOSSLCertificate
    let privateKey: NIOSSLPrivateKey

    init(_ key: DeviceKey) throws {
        let signingKey = Certificate.PrivateKey(key.signingKey)
        let name = try DistinguishedName { CommonName("gloss device \(key.id)") }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: signingKey.publicKey,
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(86_400 * 3650),
            issuer: name, subject: name, signatureAlgorithm: .ed25519, extensions: Certificate.Extensions {},
            issuerPrivateKey: signingKey)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        self.certificate = try NIOSSLCertificate(bytes: serializer.serializedBytes, format: .der)
        privateKey = try NIOSSLPrivateKey(bytes: Array(try signingKey.serializeAsPEM().pemString.utf8), format: .pem)
    }

    /// The device id of the key in a peer's certificate, or nil when it
    /// holds no Ed25519 key.
    static func deviceID(of certificate: NIOSSLCertificate) -> DeviceID? {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der),
              let key = Curve25519.Signing.PublicKey(parsed.publicKey) else { return nil }
        return DeviceID(publicKey: key)
    }

    /// TLS 1.3 only, Ed25519 only, a certificate required of both sides.
    func configuration(server: Bool) -> TLSConfiguration {
        var configuration = server
            ? TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(privateKey))
            : TLSConfiguration.makeClientConfiguration()
        if !server {
            configuration.certificateChain = [.certificate(certificate)]
            configuration.privateKey = .privateKey(privateKey)
        }
        configuration.minimumTLSVersion = .tlsv13
        configuration.maximumTLSVersion = .tlsv13
        configuration.certificateVerification = .noHostnameVerification
        // Peers are pinned by device id in the verification callback; the
        // system's certificate authorities play no part, so none are loaded.
        configuration.trustRoots = .certificates([])
        configuration.signingSignatureAlgorithms = [.ed25519]
        configuration.verifySignatureAlgorithms = [.ed25519]
        return configuration
    }
}
