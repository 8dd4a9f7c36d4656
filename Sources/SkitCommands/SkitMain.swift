import ArgumentParser

extension SkitCommand {
    /// Parses the command line and runs the chosen subcommand (async ones awaited).
    ///
    /// Written out because calling `main()` across modules from a top-level `main.swift`
    /// resolves to the synchronous overload on Linux.
    public static func runFromCommandLine() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
