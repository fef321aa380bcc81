/// The end of one author's hash chain: its latest change held.
public struct Head: Hashable, Sendable {
    public var seq: Int
    public var id: ChangeID

    public init(seq: Int, id: ChangeID) {
        self.seq = seq
        self.id = id
    }
}

/// What a store holds, summarised: each author's latest change. Since
/// every author's changes form a gapless chain, a store with these heads
/// holds exactly seqs 1 through `seq` of each author.
public struct Heads: Hashable, Sendable {
    public var authors: [DeviceID: Head]

    public init(_ authors: [DeviceID: Head] = [:]) {
        self.authors = authors
    }

    public subscript(author: DeviceID) -> Head? {
        get { authors[author] }
        set { authors[author] = newValue }
    }

    /// The total number of changes these heads stand for.
    public var count: Int { authors.values.reduce(0) { $0 + $1.seq } }
}
