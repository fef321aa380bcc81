import Foundation
import GlossCore
import GlossStore
@testable import GlossSync
import NIOCore
import NIOPosix
import Testing

/// A broken or hostile peer gets the right error code and a closed
/// connection; the server keeps serving others and its store is unchanged.
@Suite("Sync: hostile and broken peers")
struct HostileInputTests {
    /// Sends raw bytes after the greeting lines and returns what the server said.
    func exchange(_ server: Replica, _ client: Replica, options: SyncServer.Options = SyncServer.Options(),
                  _ lines: [String]) async throws -> [String] {
        try await withServer(server, options: options) { port in
            try await RawClient.exchange(key: client.key, port: port, lines: lines)
        }
    }

    func greeting() -> [String] { ["hello 1 \(Replica.workspace) sync", "heads 0"] }

    @Test("an overlong line is refused with 413 before it is read whole, once the lines before it are answered")
    func overlongLine() async throws {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        var options = SyncServer.Options()
        options.limits.maximumLineLength = 1_000
        let replies = try await exchange(dara, sophea, options: options, greeting() + [String(repeating: "x", count: 5_000)])
        // The greeting and the overlong line arrive in one read: the two
        // lines decoded before it still reach the session.
        #expect(replies.first == "hello 1 \(Replica.workspace) sync")
        #expect(replies.last == "error 413 expected lines of at most 1000 bytes")
    }

    @Test("invalid UTF-8 is refused with 400")
    func invalidUTF8() async throws {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        let replies = try await exchange(dara, sophea, greeting() + ["want \u{FFFD}"].map { $0.replacingOccurrences(of: "\u{FFFD}", with: "\u{80}") })
        #expect(replies.last?.hasPrefix("error 400") == true)
    }

    @Test("bad arguments at each state are refused with 400", arguments: [
        ["hello one glossdemoworkspacekemsokha sync"],
        ["hello 1 glossdemoworkspacekemsokha sideways"],
        ["hello 1 glossdemoworkspacekemsokha sync", "heads -1"],
        ["hello 1 glossdemoworkspacekemsokha sync", "heads 1", "head NOT-A-DEVICE 1 00"],
        ["hello 1 glossdemoworkspacekemsokha sync", "heads 0", "want GR2Q7GF 01"],
        ["hello 1 glossdemoworkspacekemsokha sync", "heads 0", "wants-end", "batch 1", "change zz {}"],
    ])
    func badArguments(_ lines: [String]) async throws {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        let replies = try await exchange(dara, sophea, lines)
        #expect(replies.last?.hasPrefix("error 400") == true, "\(replies)")
    }

    @Test("a change that breaks its author's chain is refused with 422 and nothing applied")
    func brokenChain() async throws {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        _ = try sophea.store.addStatement(utf8: Array("one".utf8), metadata: StatementMetadata(), now: sophea.tick())
        _ = try sophea.store.addStatement(utf8: Array("two".utf8), metadata: StatementMetadata(), now: sophea.tick())
        var changes: [SignedChange] = []
        try sophea.store.changes(missingFrom: try dara.store.heads()) { changes += $0 }
        let texts = try sophea.store.texts(for: [changes[1]])
        let heads = try dara.store.heads()
        let lines = greeting() + ["wants-end", "batch 1"]
            + texts.map { String(decoding: Wire.encode(.text(revision: RevisionHash(text: $0), index: 0, total: 1, chunk: $0)).dropLast(), as: UTF8.self) }
            + [String(decoding: Wire.encode(.change(changes[1])).dropLast(), as: UTF8.self), "batch-end"]
        let replies = try await exchange(dara, sophea, lines)
        #expect(replies.last?.hasPrefix("error 422 refused change") == true)
        #expect(replies.last?.contains("changes are missing") == true)
        #expect(try dara.store.heads() == heads)
    }

    @Test("a peer that goes silent, or never finishes a batch, is told 408 and closed")
    func silentPeer() async throws {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        var options = SyncServer.Options()
        options.idleTimeout = .seconds(2)
        let heads = try dara.store.heads()
        let replies = try await exchange(dara, sophea, options: options, greeting() + ["wants-end", "batch 3"])
        #expect(replies.last == "error 408 heard nothing for 2 s")
        #expect(try dara.store.heads() == heads)
    }

    @Test("past the connection limit a client is told 503, and the server keeps serving")
    func connectionLimit() async throws {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        var options = SyncServer.Options()
        options.maximumConnections = 1
        options.idleTimeout = .seconds(5)
        try await withServer(dara, options: options) { port in
            // The first connection holds the only place once the server has answered its greeting.
            let (answered, answer) = AsyncStream<Void>.makeStream()
            let held = Task { try await RawClient.exchange(key: sophea.key, port: port, lines: greeting()) { answer.yield() } }
            for await _ in answered { break }
            let refused = try await RawClient.exchange(key: sophea.key, port: port, lines: greeting())
            #expect(refused == ["error 503 the server is at its limit of 1 connections; try again later"])
            held.cancel()
        }
        let report = try await withServer(dara, options: options) { port in
            try await SyncClient.sync(sophea.store, host: "127.0.0.1", port: port, mode: .sync, now: { sophea.tick() })
        }
        #expect(report.digestsMatch == true)
    }

    @Test("a client that does not speak TLS gets nothing and the server keeps serving")
    func plaintextClient() async throws {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        try await withServer(dara) { port in
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
            let answer = try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "hello 1 \(Replica.workspace) sync\nheads 0\n"))
                var bytes: [UInt8] = []
                do { for try await buffer in inbound { bytes += Array(buffer.readableBytesView) } } catch {}
                return String(decoding: bytes, as: UTF8.self)
            }
            #expect(!answer.contains("hello"), "no protocol line is sent in clear text")
            let report = try await SyncClient.sync(sophea.store, host: "127.0.0.1", port: port, mode: .sync, now: { sophea.tick() })
            #expect(report.digestsMatch == true)
        }
    }
}
