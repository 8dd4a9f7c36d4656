import CJavaScriptCore
import Synchronization

/// Syntax checks without running anything, on one shared context (JavaScriptCore serialises
/// calls into a VM; the mutex keeps the Swift side simple too).
enum ScriptSyntax {
    private final class Checker: @unchecked Sendable {
        // Invariant: `context` is used only while `lock` is held.
        let lock = Mutex(())
        let context: JSGlobalContextRef?

        init() {
            JSCEngineOptions.apply()
            context = JSGlobalContextCreate(nil)
        }
    }

    private static let checker = Checker()

    /// Nil when `source` parses; otherwise the parser's message with its line, e.g.
    /// `SyntaxError: Unexpected token ';' (line 4)`.
    static func problem(in source: String) -> String? {
        checker.lock.withLock { _ in
            guard let context = checker.context else { return "JavaScriptCore could not create a context" }
            let script = JSC.string(source)
            defer { JSStringRelease(script) }
            var exception: JSValueRef?
            if JSCheckScriptSyntax(context, script, nil, 1, &exception) { return nil }
            guard let exception else { return "syntax error" }
            return JSC.describeException(exception, in: context)
        }
    }
}
