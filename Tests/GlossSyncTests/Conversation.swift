import GlossCore
import GlossSync

/// Runs two sessions against each other in memory, every message through
/// the wire codec, and keeps the transcript.
struct Conversation {
    var transcript: [String] = []

    /// Runs until both finish or one fails; returns the error, if any.
    mutating func run(client: SyncSession, server: SyncSession) throws -> SyncError? {
        var toServer: [Message]
        do { toServer = try client.start() } catch { return error }
        while true {
            var toClient: [Message] = []
            for message in toServer {
                let line = log("C", message)
                do {
                    toClient += try server.received(try Wire.decode(line))
                } catch {
                    if !error.fromPeer { _ = log("S", .error(code: error.code, reason: error.reason)) }
                    return error
                }
            }
            toServer = []
            for message in toClient {
                let line = log("S", message)
                do {
                    toServer += try client.received(try Wire.decode(line))
                } catch {
                    if !error.fromPeer { _ = log("C", .error(code: error.code, reason: error.reason)) }
                    return error
                }
            }
            if toServer.isEmpty && toClient.isEmpty { break }
        }
        return nil
    }

    /// Records a message as its wire line; returns the line without LF.
    private mutating func log(_ side: String, _ message: Message) -> [UInt8] {
        let line = Array(Wire.encode(message).dropLast())
        transcript.append("\(side): \(String(decoding: line, as: UTF8.self))")
        return line
    }
}
