import Foundation

/// STS: who the credentials belong to, and temporary credentials for a role.
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

    /// Temporary credentials for a role, and the assumed-role ARN they act as.
    public struct AssumedRole: Sendable, Equatable {
        public let credentials: AWSCredentials
        /// `arn:aws:sts::123456789012:assumed-role/NAME/SESSION`.
        public let assumedRoleARN: String
    }

    /// AssumeRole, signed with the client's credentials.
    ///
    /// Not idempotent by name, but repeating it only mints another session, so it is
    /// marked idempotent for retries.
    public func assumeRole(roleARN: String, sessionName: String, externalID: String? = nil,
                           durationSeconds: Int? = nil) throws -> AssumedRole {
        let operation = AWSOperation(.sts, "AssumeRole", idempotent: true)
        var parameters: [(String, QueryValue)] = [("RoleArn", .string(roleARN)), ("RoleSessionName", .string(sessionName))]
        if let externalID { parameters.append(("ExternalId", .string(externalID))) }
        if let durationSeconds { parameters.append(("DurationSeconds", .string(String(durationSeconds)))) }
        return try assumedRole(client.query(operation, parameters), operation)
    }

    /// AssumeRoleWithWebIdentity: an OIDC token (GitHub Actions, EKS service
    /// accounts) for a role. The call is not signed: the token is the proof.
    public func assumeRoleWithWebIdentity(roleARN: String, sessionName: String, token: String,
                                          durationSeconds: Int? = nil) throws -> AssumedRole {
        let operation = AWSOperation(.sts, "AssumeRoleWithWebIdentity", idempotent: true)
        var parameters: [(String, QueryValue)] = [("RoleArn", .string(roleARN)), ("RoleSessionName", .string(sessionName)),
                                                  ("WebIdentityToken", .string(token))]
        if let durationSeconds { parameters.append(("DurationSeconds", .string(String(durationSeconds)))) }
        return try assumedRole(client.unsigned().query(operation, parameters), operation)
    }

    private func assumedRole(_ result: XMLTree, _ operation: AWSOperation) throws -> AssumedRole {
        guard let key = result.text("Credentials", "AccessKeyId"), let secret = result.text("Credentials", "SecretAccessKey") else {
            throw AWSError(kind: .malformedResponse, service: "STS", operation: operation.name,
                           message: "the answer has no Credentials with AccessKeyId and SecretAccessKey")
        }
        let expiration = result.text("Credentials", "Expiration").flatMap(WireTimestamp.parse)
        return AssumedRole(credentials: AWSCredentials(accessKeyID: key, secretAccessKey: secret,
                                                       sessionToken: result.text("Credentials", "SessionToken"), expiration: expiration),
                           assumedRoleARN: result.text("AssumedRoleUser", "Arn") ?? "")
    }
}
