/// Following an operation's pages.
extension AWSClient {
    /// Calls `page` with no token, then with each token it returns (EC2's and Auto
    /// Scaling's NextToken, ELBv2's NextMarker), until it returns nil or an empty token.
    ///
    /// A token that comes back a second time would loop forever: it is reported as an
    /// unreadable answer instead (emulators have had such bugs; AWS does not).
    func paginate(_ operation: AWSOperation, _ page: (_ token: String?) throws -> String?) throws {
        var token: String?
        var seen: Set<String> = []
        while true {
            guard let next = try page(token), !next.isEmpty else { return }
            guard seen.insert(next).inserted else {
                throw AWSError(kind: .malformedResponse, service: operation.service.name, operation: operation.name,
                               message: "the page token \(next.prefix(40)) came back twice")
            }
            token = next
        }
    }
}
