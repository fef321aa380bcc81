/// A failure below the protocol: connecting, TLS, or the connection itself.
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotConnect(String, reason: String)
    case handshakeFailed(String, reason: String)
    case peerNotTrusted(String)
    case closedEarly

    public var description: String {
        switch self {
        case .cannotConnect(let address, let reason):
            "cannot connect to \(address): \(reason)"
        case .handshakeFailed(let address, let reason):
            "the TLS handshake with \(address) failed (\(reason)); the server refuses devices that are not members, and speaks only TLS 1.3"
        case .peerNotTrusted(let device):
            "the peer's device \(device) is not one this workspace trusts (a current member, or the --peer given)"
        case .closedEarly:
            "the connection closed before the session ended; what was acknowledged is kept, sync again to resume"
        }
    }
}
