import WasmKit

// `resource.drop`, and dropping handles the host owns.
extension InstanceState {
    /// Drops a guest handle: an owned handle ends the resource (running its destructor, the
    /// guest's or the host's); a borrow just ends the loan.
    func dropHandle(_ handle: UInt32, of resource: ResourceType) throws {
        let entry = try handles.get(handle)
        guard entry.resource == resource else {
            throw ComponentError.abi("resource.drop: handle \(handle) is a \(entry.resource), not a \(resource)")
        }
        guard entry.lendCount == 0 else {
            throw ComponentError.abi("resource.drop: handle \(handle) of \(resource) is still lent")
        }
        _ = try handles.remove(handle)
        guard entry.isOwn else {
            if let lender = entry.lender { try handles.update(lender) { $0.lendCount -= 1 } }
            return
        }
        try destroy(rep: entry.rep, of: resource)
    }

    /// Runs the destructor of a resource whose last owner is gone.
    func destroy(rep: UInt32, of resource: ResourceType) throws {
        if let destructor = guestResources[resource] {
            if let destructor {
                _ = try invokeGuest(destructor, [.i32(rep)], name: "[dtor]\(resource.name)")
            }
        } else if let destructor = hostDestructors[resource] {
            do {
                try destructor(rep)
            } catch {
                throw ComponentError(.host, "destructor of host \(resource) failed: \(error)")
            }
        }
    }
}
