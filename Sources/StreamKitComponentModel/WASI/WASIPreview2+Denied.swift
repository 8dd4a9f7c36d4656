// wasi:filesystem and wasi:sockets, denied. No descriptor or socket is ever handed out, so
// the methods on them cannot be reached; they are defined (with whatever type the component
// declares) only so that components importing them link. The entry points answer "nothing
// here": no preopened directories, `access-denied` for every socket and name lookup.
extension WASIPreview2 {
    static let filesystemFunctions = [
        "read-via-stream", "write-via-stream", "append-via-stream", "advise", "sync-data", "get-flags", "get-type", "set-size",
        "set-times", "read", "write", "read-directory", "sync", "create-directory-at", "stat", "stat-at", "set-times-at",
        "link-at", "open-at", "readlink-at", "remove-directory-at", "rename-at", "symlink-at", "unlink-file-at", "is-same-object",
        "metadata-hash", "metadata-hash-at",
    ]

    static let socketFunctions: [String: [String]] = [
        "tcp-socket": [
            "start-bind", "finish-bind", "start-connect", "finish-connect", "start-listen", "finish-listen", "accept", "local-address",
            "remote-address", "is-listening", "address-family", "set-listen-backlog-size", "keep-alive-enabled", "set-keep-alive-enabled",
            "keep-alive-idle-time", "set-keep-alive-idle-time", "keep-alive-interval", "set-keep-alive-interval", "keep-alive-count",
            "set-keep-alive-count", "hop-limit", "set-hop-limit", "receive-buffer-size", "set-receive-buffer-size", "send-buffer-size",
            "set-send-buffer-size", "subscribe", "shutdown",
        ],
        "udp-socket": [
            "start-bind", "finish-bind", "stream", "local-address", "remote-address", "address-family", "unicast-hop-limit",
            "set-unicast-hop-limit", "receive-buffer-size", "set-receive-buffer-size", "send-buffer-size", "set-send-buffer-size", "subscribe",
        ],
        "incoming-datagram-stream": ["receive", "subscribe"],
        "outgoing-datagram-stream": ["check-send", "send", "subscribe"],
    ]

    func defineDenied(in linker: inout ComponentLinker, io: IOTypes) {
        let unreachable: ComponentLinker.AnyTypeHostFunction = { _, _ in
            throw ComponentError(.host, "no filesystem or network access is granted")
        }
        let types = Self.name("filesystem/types")
        let descriptor = linker.defineResource(interface: types, name: "descriptor")
        let entries = linker.defineResource(interface: types, name: "directory-entry-stream")
        _ = (descriptor, entries)
        for function in Self.filesystemFunctions {
            linker.define(interface: types, function: "[method]descriptor.\(function)", acceptingAnyType: unreachable)
        }
        linker.define(interface: types, function: "[method]directory-entry-stream.read-directory-entry", acceptingAnyType: unreachable)
        linker.define(interface: types, function: "filesystem-error-code", acceptingAnyType: { _, _ in [.option(nil)] })
        linker.define(interface: Self.name("filesystem/preopens"), function: "get-directories", acceptingAnyType: { _, _ in [.list([])] })

        let network = linker.defineResource(interface: Self.name("sockets/network"), name: "network")
        linker.define(interface: Self.name("sockets/instance-network"), function: "instance-network", acceptingAnyType: { _, _ in
            [.own(ResourceHandle(type: network, rep: 0))]
        })
        let denied: ComponentLinker.AnyTypeHostFunction = { _, _ in [.error(.enumeration("access-denied"))] }
        for (interface, resources) in [("sockets/tcp", ["tcp-socket"]), ("sockets/udp", ["udp-socket", "incoming-datagram-stream", "outgoing-datagram-stream"])] {
            for resource in resources {
                linker.defineResource(interface: Self.name(interface), name: resource)
                for method in Self.socketFunctions[resource] ?? [] {
                    linker.define(interface: Self.name(interface), function: "[method]\(resource).\(method)", acceptingAnyType: unreachable)
                }
            }
        }
        linker.define(interface: Self.name("sockets/tcp-create-socket"), function: "create-tcp-socket", acceptingAnyType: denied)
        linker.define(interface: Self.name("sockets/udp-create-socket"), function: "create-udp-socket", acceptingAnyType: denied)
        let lookup = Self.name("sockets/ip-name-lookup")
        linker.defineResource(interface: lookup, name: "resolve-address-stream")
        linker.define(interface: lookup, function: "resolve-addresses", acceptingAnyType: denied)
        for method in ["resolve-next-address", "subscribe"] {
            linker.define(interface: lookup, function: "[method]resolve-address-stream.\(method)", acceptingAnyType: unreachable)
        }
    }
}
