import CJavaScriptCore

/// Small conversions between Swift and JavaScriptCore values. Every function here must be called
/// on the thread that currently drives the context (a runtime's own queue).
enum JSC {
    /// A JS string made from a Swift string (the caller releases it).
    static func string(_ text: String) -> JSStringRef {
        // JSStringCreateWithUTF8CString needs a NUL-terminated string; a Swift string may contain NULs,
        // so those go through UTF-16.
        if !text.utf8.contains(0) {
            return text.withCString { JSStringCreateWithUTF8CString($0) }
        }
        let units = Array(text.utf16)
        return units.withUnsafeBufferPointer { JSStringCreateWithCharacters($0.baseAddress, units.count) }
    }

    /// A JS string value.
    static func value(_ text: String, in context: JSContextRef) -> JSValueRef {
        let string = string(text)
        defer { JSStringRelease(string) }
        return JSValueMakeString(context, string)
    }

    /// The Swift string of a JS string.
    static func swiftString(_ string: JSStringRef) -> String {
        let length = JSStringGetLength(string)
        guard length > 0, let characters = JSStringGetCharactersPtr(string) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: characters, count: length), as: UTF16.self)
    }

    /// `String(value)` in JavaScript, or nil when converting throws.
    static func swiftString(_ value: JSValueRef?, in context: JSContextRef) -> String? {
        guard let value else { return nil }
        var exception: JSValueRef?
        guard let string = JSValueToStringCopy(context, value, &exception), exception == nil else { return nil }
        defer { JSStringRelease(string) }
        return swiftString(string)
    }

    /// The value of a JS string, nil for any other type.
    static func stringValue(_ value: JSValueRef?, in context: JSContextRef) -> String? {
        guard let value, JSValueIsString(context, value) else { return nil }
        return swiftString(value, in: context)
    }

    /// `object[name]`, nil when it is undefined or reading it threw.
    static func property(_ object: JSObjectRef, _ name: JSStringRef, in context: JSContextRef) -> JSValueRef? {
        var exception: JSValueRef?
        let value = JSObjectGetProperty(context, object, name, &exception)
        guard exception == nil, let value, !JSValueIsUndefined(context, value) else { return nil }
        return value
    }

    static func setProperty(_ object: JSObjectRef, _ name: JSStringRef, _ value: JSValueRef?, in context: JSContextRef) {
        JSObjectSetProperty(context, object, name, value, JSPropertyAttributes(kJSPropertyAttributeNone), nil)
    }

    /// `JSON.stringify(value)`, nil when the value has no JSON form or stringifying threw.
    static func json(_ value: JSValueRef, in context: JSContextRef) -> String? {
        var exception: JSValueRef?
        guard let string = JSValueCreateJSONString(context, value, 0, &exception), exception == nil else { return nil }
        defer { JSStringRelease(string) }
        return swiftString(string)
    }

    /// `JSON.parse(text)`.
    static func parseJSON(_ text: String, in context: JSContextRef) -> JSValueRef? {
        let string = string(text)
        defer { JSStringRelease(string) }
        return JSValueMakeFromJSONString(context, string)
    }

    /// The message of a thrown value: `name: message (line N)` for errors.
    static func describeException(_ exception: JSValueRef, in context: JSContextRef) -> String {
        var text = swiftString(exception, in: context) ?? "unknown JavaScript exception"
        if JSValueIsObject(context, exception), let object = JSValueToObject(context, exception, nil) {
            let lineName = string("line")
            defer { JSStringRelease(lineName) }
            if let line = property(object, lineName, in: context), JSValueIsNumber(context, line) {
                text += " (line \(Int(JSValueToNumber(context, line, nil))))"
            }
        }
        return text
    }

    /// A JS error object carrying `message`.
    static func error(_ message: String, in context: JSContextRef) -> JSValueRef? {
        var arguments: [JSValueRef?] = [value(message, in: context)]
        return arguments.withUnsafeMutableBufferPointer { buffer in
            JSObjectMakeError(context, 1, buffer.baseAddress, nil)
        }
    }
}
