import ArgumentParser
import CutoverAWS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `cutover aws …`: the AWS provider's own commands.
struct Aws: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws",
        abstract: "Talk to AWS, or to an emulator named by AWS_ENDPOINT_URL.",
        subcommands: [Whoami.self]
    )
}

extension Aws {
    /// `cutover aws whoami`: the identity, region and endpoint a deployment would use.
    struct Whoami: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the AWS account, identity, region and endpoint Cutover uses (STS GetCallerIdentity).",
            discussion: """
                Credentials are found as the AWS CLI finds them: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY \
                (and AWS_SESSION_TOKEN); the profile's (--profile, AWS_PROFILE, default) role_arn, assumed \
                with its source_profile or credential_source; a web identity token \
                (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN); the profile's IAM Identity Center role \
                (after `aws sso login`); its keys in the shared credentials and config files; its \
                credential_process; the container credentials endpoint \
                (ECS, CodeBuild, EKS Pod Identity); EC2 instance metadata (unless \
                AWS_EC2_METADATA_DISABLED=true). Temporary credentials are refreshed before they expire. \
                The region comes from --region, AWS_REGION, AWS_DEFAULT_REGION or the profile; the \
                endpoint from AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL or the profile's endpoint_url. \
                Exit status: 0 success, 1 a configuration or AWS error, 3 the endpoint could not be reached.
                """
        )

        @Option(help: ArgumentHelp("A profile of the shared config and credentials files.", valueName: "name"))
        var profile: String?

        @Option(help: ArgumentHelp("The region, overriding AWS_REGION and the profile.", valueName: "region"))
        var region: String?

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let configuration = try awsProblem(nil) {
                try AWSConfiguration.resolve(environment: ProcessInfo.processInfo.environment, profile: profile, region: region)
            }
            let endpoint = try awsProblem(configuration) { try configuration.endpoint(for: .sts) }
            // A few quick attempts: someone is waiting at a terminal.
            let client = AWSClient(configuration: configuration, retryPolicy: RetryPolicy(maxAttempts: configuration.maxAttempts ?? 3), timeout: .seconds(30))
            let identity = try awsProblem(configuration) { try STS(client).getCallerIdentity() }
            // The credentials the call was signed with (refreshed ones, if they had to be).
            let credentials = (try? client.currentCredentials()) ?? configuration.credentials
            let maskedKey = Self.masked(credentials.accessKeyID)
            let expiration = credentials.expiration.map(AWSCredentials.timestamp)
            if json {
                let value: JSON = [
                    "account": .string(identity.account), "arn": .string(identity.arn), "user_id": .string(identity.userID),
                    "region": .string(configuration.region), "region_source": .string(configuration.regionSource.description),
                    "endpoint": .string(endpoint.url), "endpoint_source": endpoint.source.map { .string($0.description) } ?? .null,
                    "profile": .string(configuration.profile), "access_key": .string(maskedKey),
                    "credentials_source": .string(configuration.credentialSource.description),
                    "credentials_expiration": expiration.map(JSON.string) ?? .null,
                ]
                print(value)
                return
            }
            print("account      \(identity.account)")
            print("arn          \(identity.arn)")
            print("user id      \(identity.userID)")
            print("region       \(configuration.region) (from \(configuration.regionSource))")
            print("endpoint     \(endpoint.url) (\(endpoint.source.map { "from \($0)" } ?? "AWS's endpoint for the region"))")
            print("credentials  access key \(maskedKey) (\(configuration.credentialSource.phrase))")
            if let expiration, let date = credentials.expiration {
                print("expires      \(expiration) (\(Self.remaining(date.timeIntervalSinceNow)); refreshed before then)")
            }
        }

        /// All but the last 4 characters as `*`.
        static func masked(_ keyID: String) -> String {
            String(repeating: "*", count: max(0, keyID.count - 4)) + keyID.suffix(4)
        }

        /// `in 59 minutes`, `in 11 hours 58 minutes`, `expired`.
        static func remaining(_ seconds: TimeInterval) -> String {
            guard seconds > 0 else { return "expired" }
            let minutes = Int(seconds / 60)
            if minutes < 60 { return "in \(minutes) minute\(minutes == 1 ? "" : "s")" }
            return "in \(minutes / 60) hour\(minutes / 60 == 1 ? "" : "s") \(minutes % 60) minute\(minutes % 60 == 1 ? "" : "s")"
        }
    }
}

/// AWS failures as the command line shows them: the message and, when it helps, what
/// to check; exit 3 when the endpoint could not be reached, 1 otherwise.
func awsProblem<T>(_ configuration: AWSConfiguration?, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as AWSConfigurationError {
        FileHandle.standardError.write(Data("cutover: \(error)\n".utf8))
        throw ExitCode(1)
    } catch let error as AWSError {
        var message = "cutover: \(error)\n"
        var status: Int32 = 1
        if error.isAccessDenied, let configuration {
            message += "hint: the credentials (\(configuration.credentials.accessKeyID) \(configuration.credentialSource.phrase)) were refused: "
                + "check the key and secret, or whether the session token has expired\n"
        } else if error.kind == .unreachable, let configuration {
            let endpoint = try? configuration.endpoint(for: .sts)
            if error.transport?.kind == .nameResolution, endpoint?.isCustom == false, resolves("sts.amazonaws.com") {
                // AWS's global name resolves and the regional one does not: no such region.
                message += "hint: is the region '\(configuration.region)' (from \(configuration.regionSource)) right?\n"
            } else if error.transport?.kind == .nameResolution, endpoint?.isCustom == false {
                status = 3
                message += "hint: no AWS host name resolves here: is there a network connection (or a proxy to set in HTTPS_PROXY)?\n"
            } else {
                status = 3
                if let endpoint, let source = endpoint.source {
                    message += "hint: is something listening at \(endpoint.url) (from \(source))?\n"
                }
            }
        }
        FileHandle.standardError.write(Data(message.utf8))
        throw ExitCode(status)
    }
}

/// Whether `host` resolves (to tell a wrong region from no network at all).
private func resolves(_ host: String) -> Bool {
    var result: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, nil, nil, &result)
    if status == 0 { freeaddrinfo(result) }
    return status == 0
}
