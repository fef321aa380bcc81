import ArgumentParser
@testable import gloss
import Testing

@Suite("CLI: command names")
struct CommandNameTests {
    /// A command without a `commandName` has its name derived from its type
    /// at every start, by reflection: about 0.2 ms each, 8 ms for them all.
    @Test("every command names itself, so that start-up derives no names by reflection")
    func everyCommandNamesItself() {
        func unnamed(_ command: any ParsableCommand.Type) -> [String] {
            let configuration = command.configuration
            return (configuration.commandName == nil ? ["\(command)"] : []) + configuration.subcommands.flatMap(unnamed)
        }
        #expect(unnamed(Gloss.self) == [])
    }
}
