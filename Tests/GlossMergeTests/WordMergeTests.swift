import GlossMerge
import Testing

@Suite("Three-way word merge")
struct WordMergeTests {
    static let base = "The court charged Kem Sokha with treason in 2017."

    @Test("edits to different words merge", arguments: [
        ("The court charged Kem Sokha with treason in September 2017.", "The Phnom Penh court charged Kem Sokha with treason in 2017.",
         "The Phnom Penh court charged Kem Sokha with treason in September 2017."),
        ("A court charged Kem Sokha with treason in 2017.", "The court charged Kem Sokha with treason in 2018.",
         "A court charged Kem Sokha with treason in 2018."),
    ])
    func disjointEdits(_ left: String, _ right: String, _ merged: String) {
        #expect(WordMerge.merge(base: Self.base, sides: [left, right]) == merged)
        #expect(WordMerge.merge(base: Self.base, sides: [right, left]) == merged)
    }

    @Test("both sides making the same edit merge to that edit once")
    func sameEdit() {
        let edited = "The court charged Kem Sokha with conspiracy in 2017."
        #expect(WordMerge.merge(base: Self.base, sides: [edited, edited]) == edited)
    }

    @Test("edits to adjacent words merge")
    func adjacentEdits() {
        #expect(WordMerge.merge(base: "one two three", sides: ["one TWO three", "one two THREE"]) == "one TWO THREE")
    }

    @Test("one side deleting words the other changes is a conflict")
    func deleteVersusChange() {
        #expect(WordMerge.merge(base: Self.base, sides: ["The court charged Kem Sokha in 2017.",
                                                        "The court charged Kem Sokha with high treason in 2017."]) == nil)
    }

    @Test("different edits of the same word conflict")
    func overlapping() {
        #expect(WordMerge.merge(base: "status: open", sides: ["status: checked", "status: disputed"]) == nil)
    }

    @Test("different insertions at the same point conflict; insertions at different points merge")
    func insertions() {
        #expect(WordMerge.merge(base: "a b", sides: ["a x b", "a y b"]) == nil)
        #expect(WordMerge.merge(base: "a b", sides: ["x a b", "a b y"]) == "x a b y")
    }

    @Test("empty texts: added on one side, or emptied on one side while unchanged on the other")
    func emptyTexts() {
        #expect(WordMerge.merge(base: "", sides: ["", "new note"]) == "new note")
        #expect(WordMerge.merge(base: "old note", sides: ["", "old note"]) == "")
        #expect(WordMerge.merge(base: "", sides: ["", ""]) == "")
        #expect(WordMerge.merge(base: "", sides: ["one", "two"]) == nil)
    }

    @Test("non-ASCII words merge like any others")
    func nonASCII() {
        let base = "La Cour a inculpé Kem Sokha de trahison — សុខា"
        #expect(WordMerge.merge(base: base, sides: [
            "La Cour suprême a inculpé Kem Sokha de trahison — សុខា",
            "La Cour a inculpé Kem Sokha de haute trahison — កឹម សុខា",
        ]) == "La Cour suprême a inculpé Kem Sokha de haute trahison — កឹម សុខា")
    }

    @Test("three sides merge when none overlaps")
    func threeSides() {
        #expect(WordMerge.merge(base: "a b c", sides: ["A b c", "a B c", "a b C"]) == "A B C")
    }
}
