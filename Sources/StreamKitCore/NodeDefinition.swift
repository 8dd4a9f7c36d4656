/// A node kind as registered: what it is, what it takes and gives, and how to make one.
public struct NodeDefinition: Sendable {
    /// Registered name, e.g. `audio::gain` or `plugin::native::vad`.
    public var kind: String
    public var description: String
    /// e.g. `["audio", "filters"]`.
    public var categories: [String]
    /// JSON Schema of the parameters; checked before the factory runs.
    public var paramSchema: JSONValue
    /// Pins of the kind (for an instance they may differ with its parameters).
    public var inputs: [InputPin]
    public var outputs: [OutputPin]
    /// May sit in a cycle (a network peer that both sends and receives).
    public var bidirectional: Bool
    /// Only meaningful inside a oneshot run (the HTTP body markers).
    public var oneshotOnly: Bool
    /// Makes an instance from parameters that passed the schema and had its defaults filled in.
    public var factory: @Sendable (JSONValue) throws -> any Node

    public init(
        kind: String, description: String, categories: [String], paramSchema: JSONValue,
        inputs: [InputPin], outputs: [OutputPin], bidirectional: Bool = false, oneshotOnly: Bool = false,
        factory: @escaping @Sendable (JSONValue) throws -> any Node
    ) {
        self.kind = kind
        self.description = description
        self.categories = categories
        self.paramSchema = paramSchema
        self.inputs = inputs
        self.outputs = outputs
        self.bidirectional = bidirectional
        self.oneshotOnly = oneshotOnly
        self.factory = factory
    }

    /// The original's JSON form served at `/api/v1/schema/nodes`.
    public var json: JSONValue {
        [
            "kind": .string(kind),
            "description": .string(description),
            "param_schema": paramSchema,
            "inputs": .array(inputs.map(\.json)),
            "outputs": .array(outputs.map(\.json)),
            "categories": .array(categories.map { .string($0) }),
            "bidirectional": .bool(bidirectional),
        ]
    }
}
