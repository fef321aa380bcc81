import GlossCore

/// What went wrong in the store, worded for the person at the terminal.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No `.gloss` folder in the folder searched or any parent.
    case noWorkspace(searchedFrom: String)
    /// `init` where a workspace already exists.
    case workspaceExists(String)
    /// The workspace's files are there but unusable.
    case unreadableWorkspace(String, reason: String)
    /// A write to a workspace opened for reading only.
    case readOnly(String)
    case notFound(kind: EntityKind, prefix: String)
    case ambiguous(kind: EntityKind, prefix: String, candidates: [String])
    case invalidID(kind: EntityKind, text: String)
    case invalidInput(String)
    case anchor(AnchorError)
    /// This device may not write: no member has admitted it (or one revoked it).
    case notMember(DeviceID)
    /// This device was removed from the workspace and may not write.
    case removed(DeviceID)
    /// A received change failed a check; nothing of its batch was applied.
    case refused(change: String, reason: String)
    /// A change this store wrote fails its own checks: a bug, never user error.
    case rejected(ChangeFormatError)
    /// SQLite failed; the transaction was rolled back.
    case database(String)

    public var description: String {
        switch self {
        case .noWorkspace(let folder):
            "expected a workspace (.gloss) in \"\(folder)\" or a parent folder, found none; run `gloss init` or pass --workspace"
        case .workspaceExists(let folder):
            "expected no workspace in \"\(folder)\", found one already"
        case .unreadableWorkspace(let folder, let reason):
            "cannot open the workspace in \"\(folder)\": \(reason)"
        case .readOnly(let folder):
            "the workspace in \"\(folder)\" is open for reading only, as this user cannot write its .gloss folder: it can be read here, not changed"
        case .notFound(let kind, let prefix):
            "no \(kind.rawValue) has an id starting with \"\(prefix)\""
        case .ambiguous(let kind, let prefix, let candidates):
            "\(kind.rawValue) id \"\(prefix)\" is ambiguous: it starts \(candidates.joined(separator: ", ")); type more characters"
        case .invalidID(let kind, let text):
            "expected \(kind.withArticle) id (letters a-z and digits 2-7), found \"\(text)\""
        case .invalidInput(let message):
            message
        case .anchor(let error):
            error.description
        case .notMember(let device):
            "this device is not a member of the workspace, so it cannot write; a member must run: gloss member add NAME \(device)"
        case .removed(let device):
            "this device (\(device.short)) was removed from the workspace, so it cannot write; a member may admit a new identity made with gloss init --from"
        case .refused(let change, let reason):
            "refused change \(change): \(reason); nothing was applied"
        case .rejected(let error):
            "refused to write an invalid change: expected \(error)"
        case .database(let message):
            "database error: \(message)"
        }
    }
}
