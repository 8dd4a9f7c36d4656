import WasmKit

/// What lifting and lowering need for one crossing of the component boundary: the canonical
/// options' memory and realloc, the instance's handle table, and the borrows made for this call.
struct CanonicalContext {
    let memory: GuestMemoryView?
    let realloc: Function?
    let state: InstanceState
    /// Identifies this call, for borrow handles that must be dropped before it returns.
    let scope: Int
    /// Borrow handles lowered into the guest for this call.
    var lentHandles: [UInt32] = []
    /// Owned handles of the guest that the host borrowed for this call (their lend counts are
    /// released when the call ends).
    var borrowedFromGuest: [UInt32] = []

    init(memory: Memory?, realloc: Function?, state: InstanceState) {
        self.memory = memory.map(GuestMemoryView.init)
        self.realloc = realloc
        self.state = state
        self.scope = state.nextScope()
    }

    func requireMemory(for what: @autoclosure () -> String) throws -> GuestMemoryView {
        guard let memory else { throw ComponentError.abi("\(what()) needs linear memory but the canonical options name none") }
        return memory
    }

    /// Calls the guest's `realloc(0, 0, alignment, size)` and checks the pointer it returns.
    func allocate(size: Int, alignment: Int, for what: @autoclosure () -> String) throws -> UInt32 {
        guard let realloc else { throw ComponentError.abi("\(what()) needs a realloc option but the canonical options name none") }
        guard size <= Int(UInt32.max) else { throw ComponentError.abi("\(what()) needs \(size) bytes, more than a 32-bit memory holds") }
        state.reallocArguments[2] = .i32(UInt32(alignment))
        state.reallocArguments[3] = .i32(UInt32(size))
        let results = try state.invokeGuest(realloc, state.reallocArguments, name: "realloc")
        guard results.count == 1, case .i32(let pointer) = results[0] else {
            throw ComponentError.abi("realloc returned \(results) instead of one i32")
        }
        guard Int(pointer) % alignment == 0 else {
            throw ComponentError.abi("realloc returned pointer 0x\(String(pointer, radix: 16)), not aligned to \(alignment)")
        }
        _ = try requireMemory(for: what()).checkRange(pointer, size)
        return pointer
    }

    /// Cleans up after a call that failed part-way: lends are released and borrows lent to
    /// the guest are taken back, so the handle table stays consistent for the next call.
    mutating func abandon() {
        for handle in borrowedFromGuest {
            try? state.handles.update(handle) { $0.lendCount = max(0, $0.lendCount - 1) }
        }
        borrowedFromGuest.removeAll()
        for handle in lentHandles {
            if let entry = try? state.handles.get(handle), entry.scope == scope { _ = try? state.handles.remove(handle) }
        }
        lentHandles.removeAll()
    }

    /// Ends the call: releases the lends taken on guest handles and checks that every borrow
    /// lent to the guest was dropped, as the canonical ABI requires.
    mutating func finish() throws {
        for handle in borrowedFromGuest {
            try state.handles.update(handle) { $0.lendCount -= 1 }
        }
        borrowedFromGuest.removeAll()
        for handle in lentHandles {
            if let entry = try? state.handles.get(handle), entry.scope == scope {
                throw ComponentError.abi("borrowed handle \(handle) of \(entry.resource) was not dropped before the call returned")
            }
        }
        lentHandles.removeAll()
    }
}

/// Reads flat core values in order, checking each has the type the canonical ABI expects.
///
/// It reads a buffer it does not own (the engine's parameter buffer of a host function, or an
/// array's storage): make one inside the scope that keeps the buffer alive and do not keep it.
struct FlatValueReader {
    private let values: UnsafeBufferPointer<Value>
    private var index = 0

    init(_ values: UnsafeBufferPointer<Value>) { self.values = values }

    mutating func next(_ type: CoreFlatType) throws -> Value {
        guard index < values.count else { throw ComponentError.abi("too few core values (\(values.count)) for the component type") }
        let value = values[index]
        index += 1
        switch (type, value) {
        case (.i32, .i32), (.i64, .i64), (.f32, .f32), (.f64, .f64): return value
        default: throw ComponentError.abi("core value \(value) where \(type) was expected")
        }
    }

    mutating func nextI32() throws -> UInt32 {
        guard case .i32(let v) = try next(.i32) else { return 0 }
        return v
    }
}
