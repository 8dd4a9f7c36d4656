/// What a node receives from `NodeContext.next()`.
public enum NodeInput: Sendable {
    /// A packet arrived on an input pin.
    case packet(pin: String, Packet)
    /// Every link into `pin` ended: no more packets will come on it (until it is connected again).
    case inputClosed(pin: String)
    /// Someone asked to change the node's parameters; answer with `accept()` or `reject(_:)`.
    case paramsUpdate(ParamsUpdate)
    /// The wait given to `next(skipping:timeout:)` passed with nothing to receive.
    case timeout
}
