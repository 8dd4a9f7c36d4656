import Testing

@testable import StreamKitComponentModel

/// Guest-defined resources (constructor, borrowed method, destructor, exported through a
/// nested component as wit-component does) and host-defined resources (own and borrow
/// handles in the guest's table, host destructor on drop).
struct ResourceTests {
    static let guestResource = """
        (component
          (core module $D
            (global (export "dropped") (mut i32) (i32.const 0))
            (func (export "dtor") (param i32) (global.set 0 (i32.add (global.get 0) (local.get 0)))))
          (core instance $d (instantiate $D))
          (alias core export $d "dtor" (core func $dtor))
          (type $counter (resource (rep i32) (dtor (core func $dtor))))
          (core func $new (canon resource.new $counter))
          (core func $rep (canon resource.rep $counter))
          (core func $drop (canon resource.drop $counter))
          (core module $M
            (import "d" "dropped" (global $dropped (mut i32)))
            (import "r" "new" (func $new (param i32) (result i32)))
            (import "r" "rep" (func $rep (param i32) (result i32)))
            (import "r" "drop" (func $drop (param i32)))
            (func (export "ctor") (param i32) (result i32) (call $new (local.get 0)))
            (func (export "value") (param i32) (result i32) (local.get 0))
            (func (export "dropped") (result i32) (global.get $dropped))
            (func (export "bad-rep") (result i32) (call $rep (i32.const 99)))
            (func (export "make-and-drop") (param i32) (result i32)
              (call $drop (call $new (local.get 0)))
              (global.get $dropped)))
          (core instance $m (instantiate $M
            (with "d" (instance $d))
            (with "r" (instance (export "new" (func $new)) (export "rep" (func $rep)) (export "drop" (func $drop))))))
          (func $ctor (param "start" u32) (result (own $counter)) (canon lift (core func $m "ctor")))
          (func $value (param "self" (borrow $counter)) (result u32) (canon lift (core func $m "value")))
          (component $Api
            (import "import-type-counter" (type $c (sub resource)))
            (import "import-constructor-counter" (func $ctor (param "start" u32) (result (own $c))))
            (import "import-method-counter-value" (func $value (param "self" (borrow $c)) (result u32)))
            (export $c2 "counter" (type $c))
            (type $ctor-t (func (param "start" u32) (result (own $c2))))
            (export "[constructor]counter" (func $ctor) (func (type $ctor-t)))
            (type $value-t (func (param "self" (borrow $c2)) (result u32)))
            (export "[method]counter.value" (func $value) (func (type $value-t))))
          (instance $api (instantiate $Api
            (with "import-type-counter" (type $counter))
            (with "import-constructor-counter" (func $ctor))
            (with "import-method-counter-value" (func $value))))
          (export "test:res/api@0.1.0" (instance $api))
          (func (export "dropped") (result u32) (canon lift (core func $m "dropped")))
          (func (export "bad-rep") (result u32) (canon lift (core func $m "bad-rep")))
          (func (export "make-and-drop") (param "rep" u32) (result u32) (canon lift (core func $m "make-and-drop")))
        )
        """

