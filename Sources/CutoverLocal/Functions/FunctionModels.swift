/// The control API's bodies for functions (`/v1/functions…`). JSON field names are
/// snake_case; weights are percentages (0–100, fractions allowed).
extension Control {
    /// `POST /v1/functions`: creates a function, or replaces the code of its `$LATEST`.
    ///
    /// The code rule: without `code`, `handler` is the absolute path of one file and only
    /// that file is copied. With `code` (an absolute directory), the whole directory is
    /// copied and `handler` names a file inside it, relative to it ("bin/handler.py") or
    /// absolute. A handler whose name ends in `.lua` runs in Cutover's Lua; any other
    /// must be executable (a script with a `#!` line, a binary).
    public struct CreateFunction: Codable, Sendable, Equatable {
        public var name: String
        public var handler: String
        public var code: String?
        /// Default 3000 on creation; on an update, nil keeps the current value.
        public var timeoutMilliseconds: Int?
        /// Variables the handler gets; on an update, nil keeps the current ones.
        public var environment: [String: String]?

        public init(name: String, handler: String, code: String? = nil, timeoutMilliseconds: Int? = nil,
                    environment: [String: String]? = nil) {
            self.name = name
            self.handler = handler
            self.code = code
            self.timeoutMilliseconds = timeoutMilliseconds
            self.environment = environment
        }

        enum CodingKeys: String, CodingKey {
            case name, handler, code, environment
            case timeoutMilliseconds = "timeout_ms"
        }
    }

    /// A function as `GET /v1/functions/NAME` describes it (its `$LATEST`, its published
    /// versions oldest first, its aliases by name). Environment values are not shown.
    public struct Function: Codable, Sendable, Equatable {
        public var name: String
        /// The handler's path inside the code ("handler.sh", "bin/handler.py").
        public var handler: String
        /// "executable" or "lua".
        public var runtime: String
        public var codeSha256: String
        public var timeoutMilliseconds: Int
        public var environmentKeys: [String]
        public var lastModified: String
        public var versions: [FunctionVersion]
        public var aliases: [FunctionAlias]

        public init(name: String, handler: String, runtime: String, codeSha256: String, timeoutMilliseconds: Int,
                    environmentKeys: [String], lastModified: String, versions: [FunctionVersion], aliases: [FunctionAlias]) {
            self.name = name
            self.handler = handler
            self.runtime = runtime
            self.codeSha256 = codeSha256
            self.timeoutMilliseconds = timeoutMilliseconds
            self.environmentKeys = environmentKeys
            self.lastModified = lastModified
            self.versions = versions
            self.aliases = aliases
        }

        enum CodingKeys: String, CodingKey {
            case name, handler, runtime, versions, aliases
            case codeSha256 = "code_sha256"
            case timeoutMilliseconds = "timeout_ms"
            case environmentKeys = "environment_keys"
            case lastModified = "last_modified"
        }
    }

    /// A published version ("1", "2", …), also what `POST …/versions` answers.
    public struct FunctionVersion: Codable, Sendable, Equatable {
        public var version: String
        /// ISO 8601, UTC.
        public var createdAt: String
        /// SHA-256 (hex) of the version's code tree (see `CodeTree.sha256`).
        public var codeSha256: String

        public init(version: String, createdAt: String, codeSha256: String) {
            self.version = version
            self.createdAt = createdAt
            self.codeSha256 = codeSha256
        }

        enum CodingKeys: String, CodingKey {
            case version
            case createdAt = "created_at"
            case codeSha256 = "code_sha256"
        }
    }

    /// An alias: a name for a version, optionally sending `additionalWeight` percent of
    /// its invocations to `additionalVersion` (Lambda's routing configuration).
    public struct FunctionAlias: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        public var additionalVersion: String?
        public var additionalWeight: Double?

        public init(name: String, version: String, additionalVersion: String? = nil, additionalWeight: Double? = nil) {
            self.name = name
            self.version = version
            self.additionalVersion = additionalVersion
            self.additionalWeight = additionalWeight
        }

