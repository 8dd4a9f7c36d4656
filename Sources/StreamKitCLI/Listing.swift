import ArgumentParser
import StreamKitCore

/// How the listing commands (`nodes`, `plugins list`, `sessions list`) print what the server sent:
/// its JSON with `--json`, else a table with a header row.
enum Listing {
    /// Prints `items`. `json` gives an item's JSON; `row` its cells under `columns`, in the order
    /// `order` gives (the server's order when nil). `whenEmpty`, if given, replaces an empty table.
    static func print<Item>(
        _ items: [Item], asJSON: Bool, json: (Item) -> JSONValue,
        columns: [String], order: ((Item, Item) -> Bool)? = nil, whenEmpty: String? = nil, row: (Item) -> [String]
    ) {
        if asJSON {
            Console.out(JSONValue.array(items.map(json)).jsonString(pretty: true))
            return
        }
        if items.isEmpty, let whenEmpty {
            Console.out(whenEmpty)
            return
        }
        let shown = order.map { items.sorted(by: $0) } ?? items
        for line in Table.render([columns] + shown.map(row)) { Console.out(line) }
    }
}

/// The options of a command that prints what the server sent: which server, and `--json` for
/// the server's own JSON instead of a table.
struct ServerAnswerOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Print the server's JSON.") var json = false

    init() {}
}
