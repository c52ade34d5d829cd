import Foundation

/// A profile's `credential_process`: a command run with `/bin/sh -c` that prints
/// AWS's JSON (Version 1) on its standard output:
///
/// ```json
/// {"Version": 1, "AccessKeyId": "…", "SecretAccessKey": "…",
///  "SessionToken": "…", "Expiration": "2026-11-28T23:03:06Z"}
/// ```
///
/// Without `Expiration` the credentials are kept for good; with it, the command is run
/// again before they expire. A command that fails is an error with the tail of its
/// standard error (never its standard output, which may hold a secret).
public struct ProcessCredentialsProvider: CredentialsProvider {
    public let command: String
    public let profile: String
    public let setting: SettingSource

    public var source: CredentialSource { .process(profile: profile, setting: setting) }

    public func fetch(now: Date) throws(AWSConfigurationError) -> AWSCredentials {
        let place = "credential_process of profile \(profile) (\(setting))"
        let output: (status: Int32, stdout: Data, stderr: Data)
        switch Result(catching: { try Self.run(command) }) {
        case .success(let result): output = result
        case .failure(let error): throw .credentialsFailed(source: place, reason: "it could not be started: \(error)")
        }
        guard output.status == 0 else {
            let tail = Self.tail(String(decoding: output.stderr, as: UTF8.self))
            throw .credentialsFailed(source: place, reason: "it exited with status \(output.status)"
                                     + (tail.isEmpty ? " and printed nothing on its standard error" : "; its standard error ends:\n\(tail)"))
        }
        return try Self.parse(output.stdout, place: place)
    }

    /// Reads Version 1 output; `place` names the source in errors. The values are never
    /// quoted in a message.
    static func parse(_ data: Data, place: String) throws(AWSConfigurationError) -> AWSCredentials {
        guard let json = try? JSON(parsing: Array(data)), json.object != nil else {
            throw .credentialsFailed(source: place, reason: "its output is not a JSON object")
        }
        guard json["Version"]?.int == 1 else {
            throw .credentialsFailed(source: place, reason: "its output has no \"Version\": 1 (the only version there is)")
        }
        guard let key = json["AccessKeyId"]?.string, !key.isEmpty else {
            throw .credentialsFailed(source: place, reason: "its output has no AccessKeyId")
        }
        guard let secret = json["SecretAccessKey"]?.string, !secret.isEmpty else {
            throw .credentialsFailed(source: place, reason: "its output has no SecretAccessKey")
        }
        var expiration: Date?
        if let text = json["Expiration"]?.string {
            guard let date = WireTimestamp.parse(text) else {
                throw .credentialsFailed(source: place, reason: "its Expiration '\(text)' is not an ISO 8601 time")
            }
            expiration = date
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: json["SessionToken"]?.string,
                              expiration: expiration)
    }

    /// The last lines of `text`, at most 5 lines and 600 characters.
    static func tail(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).suffix(5).map { "  " + $0 }.joined(separator: "\n")
        return lines.count > 600 ? "  …" + lines.suffix(600) : lines
    }

    /// Runs `command` with /bin/sh -c; standard error is read on its own thread so that
    /// neither pipe can fill up and stall the command.
    static func run(_ command: String) throws -> (status: Int32, stdout: Data, stderr: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errors = ErrorsReader(stderr.fileHandleForReading)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errorOutput = errors.wait()
        process.waitUntilExit()
        return (process.terminationStatus, output, errorOutput)
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class ErrorsReader: @unchecked Sendable {
    // @unchecked: `data` is written once by the thread before `done` is signalled and
    // read only after waiting for it.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
        thread.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
