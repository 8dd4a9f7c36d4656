// `skit-cli`: the StreamKit client. All commands live in StreamKitClient.
import StreamKitClient

await SkitCLI.runFromCommandLine()
