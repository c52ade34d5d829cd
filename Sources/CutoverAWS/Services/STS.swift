/// STS: who the credentials belong to.
public struct STS: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) { self.client = client }

    /// The account, ARN and user id of the caller.
    public struct CallerIdentity: Sendable, Equatable {
        public let account: String
        public let arn: String
        public let userID: String
    }

    public func getCallerIdentity() throws -> CallerIdentity {
        let operation = AWSOperation(.sts, "GetCallerIdentity")
        let result = try client.query(operation)
        return CallerIdentity(account: result.text("Account") ?? "", arn: result.text("Arn") ?? "",
                              userID: result.text("UserId") ?? "")
    }
}
