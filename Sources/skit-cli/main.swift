// `skit-cli`: the StreamKit client. All commands live in StreamKitCLI.
import StreamKitCLI

await SkitCLI.runFromCommandLine()
