import Foundation
import GlossCore
import GlossMerge
import GlossStore
import GlossSync
import Testing

@Suite("Sync: faults, many clients and convergence over the network")
struct NetworkPropertyTests {
    @Test("a session cut at any point keeps every acknowledged batch, applies nothing half, and the next sync converges")
    func cutAnywhere() throws {
        let dara = try Replica()
        let annotation = try dara.annotateSeed()
        let statement = try dara.store.annotation(annotation).target.statement
        let other = try dara.store.annotate(statement, span: .quote("Kem Sokha", occurrence: 1), edit: AnnotationEdit(), now: dara.tick()).id
        for index in 0..<40 { _ = try dara.store.edit(annotation, AnnotationEdit(note: "version \(index)"), now: dara.tick()) }
        var limits = SyncLimits()
        limits.maximumBatchChanges = 7
        var random = SeededGenerator(seed: 7)
        for round in 0..<12 {
            let sophea = try Replica(cloning: dara, seed: UInt8(20 + round), name: "Replica \(round)")
            _ = try sophea.store.addStatement(utf8: Array("Release \(round) of replica \(round).".utf8), metadata: StatementMetadata(), now: sophea.tick())
            // A pull of several batches, one annotation edited here meanwhile and one not:
            // a cut may fall while their derivation is deferred, and the next sync carries on.
            for index in 0..<16 {
                _ = try dara.store.edit(annotation, AnnotationEdit(status: index.isMultiple(of: 2) ? .checked : .open), now: dara.tick())
                _ = try dara.store.edit(other, AnnotationEdit(note: "round \(round), version \(index)"), now: dara.tick())
            }
            _ = try sophea.store.edit(annotation, AnnotationEdit(status: .disputed), now: sophea.tick())
            var missing = 0
            try dara.store.changes(missingFrom: sophea.store.heads()) { missing += $0.count }
            let before = try sophea.store.changeCount()
            let client = SyncSession(role: .client(.sync), store: sophea.store, limits: limits, now: { sophea.tick() })
            let server = SyncSession(role: .server, store: dara.store, limits: limits, now: { dara.tick() })
            var budget = Int.random(in: 1..<80, using: &random)
            var toServer = try client.start()
            cut: while budget > 0 {
                var toClient: [Message] = []
                for message in toServer {
                    budget -= 1
                    if budget == 0 { break cut }
                    toClient += try server.received(try Wire.decode(Wire.encode(message).dropLast()))
                }
                toServer = []
                for message in toClient {
                    budget -= 1
                    if budget == 0 { break cut }
                    toServer += try client.received(try Wire.decode(Wire.encode(message).dropLast()))
                }
                if toServer.isEmpty && toClient.isEmpty { break }
            }
            #expect(try sophea.store.verify() == [])
            #expect(try dara.store.verify() == [])
            #expect(client.report.received % 7 == 0 || client.report.received == missing, "only whole batches are applied")
            #expect(try sophea.store.changeCount() == before + client.report.received, "nothing of a cut batch is applied")
            var conversation = Conversation()
            let again = SyncSession(role: .client(.sync), store: sophea.store, limits: limits, now: { sophea.tick() })
            #expect(try conversation.run(client: again, server: SyncSession(role: .server, store: dara.store, limits: limits, now: { dara.tick() })) == nil)
            #expect(again.report.digestsMatch == true)
            #expect(try sophea.store.annotations(AnnotationFilter(includeDeleted: true)) == dara.store.annotations(AnnotationFilter(includeDeleted: true)))
            #expect(try sophea.store.annotation(annotation).conflicts.map(\.field) == ["status"])
            #expect(try sophea.store.deriveStale().derived == 0, "nothing is left stale")
        }
    }

    @Test("20 clients sync with one server at once while its owner keeps annotating: all succeed")
    func manyClients() async throws {
        let dara = try Replica()
        let statement = try dara.store.addStatement(utf8: Array(Replica.text.utf8), metadata: StatementMetadata(), now: dara.tick()).id
        var clients: [Replica] = []
        for index in 0..<20 { clients.append(try Replica(cloning: dara, seed: UInt8(10 + index), name: "Client \(index)")) }
        for (index, client) in clients.enumerated() {
            _ = try client.store.annotate(statement, span: .positions(start: index, end: index + 3), edit: AnnotationEdit(note: "from \(index)"), now: client.tick())
        }
        let owner = try Store.open(dara.folder)
        try await withServer(dara) { port in
            try await withThrowingTaskGroup(of: SyncReport.self) { group in
                for client in clients {
                    group.addTask { try await SyncClient.sync(client.store, host: "127.0.0.1", port: port, mode: .sync, now: { client.tick() }) }
                }
                group.addTask {
                    for index in 0..<10 {
                        _ = try owner.annotate(statement, span: .positions(start: 50 + index, end: 60 + index), edit: AnnotationEdit(), now: 2_000_000_000_000 + index)
                    }
                    return SyncReport()
                }
                var reports: [SyncReport] = []
                for try await report in group { reports.append(report) }
                #expect(reports.count == 21)
            }
        }
        #expect(try dara.store.annotations().count == 30)
        #expect(try dara.store.verify() == [])
    }

    @Test("random edits and random syncs between 3 to 5 replicas over loopback TLS, relays included, converge")
    func convergenceOverTLS() async throws {
        for seed in UInt64(1)...3 {
            var random = SeededGenerator(seed: seed)
            let origin = try Replica()
            let statement = try origin.store.addStatement(utf8: Array(Replica.text.utf8), metadata: StatementMetadata(), now: origin.tick()).id
            var replicas = [origin]
            for index in 1..<Int.random(in: 3...5, using: &random) {
                replicas.append(try Replica(cloning: origin, seed: UInt8(index + 1), name: "Replica \(index)"))
            }
            func sync(_ client: Replica, _ server: Replica) async throws {
                _ = try await withServer(server) { port in
                    try await SyncClient.sync(client.store, host: "127.0.0.1", port: port, mode: .sync, now: { client.tick() })
                }
            }
            for replica in replicas.dropFirst() { try await sync(replica, origin) }
            for _ in 0..<15 {
                let replica = replicas.randomElement(using: &random)!
                if Bool.random(using: &random) {
                    let annotations = try replica.store.annotations()
                    if let annotation = annotations.randomElement(using: &random), Bool.random(using: &random) {
                        _ = try? replica.store.edit(annotation.id, AnnotationEdit(note: ["a b c", "a B c", "x"].randomElement(using: &random)!,
                                                                                  status: Status.allCases.randomElement(using: &random)!), now: replica.tick())
                    } else {
                        let start = Int.random(in: 0..<100, using: &random)
                        _ = try replica.store.annotate(statement, span: .positions(start: start, end: start + 4), edit: AnnotationEdit(note: "a b c"), now: replica.tick())
                    }
                } else {
                    let other = replicas.randomElement(using: &random)!
                    if other !== replica { try await sync(replica, other) }
                }
            }
            for _ in 0..<2 { for a in replicas { for b in replicas where a !== b { try await sync(a, b) } } }
            let expected = try origin.store.annotations(AnnotationFilter(includeDeleted: true))
            for replica in replicas {
                #expect(try replica.store.annotations(AnnotationFilter(includeDeleted: true)) == expected, "seed \(seed)")
                #expect(try replica.store.heads() == origin.store.heads(), "seed \(seed)")
            }
        }
    }
}
