import SkitCommands

await SkitCommand.runFromCommandLine()
