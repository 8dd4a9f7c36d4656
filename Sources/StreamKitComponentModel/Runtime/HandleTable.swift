/// A component instance's table of resource handles, as in the canonical ABI's `ResourceTable`.
///
/// Handle 0 is never valid, so a zeroed guest value cannot name a resource. Freed slots are
/// reused; the table is capped so a guest cannot exhaust host memory by leaking handles.
struct HandleTable {
    struct Entry {
        var resource: ResourceType
        var rep: UInt32
        var isOwn: Bool
        /// Borrows of this (owned) handle that are still live; an owned handle cannot be
        /// dropped or moved while lent.
        var lendCount = 0
        /// For a borrow handle: the call it was lent for, which must drop it before returning.
        var scope: Int?
        /// For a borrow handle created from an owned handle of the same table.
        var lender: UInt32?
    }

    static let maxHandles = 1 << 20

    private var entries: [Entry?] = [nil]
    private var freeList: [UInt32] = []
    private(set) var liveCount = 0

    mutating func add(_ entry: Entry) throws(ComponentError) -> UInt32 {
        guard liveCount < Self.maxHandles else {
            throw .abi("handle table is full (\(Self.maxHandles) live handles)")
        }
        liveCount += 1
        if let index = freeList.popLast() {
            entries[Int(index)] = entry
            return index
        }
        entries.append(entry)
        return UInt32(entries.count - 1)
    }

    func get(_ index: UInt32) throws(ComponentError) -> Entry {
        guard Int(index) < entries.count, let entry = entries[Int(index)] else {
            throw .abi("invalid resource handle \(index)")
        }
        return entry
    }

    mutating func update(_ index: UInt32, _ body: (inout Entry) -> Void) throws(ComponentError) {
        guard Int(index) < entries.count, var entry = entries[Int(index)] else {
            throw .abi("invalid resource handle \(index)")
        }
        body(&entry)
        entries[Int(index)] = entry
    }

    mutating func remove(_ index: UInt32) throws(ComponentError) -> Entry {
        let entry = try get(index)
        entries[Int(index)] = nil
        freeList.append(index)
        liveCount -= 1
        return entry
    }
}
