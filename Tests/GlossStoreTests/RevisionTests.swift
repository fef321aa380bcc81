import Foundation
import GlossCore
import GlossMerge
import GlossStore
import Testing

@Suite("Store: statement revisions and re-anchoring")
struct RevisionTests {
    static let first = "On 10 November, Kem Sokha was released, following his arrest in 2017 on spurious charges of treason under article 443 of the Criminal Code. In February 2020, the Commission will decide."
    static let second = "UPDATE: corrected. On 10 November, Kem Sokha was released, following his arrest in 2017 on spurious charges of high treason under article 443 of the Criminal Code."

    func annotated() throws -> (TestWorkspace, EntityID, [String: EntityID]) {
        let workspace = try TestWorkspace()
        let statement = try workspace.store.addStatement(utf8: Array(Self.first.utf8), metadata: StatementMetadata(), now: workspace.tick()).id
        var ids: [String: EntityID] = [:]
        for quote in ["article 443 of the Criminal Code", "spurious charges of treason", "In February 2020, the Commission will decide", "Kem Sokha"] {
            ids[quote] = try workspace.store.annotate(statement, span: .quote(quote, occurrence: nil), edit: AnnotationEdit(), now: workspace.tick()).id
        }
        return (workspace, statement, ids)
    }

    /// Dara and Sophea revise the annotated statement offline, then exchange.
    func revisedOnBothLaptops() throws -> (TestWorkspace, TestWorkspace, EntityID, [String: EntityID]) {
        let (dara, statement, ids) = try annotated()
        let sophea = try TestWorkspace(cloning: dara, seed: 2, admitAs: "Sophea")
        try dara.send(to: sophea)
        _ = try dara.store.revise(statement, utf8: Array(Self.second.utf8), now: dara.tick())
        _ = try sophea.store.revise(statement, utf8: Array((Self.first + " Addendum.").utf8), now: sophea.tick())
        try dara.send(to: sophea)
        try sophea.send(to: dara)
        return (dara, sophea, statement, ids)
    }

    @Test("a revision re-anchors every annotation in one transaction and reports each outcome")
    func revise() throws {
        let (workspace, statement, ids) = try annotated()
        let before = try workspace.store.changeCount()
        let report = try workspace.store.revise(statement, utf8: Array(Self.second.utf8), now: workspace.tick())
        let counts: [Int] = AnchorState.allCases.map { report.count($0) }
        #expect(counts == [0, 2, 1, 1], "exact, moved, fuzzy, orphaned")
        #expect(try workspace.store.changeCount() == before + 5, "one change for the statement, one per annotation")
        let article = try workspace.store.annotation(ids["article 443 of the Criminal Code"]!)
        #expect(article.anchor.state == .moved)
        #expect(article.target.revision == RevisionHash(text: Self.second))
        #expect(article.target.start == 130)
        let fuzzy = try workspace.store.annotation(ids["spurious charges of treason"]!)
        #expect(fuzzy.anchor == Anchor(state: .fuzzy, score: 844))
        #expect(fuzzy.target.exact == "spurious charges of high treason")
        let orphan = try workspace.store.annotation(ids["In February 2020, the Commission will decide"]!)
        #expect(orphan.anchor.state == .orphaned)
        #expect(orphan.target.revision == RevisionHash(text: Self.first), "an orphan keeps its quote on the old revision")
        #expect(try workspace.store.annotations(AnnotationFilter(anchor: .orphaned)).map(\.id) == [orphan.id])
        #expect(try workspace.store.revisions(of: statement).map(\.text) == [Self.first, Self.second])
        #expect(try workspace.store.verify() == [])
    }

    @Test("the same text again, or an empty one, is refused and nothing written")
    func refused() throws {
        let (workspace, statement, _) = try annotated()
        let before = try workspace.store.changeCount()
        #expect(throws: StoreError.invalidInput("expected a changed text, found the text of statement \(statement.short)'s current revision")) {
            try workspace.store.revise(statement, utf8: Array(Self.first.utf8), now: workspace.tick())
        }
        #expect(throws: StoreError.self) { try workspace.store.revise(statement, utf8: [], now: workspace.tick()) }
        #expect(try workspace.store.changeCount() == before)
    }

    @Test("a revision syncs with its re-anchoring, and every replica shows the same anchors")
    func syncsAnchors() throws {
        let (dara, statement, _) = try annotated()
        let sophea = try TestWorkspace(cloning: dara, seed: 2, admitAs: "Sophea")
        _ = try dara.store.revise(statement, utf8: Array(Self.second.utf8), now: dara.tick())
        try dara.send(to: sophea)
        #expect(try sophea.store.annotations(AnnotationFilter(includeDeleted: true)) == dara.store.annotations(AnnotationFilter(includeDeleted: true)))
        #expect(try sophea.store.statement(statement) == dara.store.statement(statement))
    }

    @Test("revising concurrently on two laptops is a conflict on the statement's revision")
    func concurrentRevisions() throws {
        let (dara, sophea, statement, _) = try revisedOnBothLaptops()
        let onDara = try dara.store.statement(statement)
        #expect(onDara == (try sophea.store.statement(statement)))
        #expect(onDara.conflicts.map(\.field) == ["revision"])
        #expect(try dara.store.conflictedEntities().contains { $0.entity == statement })
    }

    @Test("resolving a revision conflict re-anchors the annotations on the revision chosen, on every replica")
    func resolveRevisionConflict() throws {
        let (dara, sophea, statement, ids) = try revisedOnBothLaptops()
        let conflict = try #require(try dara.store.statement(statement).conflicts.first)
        let chosen = try #require(conflict.values.first { $0.value == .string(RevisionHash(text: Self.second).hex) })
        #expect(throws: StoreError.self) {
            try dara.store.resolveStatement(statement, field: "title", with: .take(change: chosen.change.hex), now: dara.tick())
        }
        let resolved = try dara.store.resolveStatement(statement, field: "revision", with: .take(change: String(chosen.change.hex.prefix(8))), now: dara.tick())
        #expect(resolved.conflicts == [])
        #expect(resolved.revision == RevisionHash(text: Self.second))
        let article = try dara.store.annotation(ids["article 443 of the Criminal Code"]!)
        #expect(article.target.revision == RevisionHash(text: Self.second))
        #expect(article.conflicts == [], "the re-anchoring supersedes both replicas' targets")
        try dara.send(to: sophea)
        #expect(try sophea.store.statement(statement) == resolved)
        #expect(try sophea.store.annotations(AnnotationFilter(includeDeleted: true)) == dara.store.annotations(AnnotationFilter(includeDeleted: true)))
        #expect(try dara.store.conflictedEntities().isEmpty)
    }
}