    @Test func guestResourceLifecycle() throws {
        let component = try Component(bytes: try WasmTools.parse(Self.guestResource))
        let instance = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine)
        let api = "test:res/api@0.1.0"
        let counter = try #require(instance.resource("counter", in: api))
        let constructor = try instance.function("[constructor]counter", in: api, expecting: ComponentFunctionType(parameters: [.init("start", .u32)], result: .own(counter)))
        let value = try instance.function("[method]counter.value", in: api)
        let results = try instance.call(constructor, [.u32(5)])
        guard case .own(let handle) = results.first else {
            Issue.record("constructor returned \(results)")
            return
        }
        #expect(handle.type == counter)
        #expect(handle.rep == 5)
        #expect(instance.liveHandleCount == 0, "the owned handle moved to the host")
        #expect(try instance.call(value, [.borrow(handle)]) == [.u32(5)])
        #expect(try instance.call(try instance.function("dropped")) == [.u32(0)])
        try instance.drop(handle)
        #expect(try instance.call(try instance.function("dropped")) == [.u32(5)], "the guest destructor ran with the rep")
        #expect(try instance.call(try instance.function("make-and-drop"), [.u32(7)]) == [.u32(12)])
        #expect(instance.liveHandleCount == 0)
    }

    @Test func badHandleIsAnError() throws {
        let component = try Component(bytes: try WasmTools.parse(Self.guestResource))
        let instance = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine)
        let error = ComponentError.expecting(.canonicalABI) { _ = try instance.call(try instance.function("bad-rep")) }
        #expect(error?.message.contains("invalid resource handle 99") == true, "\(String(describing: error))")
    }

    @Test func exportTypeIsCheckedAgainstTheHost() throws {
        let component = try Component(bytes: try WasmTools.parse(Self.guestResource))
        let instance = try ComponentInstance(component, linker: ComponentLinker(), engine: sharedEngine)
        let error = ComponentError.expecting(.link) {
            _ = try instance.function("dropped", expecting: ComponentFunctionType(result: .u64))
        }
        #expect(error?.message == "export `dropped`: result: component has u32, host has u64")
    }

    static func hostResource(version: String = "1.0.0") -> String {
        """
        (component
          (import "test:host/counters@\(version)" (instance $host
            (export "counter" (type $c (sub resource)))
            (export "make" (func (param "start" u32) (result (own $c))))
            (export "[method]counter.get" (func (param "self" (borrow $c)) (result u32)))))
          (alias export $host "counter" (type $counter))
          (alias export $host "make" (func $make))
          (alias export $host "[method]counter.get" (func $get))
          (core func $make-lowered (canon lower (func $make)))
          (core func $get-lowered (canon lower (func $get)))
          (core func $drop (canon resource.drop $counter))
          (core module $M
            (import "h" "make" (func $make (param i32) (result i32)))
            (import "h" "get" (func $get (param i32) (result i32)))
            (import "h" "drop" (func $drop (param i32)))
            (func (export "run") (param i32) (result i32) (local $h i32) (local $v i32)
              (local.set $h (call $make (local.get 0)))
              (local.set $v (call $get (local.get $h)))
              (call $drop (local.get $h))
              (local.get $v))
            (func (export "peek") (param $h i32) (result i32) (local $v i32)
              (local.set $v (call $get (local.get $h)))
              (call $drop (local.get $h))
              (local.get $v))
            (func (export "peek-no-drop") (param $h i32) (result i32) (call $get (local.get $h)))
            (func (export "double-drop") (param i32) (local $h i32)
              (local.set $h (call $make (local.get 0)))
              (call $drop (local.get $h))
              (call $drop (local.get $h))))
          (core instance $m (instantiate $M (with "h" (instance
            (export "make" (func $make-lowered)) (export "get" (func $get-lowered)) (export "drop" (func $drop))))))
          (func (export "run") (param "start" u32) (result u32) (canon lift (core func $m "run")))
          (func (export "double-drop") (param "start" u32) (canon lift (core func $m "double-drop")))
          (func (export "peek") (param "c" (borrow $counter)) (result u32) (canon lift (core func $m "peek")))
          (func (export "peek-no-drop") (param "c" (borrow $counter)) (result u32) (canon lift (core func $m "peek-no-drop")))
        )
        """
    }

    func hostLinker(interface: String, destroyed: Received) -> ComponentLinker {
        var linker = ComponentLinker()
        let counter = linker.defineResource(interface: interface, name: "counter") { rep in destroyed.values.append(.u32(rep)) }
        linker.define(interface: interface, function: "make", type: ComponentFunctionType(parameters: [.init("start", .u32)], result: .own(counter))) { arguments in
            guard case .u32(let start) = arguments[0] else { return [] }
            return [.own(ResourceHandle(type: counter, rep: start * 10))]
        }
        linker.define(interface: interface, function: "[method]counter.get", type: ComponentFunctionType(parameters: [.init("self", .borrow(counter))], result: .u32)) { arguments in
            guard case .borrow(let handle) = arguments[0] else { return [] }
            return [.u32(handle.rep + 1)]
        }
        return linker
    }

    @Test func hostResourceOwnBorrowAndDrop() throws {
        let destroyed = Received()
        // The component asks for 1.0.0; the host's 1.2.0 is semver-compatible.
        let linker = hostLinker(interface: "test:host/counters@1.2.0", destroyed: destroyed)
        let instance = try ComponentInstance(Component(bytes: try WasmTools.parse(Self.hostResource())), linker: linker, engine: sharedEngine)
        #expect(try instance.call(try instance.function("run"), [.u32(4)]) == [.u32(41)])
        #expect(destroyed.values == [.u32(40)], "dropping the owned handle ran the host destructor")
        #expect(instance.liveHandleCount == 0)
        let error = ComponentError.expecting(.canonicalABI) { _ = try instance.call(try instance.function("double-drop"), [.u32(1)]) }
        #expect(error?.message.contains("invalid resource handle") == true, "\(String(describing: error))")
    }

    @Test func hostBorrowLentToTheGuestMustBeDroppedBeforeReturning() throws {
        let destroyed = Received()
        let interface = "test:host/counters@1.0.0"
        let linker = hostLinker(interface: interface, destroyed: destroyed)
        let counter = try #require(linker.resource(interface: interface, name: "counter"))
        let instance = try ComponentInstance(Component(bytes: try WasmTools.parse(Self.hostResource())), linker: linker, engine: sharedEngine)
        let borrowed = ComponentValue.borrow(ResourceHandle(type: counter, rep: 70))
        #expect(try instance.call(try instance.function("peek"), [borrowed]) == [.u32(71)])
        #expect(instance.liveHandleCount == 0)
        #expect(destroyed.values.isEmpty, "dropping a borrow does not destroy the resource")
        let error = ComponentError.expecting(.canonicalABI) { _ = try instance.call(try instance.function("peek-no-drop"), [borrowed]) }
        #expect(error?.message.contains("was not dropped before the call returned") == true, "\(String(describing: error))")
    }

    @Test func reentrantCallIsRefused() throws {
        final class Box { var instance: ComponentInstance? }
        let box = Box()
        var linker = ComponentLinker()
        linker.define(function: "echo", type: ComponentFunctionType(parameters: [.init("x", .u32)], result: .u32)) { arguments in
            guard let instance = box.instance else { return arguments }
            return try instance.call(try instance.function("roundtrip"), arguments)
        }
        let testCase = try #require(roundTripCases.first { $0.name == "u32" })
        let instance = try ComponentInstance(Component(bytes: try WasmTools.parse(roundTripComponent(testCase))), linker: linker, engine: sharedEngine)
        box.instance = instance
        let error = ComponentError.expecting(.usage) { _ = try instance.call(try instance.function("roundtrip"), [.u32(1)]) }
        #expect(error?.message.contains("reentrant call") == true, "\(String(describing: error))")
        box.instance = nil
        #expect(try instance.call(try instance.function("roundtrip"), [.u32(3)]) == [.u32(3)], "the instance survives the refused call")
    }

    @Test func incompatibleInterfaceVersionIsRefused() throws {
        let linker = hostLinker(interface: "test:host/counters@2.0.0", destroyed: Received())
        let component = try Component(bytes: try WasmTools.parse(Self.hostResource()))
        let error = ComponentError.expecting(.link) { _ = try ComponentInstance(component, linker: linker, engine: sharedEngine) }
        #expect(error?.message.contains("import `test:host/counters@1.0.0`: the host does not provide this interface") == true, "\(String(describing: error))")
    }
}