        enum CodingKeys: String, CodingKey {
            case name, version
            case additionalVersion = "additional_version"
            case additionalWeight = "additional_weight"
        }
    }

    /// `PUT /v1/functions/NAME/aliases/ALIAS`: creates or replaces the alias.
    public struct PutFunctionAlias: Codable, Sendable, Equatable {
        public var version: String
        public var additionalVersion: String?
        /// Percent (0–100) of invocations for `additionalVersion`; required with it.
        public var additionalWeight: Double?

        public init(version: String, additionalVersion: String? = nil, additionalWeight: Double? = nil) {
            self.version = version
            self.additionalVersion = additionalVersion
            self.additionalWeight = additionalWeight
        }

        enum CodingKeys: String, CodingKey {
            case version
            case additionalVersion = "additional_version"
            case additionalWeight = "additional_weight"
        }
    }

    /// What `POST /v1/functions/NAME[:QUALIFIER]/invoke` answers (HTTP 200 even when the
    /// function failed: `error` says how, as Lambda's FunctionError does).
    public struct FunctionInvocation: Codable, Sendable, Equatable {
        /// The version that ran: "$LATEST" or "N" (through an alias, the one it picked).
        public var version: String
        /// The handler's JSON answer; null when it failed.
        public var result: JSONValue
        public var error: FunctionError?
        public var durationMilliseconds: Double
        /// The tail of the handler's stderr (at most 4 KB).
        public var log: String

        public init(version: String, result: JSONValue, error: FunctionError?, durationMilliseconds: Double, log: String) {
            self.version = version
            self.result = result
            self.error = error
            self.durationMilliseconds = durationMilliseconds
            self.log = log
        }

        enum CodingKeys: String, CodingKey {
            case version, result, error, log
            case durationMilliseconds = "duration_ms"
        }
    }

    /// How an invocation failed. `type` is one of `Runtime.ExitError` (non-zero exit),
    /// `Runtime.InvalidResponse` (stdout not JSON), `Runtime.LuaError` (a Lua handler
    /// raised), `Runtime.StartError` (could not start), `Function.ResponseSizeTooLarge`
    /// (over 6 MB of output), `Sandbox.Timedout`.
    public struct FunctionError: Codable, Sendable, Equatable {
        public var type: String
        public var message: String

        public init(type: String, message: String) {
            self.type = type
            self.message = message
        }
    }

    /// `GET /v1/functions/NAME/metrics`: one per version ($LATEST first), counted since
    /// the daemon started.
    public struct FunctionVersionMetrics: Codable, Sendable, Equatable {
        public var version: String
        public var invocations: UInt64
        public var errors: UInt64
        public var durationMilliseconds: DurationPercentiles

        public init(version: String, invocations: UInt64, errors: UInt64, durationMilliseconds: DurationPercentiles) {
            self.version = version
            self.invocations = invocations
            self.errors = errors
            self.durationMilliseconds = durationMilliseconds
        }

        enum CodingKeys: String, CodingKey {
            case version, invocations, errors
            case durationMilliseconds = "duration_ms"
        }
    }

    /// Milliseconds; null before the first invocation.
    public struct DurationPercentiles: Codable, Sendable, Equatable {
        public var p50: Double?
        public var p90: Double?
        public var p99: Double?
        public var max: Double?

        public init(p50: Double?, p90: Double?, p99: Double?, max: Double?) {
            self.p50 = p50
            self.p90 = p90
            self.p99 = p99
            self.max = max
        }
    }

    /// Any JSON value: an invocation's event and result.
    public enum JSONValue: Codable, Sendable, Equatable {
        case null
        case bool(Bool)
        case integer(Int64)
        case number(Double)
        case string(String)
        case array([JSONValue])
        case object([String: JSONValue])

        public init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let b = try? container.decode(Bool.self) {
                self = .bool(b)
            } else if let i = try? container.decode(Int64.self) {
                self = .integer(i)
            } else if let d = try? container.decode(Double.self) {
                self = .number(d)
            } else if let s = try? container.decode(String.self) {
                self = .string(s)
            } else if let a = try? container.decode([JSONValue].self) {
                self = .array(a)
            } else {
                self = .object(try container.decode([String: JSONValue].self))
            }
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .null: try container.encodeNil()
            case .bool(let b): try container.encode(b)
            case .integer(let i): try container.encode(i)
            case .number(let d): try container.encode(d)
            case .string(let s): try container.encode(s)
            case .array(let a): try container.encode(a)
            case .object(let o): try container.encode(o)
            }
        }

        /// The field of an object (nil for anything else or a missing key).
        public subscript(key: String) -> JSONValue? {
            if case .object(let o) = self { return o[key] }
            return nil
        }
    }
}
