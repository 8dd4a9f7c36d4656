/// The JavaScript that sets up a script's globals before the script runs. It receives the
/// native functions (which are never put on the global object themselves) and returns
/// `[run, makeResponse, PENDING]` for the runtime.
enum Bootstrap {
    static let source = #"""
    (function (natives) {
      "use strict";
      const { log, emit, startSpan, endSpan, fetchNative, settle } = natives;
      const format = (value) => {
        if (typeof value === "string") return value;
        if (value instanceof Error) return String(value);
        try {
          const json = JSON.stringify(value);
          return json === undefined ? String(value) : json;
        } catch (error) {
          return String(value);
        }
      };
      const write = (level) => (...args) => { log(level, args.map(format).join(" ")); };
      globalThis.console = Object.freeze({
        log: write("info"), info: write("info"), debug: write("debug"), warn: write("warn"), error: write("error"),
      });
      const toJSON = (data) => (data === undefined || data === null ? null : JSON.stringify(data));
      globalThis.telemetry = Object.freeze({
        emit: (type, data) => { emit(String(type), toJSON(data)); },
        startSpan: (type, data) => startSpan(String(type), toJSON(data)),
        endSpan: (id, data) => { endSpan(String(id), toJSON(data)); },
      });
      globalThis.fetch = function fetch(input, init) {
        const options = init == null ? {} : init;
        const headers = [];
        const source = options.headers;
        if (source != null) {
          if (Array.isArray(source)) {
            for (const [name, value] of source) headers.push([String(name), String(value)]);
          } else if (typeof source.forEach === "function") {
            source.forEach((value, name) => headers.push([String(name), String(value)]));
          } else {
            for (const name of Object.keys(source)) headers.push([name, String(source[name])]);
          }
        }
        let body = options.body;
        if (body !== undefined && body !== null && typeof body !== "string") body = JSON.stringify(body);
        const method = String(options.method === undefined ? "GET" : options.method).toUpperCase();
        return fetchNative(String(input), method, JSON.stringify(headers), body == null ? null : body);
      };
      const PENDING = Object.freeze({});
      function makeResponse(status, statusText, url, headerPairs, body) {
        const map = new Map(headerPairs);
        const headers = Object.freeze({
          get: (name) => { const value = map.get(String(name).toLowerCase()); return value === undefined ? null : value; },
          has: (name) => map.has(String(name).toLowerCase()),
          forEach: (callback) => map.forEach((value, name) => callback(value, name)),
          entries: () => map.entries(),
        });
        return Object.freeze({
          status, statusText, url, headers, redirected: false, ok: status >= 200 && status < 300,
          text: async () => body,
          json: async () => JSON.parse(body),
        });
      }
      function run(process, packet, token) {
        const result = process(packet);
        if (result !== null && (typeof result === "object" || typeof result === "function") && typeof result.then === "function") {
          result.then((value) => settle(token, true, value), (error) => settle(token, false, error));
          return PENDING;
        }
        return result;
      }
      return [run, makeResponse, PENDING];
    })
    """#
}
