/// The original's generated session names: `<adjective>-<noun>-<hhhh>` from an FNV-1a hash of the id,
/// so a session created without a name still gets a readable, stable one.
enum SessionName {
    private static let adjectives = [
        "ancient", "brave", "calm", "clever", "dapper", "eager", "fancy", "gentle", "happy", "jolly", "kind",
        "lively", "mighty", "noble", "proud", "quick", "quiet", "shiny", "silly", "swift", "wise",
    ]
    private static let nouns = [
        "antelope", "badger", "beaver", "bison", "cougar", "dolphin", "dragon", "eagle", "falcon", "fox", "gecko",
        "heron", "ibis", "koala", "lemur", "lynx", "otter", "panther", "puma", "raven", "tiger", "yak",
    ]

    static func generate(for id: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let adjective = adjectives[Int(hash % UInt64(adjectives.count))]
        let noun = nouns[Int((hash >> 8) % UInt64(nouns.count))]
        let suffix = String((hash >> 16) & 0xffff, radix: 16)
        return "\(adjective)-\(noun)-\(String(repeating: "0", count: 4 - suffix.count))\(suffix)"
    }
}
