import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Why a body could not be read as XML.
public struct XMLTreeError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { "malformed XML: \(message)" }
}

extension XMLTree {
    /// Parses a whole document into its root element.
    ///
    /// Foundation's XMLParser on Linux can return true for malformed input, so its
    /// `parserError` is checked too, and a document without a root element is an error.
    public static func parse(_ bytes: [UInt8]) throws(XMLTreeError) -> XMLTree {
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let builder = TreeBuilder()
        parser.delegate = builder
        let ok = parser.parse()
        if !ok || parser.parserError != nil || builder.failure != nil {
            let reason = builder.failure ?? parser.parserError.map { "\($0.localizedDescription) (line \(parser.lineNumber), column \(parser.columnNumber))" }
            throw XMLTreeError(message: reason ?? "the parser stopped at line \(parser.lineNumber)")
        }
        guard let root = builder.root else { throw XMLTreeError(message: "no root element") }
        return root
    }
}

/// Builds the tree from XMLParser's callbacks: a stack of open elements.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLTree] = []
    var root: XMLTree?
    var failure: String?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        stack.append(XMLTree(name: local, attributes: attributes))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard let element = stack.popLast() else {
            failure = "unbalanced end tag </\(elementName)>"
            return
        }
        if stack.isEmpty {
            if root != nil { failure = "more than one root element" }
            root = element
        } else {
            stack[stack.count - 1].children.append(element)
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        failure = failure ?? "\(parseError.localizedDescription) (line \(parser.lineNumber), column \(parser.columnNumber))"
    }

    func parserDidEndDocument(_ parser: XMLParser) {
        if !stack.isEmpty && failure == nil { failure = "unclosed element <\(stack.last!.name)>" }
    }
}
