import StreamKitClient
import StreamKitCore
import Foundation

/// Reads a text file given on the command line.
func readTextFile(_ path: String, what: String) throws(StreamKitClientError) -> String {
    do {
        return try String(contentsOfFile: path, encoding: .utf8)
    } catch {
        throw .invalidArgument("cannot read \(what) '\(path)': \(UploadSource.reason(error))")
    }
}
