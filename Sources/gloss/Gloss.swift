import ArgumentParser
import Foundation
import GlossStore
import GlossSync

@main
struct Gloss: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gloss",
        abstract: "Annotate published statements offline, with a signed, hash-chained edit history.",
        subcommands: [
            Init.self, Id.self, StatementCommand.self, Annotate.self, Edit.self, Delete.self, Restore.self,
            List.self, Show.self, Search.self, Log.self, History.self, Blame.self, Verify.self, Audit.self, Export.self, Import.self, Render.self, Conflicts.self, Resolve.self, MemberCommand.self,
            HeadsCommand.self, BundleCommand.self, Serve.self, Sync.self, Clone.self, Remote.self, Demo.self,
        ]
    )

    /// Runs the command line, printing errors as one line on stderr.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let failure as Failure {
            Terminal.writeError(failure.message)
            Foundation.exit(failure.code)
        } catch let error as StoreError {
            Terminal.writeError("\(error)")
            Foundation.exit(1)
        } catch let error as SyncError {
            Terminal.writeError("sync failed: \(error)")
            Foundation.exit(1)
        } catch let error as TransportError {
            Terminal.writeError("\(error)")
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            Terminal.writeError(message)
            Foundation.exit(code.rawValue)
        }
    }
}

/// A command that ends with a message on stderr and a non-zero exit code.
struct Failure: Error {
    var message: String
    var code: Int32 = 1
}
