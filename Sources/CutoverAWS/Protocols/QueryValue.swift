/// A parameter of a query-protocol request (EC2, Auto Scaling, ELBv2, STS…), before it
/// is flattened into form fields.
///
/// Structures keep their members in the order written. Lists flatten as the protocol
/// says: `Name.member.1…` for the query protocol, `Name.1…` for EC2 (whose operations
/// already use the singular names, `Filter`, `InstanceId`, `TagSpecification`).
///
/// ```swift
/// let filters: QueryValue = [["Name": "tag:env", "Value": ["prod"]]]
/// // EC2:   Filter.1.Name=tag:env&Filter.1.Value.1=prod
/// // query: Filters.member.1.Name=…&Filters.member.1.Values.member.1=…
/// ```
public indirect enum QueryValue: Sendable, Equatable {
    case string(String)
    case list([QueryValue])
    case structure([(String, QueryValue)])
    /// A map, flattened as `Name.entry.N.key` / `.value` (the query protocol's default).
    case map([(String, QueryValue)])

    public static func == (a: QueryValue, b: QueryValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y
        case (.list(let x), .list(let y)): return x == y
        case (.structure(let x), .structure(let y)), (.map(let x), .map(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// An integer parameter.
    public static func int(_ value: Int) -> QueryValue { .string(String(value)) }
    /// A boolean parameter, spelled `true`/`false`.
    public static func bool(_ value: Bool) -> QueryValue { .string(value ? "true" : "false") }

    /// The form fields of a request's parameters, in order, for the query protocol
    /// (`ec2: false`) or EC2's.
    public static func flatten(_ parameters: [(String, QueryValue)], ec2: Bool) -> [QueryItem] {
        var out: [QueryItem] = []
        for (name, value) in parameters { value.flatten(prefix: name, ec2: ec2, into: &out) }
        return out
    }

    private func flatten(prefix: String, ec2: Bool, into out: inout [QueryItem]) {
        switch self {
        case .string(let s):
            out.append(QueryItem(prefix, s))
        case .list(let elements):
            if elements.isEmpty {
                // An empty list is sent as the bare name (query protocol); EC2 omits it.
                if !ec2 { out.append(QueryItem(prefix, "")) }
                return
            }
            for (i, element) in elements.enumerated() {
                element.flatten(prefix: ec2 ? "\(prefix).\(i + 1)" : "\(prefix).member.\(i + 1)", ec2: ec2, into: &out)
            }
        case .structure(let members):
            for (name, value) in members { value.flatten(prefix: "\(prefix).\(name)", ec2: ec2, into: &out) }
        case .map(let entries):
            for (i, (key, value)) in entries.enumerated() {
                out.append(QueryItem("\(prefix).entry.\(i + 1).key", key))
                value.flatten(prefix: "\(prefix).entry.\(i + 1).value", ec2: ec2, into: &out)
            }
        }
    }
}

extension QueryValue: ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: QueryValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, QueryValue)...) { self = .structure(elements) }
}
