/// An XML element and everything inside it: what query, EC2 and REST-XML responses
/// are read as.
///
/// Names are local names (a namespace prefix is dropped); `text` is the element's own
/// character data, entities resolved, with no trimming.
public struct XMLTree: Sendable, Equatable {
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLTree]
    public var text: String

    public init(name: String, attributes: [String: String] = [:], children: [XMLTree] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first child named `name`.
    public func child(_ name: String) -> XMLTree? {
        children.first { $0.name == name }
    }

    /// The children named `name`.
    public func children(_ name: String) -> [XMLTree] {
        children.filter { $0.name == name }
    }

    /// The descendant at `path` (`tree.child("a")?.child("b")`, written `tree.at("a", "b")`).
    public func at(_ path: String...) -> XMLTree? {
        path.reduce(Optional(self)) { $0?.child($1) }
    }

    /// The text of the descendant at `path`, or nil when it is absent.
    public func text(_ path: String...) -> String? {
        path.reduce(Optional(self)) { $0?.child($1) }?.text
    }

    /// The entries of the list `name`: the `<member>` (query) or `<item>` (EC2)
    /// elements inside the child `name`; empty when it is absent.
    public func list(_ name: String) -> [XMLTree] {
        child(name)?.children.filter { $0.name == "member" || $0.name == "item" } ?? []
    }

    /// The first element named `name` here or below, depth first.
    public func first(named name: String) -> XMLTree? {
        if self.name == name { return self }
        for child in children {
            if let found = child.first(named: name) { return found }
        }
        return nil
    }
}
