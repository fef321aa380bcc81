import Foundation
import Logging
import NIOConcurrencyHelpers
import GlossCore
import GlossStore
import GlossSync
import Testing

/// A `SyncServer` on a free loopback port for the length of `body`.
func withServer<T>(_ replica: Replica, options: SyncServer.Options = SyncServer.Options(),
                   _ body: (Int) async throws -> T) async throws -> T {
    let server = SyncServer(store: replica.store, options: options, logger: Logger(label: "test"), now: { replica.tick() })
    let port = NIOLockedValueBox<Int?>(nil)
    let task = Task { try await server.run(host: "127.0.0.1", port: 0) { bound in port.withLockedValue { $0 = bound } } }
    defer { task.cancel() }
    while port.withLockedValue({ $0 }) == nil { try await Task.sleep(for: .milliseconds(5)) }
    return try await body(port.withLockedValue { $0! })
}

@Suite("Sync over loopback TLS")
struct TransportTests {
    @Test("a member syncs both ways with a server over TLS")
    func syncOverTLS() async throws {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        let annotation = try dara.annotateSeed()
        _ = try sophea.store.addStatement(utf8: Array("Sophea's release.".utf8), metadata: StatementMetadata(), now: sophea.tick())
        let report = try await withServer(dara) { port in
            try await SyncClient.sync(sophea.store, host: "127.0.0.1", port: port, mode: .sync, now: { sophea.tick() })
        }
        #expect(report.received == 2)
        #expect(report.sent == 1)
        #expect(report.digestsMatch == true)
        #expect(try sophea.store.annotation(annotation) == dara.store.annotation(annotation))
        #expect(try sophea.store.heads() == dara.store.heads())
    }

    @Test("a device that is not a member is refused in the TLS handshake, and told so without BoringSSL's error stack")
    func nonMemberRefused() async throws {
        let dara = try Replica()
        let stranger = try Replica(cloning: dara, seed: 5, name: "Stranger")
        _ = try dara.store.remove(stranger.key.id, now: dara.tick())
        let heads = try dara.store.heads()
        let error = await #expect(throws: TransportError.self) {
            try await withServer(dara) { port in
                try await SyncClient.sync(stranger.store, host: "127.0.0.1", port: port, mode: .sync, now: { stranger.tick() })
            }
        }
        // The server's alert, by name ("sslv3 alert certificate unknown"), or, when the server closed
        // first, "I/O on closed channel"; never BoringSSL's error stack with its source paths.
        let said = error?.description ?? ""
        #expect(said.contains("; the server refuses devices that are not members") && !said.contains("OPENSSL") && !said.contains(".cc:"), "\(said)")
        #expect(try dara.store.heads() == heads)
    }

    @Test("clone trusts only the --peer device id, and makes a replica")
    func cloneOverTLS() async throws {
        let dara = try Replica()
        try dara.annotateSeed()
        let empty = try Replica(emptyWithSeed: 3)
        try dara.store.admit(empty.key.id, name: "Vuthy", now: dara.tick())
        let (store, report) = try await withServer(dara) { port in
            try await SyncClient.clone(key: empty.key, host: "127.0.0.1", port: port, peer: dara.key.id, now: { empty.tick() }) { batch in
                try Store.clone(empty.folder, from: batch, key: empty.key, now: empty.tick())
            }
        }
        #expect(try #require(store).heads() == dara.store.heads())
        #expect(report.received == (try dara.store.changeCount()))

        let other = try Replica(emptyWithSeed: 4)
        try dara.store.admit(other.key.id, name: "Other", now: dara.tick())
        await #expect(throws: TransportError.peerNotTrusted(dara.key.id.rawValue)) {
            try await withServer(dara) { port in
                try await SyncClient.clone(key: other.key, host: "127.0.0.1", port: port, peer: other.key.id, now: { other.tick() }) { batch in
                    try Store.clone(other.folder, from: batch, key: other.key, now: other.tick())
                }
            }
        }
    }

    @Test("a clone in many batches derives its annotations once at the end, to exactly the origin's state")
    func cloneInManyBatches() async throws {
        let dara = try Replica()
        let annotation = try dara.annotateSeed()
        for index in 0..<12 {
            _ = try dara.store.edit(annotation, AnnotationEdit(note: "charge \(index)", addedTags: ["t\(index)"]), now: dara.tick())
        }
        let empty = try Replica(emptyWithSeed: 3)
        try dara.store.admit(empty.key.id, name: "Vuthy", now: dara.tick())
        var options = SyncServer.Options()
        options.limits.maximumBatchChanges = 3
        let (store, _) = try await withServer(dara, options: options) { port in
            try await SyncClient.clone(key: empty.key, host: "127.0.0.1", port: port, peer: dara.key.id, now: { empty.tick() }) { batch in
                try Store.clone(empty.folder, from: batch, key: empty.key, now: empty.tick())
            }
        }
        let clone = try #require(store)
        #expect(try clone.annotations(AnnotationFilter(includeDeleted: true)) == dara.store.annotations(AnnotationFilter(includeDeleted: true)))
        #expect(try clone.statements() == dara.store.statements())
        #expect(try clone.search("charge").map(\.entity) == [annotation])
        #expect(try clone.deriveStale().derived == 0, "nothing is left stale")
    }

    @Test("a server that never takes the connection is given up on at the connect timeout, with a message that says so, and the store is unchanged")
    func connectTimeout() async throws {
        let dara = try Replica()
        let heads = try dara.store.heads()
        // A listening socket with room for one pending connection, taken by a first
        // client and never accepted: the kernel drops the next client's SYN.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                try #require(bind(listener, address, length) == 0 && listen(listener, 0) == 0 && getsockname(listener, address, &length) == 0)
            }
        }
        let first = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(first) }
        try withUnsafePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                try #require(connect(first, address, length) == 0)
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))

        // The kernel would give up after minutes, with "Connection timed out"; the
        // message names the timeout given. (No bound on the time here: the test runs
        // beside others on two cores, and once it waited 34 s for a thread to go on.)
        await #expect(throws: TransportError.cannotConnect("127.0.0.1:\(port)", reason: "no answer within 300 ms")) {
            try await SyncClient.sync(dara.store, host: "127.0.0.1", port: port, mode: .sync, connectTimeout: .milliseconds(300), now: { dara.tick() })
        }
        #expect(try dara.store.heads() == heads)
    }
}
