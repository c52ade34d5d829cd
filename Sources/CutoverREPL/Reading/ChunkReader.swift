import LuaRuntime

/// What a piece of prompt input is, once compiled.
public enum PromptChunk {
    /// An expression (also `=expr`): run it and print its results.
    case expression(LuaReference, source: String)
    /// A statement list: run it; `declared` are the top-level locals it keeps.
    case statement(LuaReference, source: String, declared: [String], keptLocal: [String])
    /// Not complete yet: read another line (the `<eof>` rule).
    case incomplete
    /// A syntax error that more input cannot fix.
    case invalid(LuaError)
}

/// Decides what prompt input is, as lua.c does and a little more:
///
/// 1. `=expr` is `return expr`.
/// 2. Try `return <input>`: if it compiles, the input is an expression.
/// 3. Otherwise compile it as statements (after `TopLevelLocals`).
/// 4. A syntax error whose message ends in `<eof>` means "keep reading" — for the
///    statement form, or for the expression form (so `1 +` ⏎ `2` gives 3).
public struct ChunkReader {
    let vm: LuaVM
    let chunkName: String

    public init(vm: LuaVM, chunkName: String = "=stdin") {
        self.vm = vm
        self.chunkName = chunkName
    }

    public func read(_ input: String) -> PromptChunk {
        if input.hasPrefix("=") {
            let expression = String(input.dropFirst())
            switch compile("return " + expression) {
            case .success(let function): return .expression(function, source: expression)
            case .failure(let error): return error.isIncompleteInput ? .incomplete : .invalid(error)
            }
        }
        let expressionResult = compile("return " + input)
        if case .success(let function) = expressionResult {
            return .expression(function, source: input)
        }
        let rewrite = TopLevelLocals(rewriting: input)
        switch compile(rewrite.source) {
        case .success(let function):
            return .statement(function, source: input, declared: rewrite.declared, keptLocal: rewrite.keptLocal)
        case .failure(let error):
            if error.isIncompleteInput { return .incomplete }
            if case .failure(let expressionError) = expressionResult, expressionError.isIncompleteInput,
               !TopLevelLocals.startsWithStatementKeyword(input) {
                return .incomplete
            }
            return .invalid(error)
        }
    }

    /// Whether input compiles as statements on its own (for an expression: whether it
    /// is a function call).
    public func isStatement(_ input: String) -> Bool {
        if case .success = compile(input) { return true }
        return false
    }

    private func compile(_ source: String) -> Result<LuaReference, LuaError> {
        do {
            return .success(try vm.load(source, chunkName: chunkName))
        } catch let error as LuaError {
            return .failure(error)
        } catch {
            return .failure(LuaError(kind: .syntax, message: String(describing: error)))
        }
    }
}

extension TopLevelLocals {
    /// Whether input starts like a statement (so an `<eof>` error of its expression
    /// form says nothing).
    static func startsWithStatementKeyword(_ input: String) -> Bool {
        guard let first = LuaTokenizer.tokens(input).first, first.kind == .keyword else { return false }
        return !["not", "nil", "true", "false", "function"].contains(first.text)
    }
}
