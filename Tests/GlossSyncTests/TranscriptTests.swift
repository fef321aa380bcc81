import Foundation
import GlossCore
import GlossStore
@testable import GlossSync
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// The transcripts in `Protocol/transcripts/`: each is a setup, the lines a
/// client sends (`C:`) and the lines the server must answer (`S:`). Each runs
/// against the session state machine in memory and against a real server
/// over loopback TLS. `GLOSS_WRITE_TRANSCRIPTS=1 swift test` rewrites them.
@Suite("Protocol transcripts")
struct TranscriptTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocol/transcripts")

    /// A scenario: its description, the server replica, the client replica,
    /// and the client's lines (nil: let a client session speak).
    struct Scenario: Sendable {
        var name: String
        var setup: String
        var make: @Sendable () throws -> (server: Replica, client: Replica, clientLines: [String]?)
    }

    static let scenarios: [Scenario] = [
        Scenario(name: "noop", setup: "Dara serves; Sophea's replica holds the same changes. A sync with nothing new sends no change.") {
            let dara = try Replica()
            return (dara, try Replica(cloning: dara, seed: 2, name: "Sophea"), nil)
        },
        Scenario(name: "pull", setup: "Dara serves a statement and an annotation that Sophea's replica lacks.") {
            let dara = try Replica()
            let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
            try dara.annotateSeed()
            return (dara, sophea, nil)
        },
        Scenario(name: "both-ways", setup: "Dara serves an annotation Sophea lacks; Sophea has a statement Dara lacks.") {
            let dara = try Replica()
            let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
            try dara.annotateSeed()
            _ = try sophea.store.addStatement(utf8: Array("Sophea's note on the trial.".utf8), metadata: StatementMetadata(), now: sophea.tick())
            return (dara, sophea, nil)
        },
        Scenario(name: "wrong-workspace", setup: "Sophea's client names another workspace: the server answers 404 and closes.") {
            let dara = try Replica()
            return (dara, try Replica(cloning: dara, seed: 2, name: "Sophea"), ["hello 1 zzzzzzzzzzzzzzzzzzzzzzzzzz sync", "heads 0"])
        },
        Scenario(name: "bad-version", setup: "A client speaks protocol version 2: the server answers 426 and closes.") {
            let dara = try Replica()
            return (dara, try Replica(cloning: dara, seed: 2, name: "Sophea"), ["hello 2 \(Replica.workspace) sync", "heads 0"])
        },
        Scenario(name: "unknown-verb", setup: "After the greeting, the client sends a line with an unknown verb: 400.") {
            let dara = try Replica()
            return (dara, try Replica(cloning: dara, seed: 2, name: "Sophea"), ["hello 1 \(Replica.workspace) sync", "heads 0", "gimme everything"])
        },
        Scenario(name: "out-of-order", setup: "The client acknowledges a batch it never received: 409.") {
            let dara = try Replica()
            return (dara, try Replica(cloning: dara, seed: 2, name: "Sophea"), ["hello 1 \(Replica.workspace) sync", "heads 0", "ack 1"])
        },
        Scenario(name: "forged-change", setup: "Sophea pushes a change whose signature is not hers: the server answers 422 and applies nothing.") {
            let dara = try Replica()
            let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
            let statement = try sophea.store.addStatement(utf8: Array("A forged release.".utf8), metadata: StatementMetadata(), now: sophea.tick())
            var changes: [SignedChange] = []
            try sophea.store.changes(missingFrom: try dara.store.heads()) { changes += $0 }
            let forged = try SignedChange(bytes: changes[0].bytes, signature: [UInt8](repeating: 0xAB, count: 64))
            let text = try sophea.store.text(of: statement.revision)
            var lines = [Wire.encode(.hello(version: 1, workspace: Replica.workspace, mode: .sync))]
            lines += [Wire.encode(.heads(count: 0)), Wire.encode(.wantsEnd)]
            lines += [.batch(count: 1), .text(revision: statement.revision, index: 0, total: 1, chunk: text), .change(forged), .batchEnd].map(Wire.encode)
            return (dara, sophea, lines.map { String(decoding: $0.dropLast(), as: UTF8.self) })
        },
    ]

    /// Runs a scenario with a real client session (or the given lines)
    /// against a server session, and returns the transcript.
    static func generate(_ scenario: Scenario) throws -> String {
        let (server, client, lines) = try scenario.make()
        var transcript: [String]
        if let lines {
            transcript = []
            let session = SyncSession(role: .server, store: server.store, now: { server.tick() })
            transcript = try replay(lines, into: session)
        } else {
            var conversation = Conversation()
            _ = try conversation.run(client: SyncSession(role: .client(.sync), store: client.store, now: { client.tick() }),
                                     server: SyncSession(role: .server, store: server.store, now: { server.tick() }))
            transcript = conversation.transcript
        }
        return (["# \(scenario.name): \(scenario.setup)"] + transcript).joined(separator: "\n") + "\n"
    }

    /// Feeds `lines` to a server session as the transport would; returns
    /// the client's and the server's lines, in order.
    static func replay(_ lines: [String], into session: SyncSession) throws -> [String] {
        var transcript: [String] = []
        for line in lines {
            transcript.append("C: \(line)")
            do {
                for reply in try session.received(try Wire.decode(Array(line.utf8))) {
                    transcript.append("S: " + String(decoding: Wire.encode(reply).dropLast(), as: UTF8.self))
                }
            } catch {
                transcript.append("S: " + String(decoding: Wire.encode(.error(code: error.code, reason: error.reason)).dropLast(), as: UTF8.self))
                break
            }
        }
        return transcript
    }

    static func file(_ name: String) -> URL { folder.appendingPathComponent("\(name).txt") }

    @Test("each transcript file is what the scenario produces, and every file has a scenario", arguments: scenarios.map(\.name))
    func matchesScenario(_ name: String) throws {
        let scenario = Self.scenarios.first { $0.name == name }!
        let produced = try Self.generate(scenario)
        if ProcessInfo.processInfo.environment["GLOSS_WRITE_TRANSCRIPTS"] == "1" {
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            try produced.write(to: Self.file(name), atomically: true, encoding: .utf8)
        }
        #expect(try String(contentsOf: Self.file(name), encoding: .utf8) == produced)
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".txt") }
        #expect(Set(files) == Set(Self.scenarios.map { "\($0.name).txt" }))
    }

    /// The client's and the server's lines of a transcript file.
    static func lines(of name: String) throws -> (client: [String], server: [String]) {
        let text = try String(contentsOf: file(name), encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        return (lines.filter { $0.hasPrefix("C: ") }.map { String($0.dropFirst(3)) },
                lines.filter { $0.hasPrefix("S: ") }.map { String($0.dropFirst(3)) })
    }

    @Test("a server session answers each transcript's client lines with its server lines", arguments: scenarios.map(\.name))
    func inMemory(_ name: String) throws {
        let (client, server) = try Self.lines(of: name)
        let replica = try Self.scenarios.first { $0.name == name }!.make().server
        let transcript = try Self.replay(client, into: SyncSession(role: .server, store: replica.store, now: { replica.tick() }))
        #expect(transcript.filter { $0.hasPrefix("S: ") }.map { String($0.dropFirst(3)) } == server)
    }

    @Test("a real server over loopback TLS answers each transcript's client lines with its server lines", arguments: scenarios.map(\.name))
    func overTLS(_ name: String) async throws {
        let (clientLines, serverLines) = try Self.lines(of: name)
        let (server, client, _) = try Self.scenarios.first { $0.name == name }!.make()
        let received = try await withServer(server) { port in
            try await RawClient.exchange(key: client.key, port: port, lines: clientLines)
        }
        #expect(received == serverLines)
    }
}

/// A bare TLS client that sends lines as given and collects every line the
/// server sends until it closes: what a stranger's implementation would do.
enum RawClient {
    /// `heard` is called once, when the server's first line arrives.
    static func exchange(key: DeviceKey, port: Int, lines: [String], heard: @Sendable () -> Void = {}) async throws -> [String] {
        let identity = try DeviceCertificate(key)
        let context = try NIOSSLContext(configuration: identity.configuration(server: false))
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        try NIOSSLClientHandler(context: context, serverHostname: nil) { _, promise in promise.succeed(.certificateVerified) })
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(BoundedLineDecoder(maximumLength: 1 << 22)))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var buffer = ByteBuffer()
            for line in lines { buffer.writeString(line + "\n") }
            // A server that already closed (an idle timeout on a loaded machine)
            // may still have sent its error line: read what arrived either way.
            try? await outbound.write(buffer)
            var received: [String] = []
            do {
                for try await line in inbound {
                    if received.isEmpty { heard() }
                    received.append(String(buffer: line))
                }
            } catch {}
            return received
        }
    }
}
