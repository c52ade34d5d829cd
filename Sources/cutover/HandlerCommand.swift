import ArgumentParser
import CutoverLocal
import CutoverREPL
import Foundation
import LuaRuntime

extension Local {
    /// `cutover local handler FILE`: one invocation of a Lua function handler, as the
    /// local cloud's daemon runs it for a function whose handler is a `.lua` file.
    ///
    /// The file either returns a function or defines a global `handler`; it is called
    /// with the event (stdin's JSON as Lua values: an object is a table, an array a
    /// sequence, null nil) and a context table (`function_name`, `function_version`,
    /// `timeout_ms`). Its first result goes to stdout as JSON: a table with only keys
    /// 1…n is an array, any other table an object (an empty one is `{}`). Exit 0.
    /// Anything the Lua code prints goes to stderr, the invocation's log. A Lua error:
    /// `cutover: FILE:LINE: message` and the traceback on stderr, exit 1.
    struct Handler: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "handler",
            abstract: "Run a Lua function handler once: the event JSON on stdin, the result JSON on stdout.",
            shouldDisplay: false)

        @Argument(help: ArgumentHelp("The handler's Lua file.", valueName: "file"))
        var file: String

        func run() throws {
            // stdout is for the result alone: print and io.write go to the log (stderr).
            let resultFD = dup(1)
            dup2(2, 1)
            do {
                let result = try invoke()
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                var data = try encoder.encode(result)
                data.append(0x0A)
                fflush(nil)
                FileHandle(fileDescriptor: resultFD).write(data)
            } catch {
                fflush(nil)
                FileHandle.standardError.write(Data("cutover: \(Shell.describe(error))\n".utf8))
                throw ExitCode(1)
            }
        }

        private func invoke() throws -> Control.JSONValue {
            let input = FileHandle.standardInput.readDataToEndOfFile()
            let blank = input.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
            let event: Control.JSONValue
            do {
                event = try JSONDecoder().decode(Control.JSONValue.self, from: blank ? Data("{}".utf8) : input)
            } catch {
                throw HandlerFailure("the event on stdin is not JSON: \(error)")
            }
            let shell = try Shell()
            let vm = shell.vm
            let chunk = try vm.loadFile(file)
            let returned = try vm.call(.reference(chunk))
            let handler = returned.first.flatMap { $0.typeName == "function" ? $0 : nil } ?? vm[global: "handler"]
            guard handler.typeName == "function" else {
                throw HandlerFailure("\(file) has no handler: return a function from the file, or define a global function `handler`")
            }
            let environment = ProcessInfo.processInfo.environment
            func text(_ name: String) -> LuaValue { environment[name].map { LuaValue.string($0) } ?? .nil }
            var context = LuaTable(array: [])
            context["function_name"] = text("CUTOVER_FUNCTION_NAME")
            context["function_version"] = text("CUTOVER_FUNCTION_VERSION")
            context["timeout_ms"] = environment["CUTOVER_FUNCTION_TIMEOUT_MS"].flatMap { Int64($0) }.map { LuaValue.integer($0) } ?? .nil
            let results = try vm.call(handler, arguments: [LuaJSON.lua(event), .table(context)])
            return try LuaJSON.json(results.first ?? .nil, at: "the result")
        }
    }
}

/// Why a handler could not run or answer (not a Lua error).
struct HandlerFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// JSON values as Lua values and back, for function handlers.
enum LuaJSON {
    static func lua(_ json: Control.JSONValue) -> LuaValue {
        switch json {
        case .null: .nil
        case .bool(let b): .boolean(b)
        case .integer(let i): .integer(i)
        case .number(let d): .number(d)
        case .string(let s): .string(s)
        case .array(let items): .table(LuaTable(array: items.map(lua)))
        case .object(let fields):
            .table(LuaTable(fields: fields.sorted { $0.key < $1.key }.compactMap { field in
                field.value == .null ? nil : (key: LuaValue.string(field.key), value: lua(field.value))
            }))
        }
    }

    /// `place` names the value in messages: "the result.items[2]".
    static func json(_ value: LuaValue, at place: String) throws -> Control.JSONValue {
        switch value {
        case .nil: return .null
        case .boolean(let b): return .bool(b)
        case .integer(let i): return .integer(i)
        case .number(let d):
            guard d.isFinite else { throw HandlerFailure("cannot encode \(LuaValue.format(d)) as JSON (\(place))") }
            return .number(d)
        case .string(let s): return .string(s)
        case .bytes(let b): return .string(String(decoding: b, as: UTF8.self))
        case .table(let table): return try json(table, at: place)
        case .reference(let reference) where reference.typeName == "table":
            let table: LuaTable
            do {
                table = try reference.snapshot()
            } catch {
                throw HandlerFailure("\(error) (\(place))")
            }
            return try json(table, at: place)
        default:
            throw HandlerFailure("cannot encode a \(value.typeName) as JSON (\(place))")
        }
    }

    private static func json(_ table: LuaTable, at place: String) throws -> Control.JSONValue {
        if table.fields.isEmpty && !table.array.isEmpty {
            return .array(try table.array.enumerated().map { try json($0.element, at: "\(place)[\($0.offset + 1)]") })
        }
        var object: [String: Control.JSONValue] = [:]
        for (index, item) in table.array.enumerated() {
            object[String(index + 1)] = try json(item, at: "\(place)[\(index + 1)]")
        }
        for (key, item) in table.fields {
            let name: String
            switch key {
            case .string(let s): name = s
            case .bytes(let b): name = String(decoding: b, as: UTF8.self)
            case .integer(let i): name = String(i)
            case .number(let d): name = LuaValue.format(d)
            default: throw HandlerFailure("cannot encode a table with a \(key.typeName) key as JSON (\(place))")
            }
            object[name] = try json(item, at: "\(place).\(name)")
        }
        return .object(object)
    }
}
