import Foundation

/// A server revision on its way to the instances: a directory on this machine packed
/// as a tar.gz and stored once in S3 under `key`.
public struct RevisionBundle: Sendable, Equatable {
    public var bucket: String
    public var key: String

    public init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    /// Where a deployment's bundle goes: `cutover/<group id>/<deployment id>/bundle.tar.gz`.
    public static func key(groupID: String, deploymentID: String) -> String {
        "cutover/\(groupID)/\(deploymentID)/bundle.tar.gz"
    }

    /// Packs `directory` (its contents at the archive's root, as the agent expects the
    /// appspec) and stores it; returns the ETag.
    @discardableResult
    public func upload(directory: String, with s3: S3) throws -> String? {
        let archive = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-bundle-\(UUID().uuidString).tar.gz").path
        defer { try? FileManager.default.removeItem(atPath: archive) }
        try Self.pack(directory, into: archive)
        return try s3.uploadFile(archive, bucket: bucket, key: key)
    }

    /// `tar -czf archive -C directory .`
    public static func pack(_ directory: String, into archive: String) throws {
        try Self.tar(["-czf", archive, "-C", directory, "."])
    }

    /// Unpacks a .tar.gz/.tgz, .tar or .zip revision into `directory` (which exists).
    public static func unpack(_ archive: String, into directory: String) throws {
        let lower = archive.lowercased()
        if lower.hasSuffix(".zip") {
            try run("/usr/bin/env", ["unzip", "-qo", archive, "-d", directory], what: "unzip")
        } else if lower.hasSuffix(".tar") {
            try tar(["-xf", archive, "-C", directory])
        } else {
            try tar(["-xzf", archive, "-C", directory])
        }
    }

    static func tar(_ arguments: [String]) throws {
        try run("/usr/bin/env", ["tar"] + arguments, what: "tar")
    }

    static func run(_ executable: String, _ arguments: [String], what: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw AWSProviderError("\(what) \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus)): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}

/// What a server deployment group's instances last got, kept in S3 as one JSON object
/// per group (`cutover/<group id>/revisions.json`): `{"last_successful": …,
/// "instances": {"i-…": revision}}`. Why S3: see `AWSServerExecutor`.
public final class RevisionRecord: @unchecked Sendable {
    public let bucket: String
    public let key: String
    public var lastSuccessful: String?
    public var instances: [String: String]
    /// Auto Scaling groups a blue/green deployment replaced by its copy: the group's
    /// targets name the original (`asg = { "web" }`), and from then on mean the copy, as
    /// CodeDeploy updates a deployment group's Auto Scaling groups after a blue/green
    /// success. Kept here so the next run, in another process, finds the copy.
    public var replacedGroups: [String: String] = [:]

    public init(bucket: String, groupID: String, lastSuccessful: String? = nil, instances: [String: String] = [:]) {
        self.bucket = bucket
        key = "cutover/\(groupID)/revisions.json"
        self.lastSuccessful = lastSuccessful
        self.instances = instances
    }

    /// The stored record, or an empty one when there is none yet (`NoSuchKey`).
    public static func load(bucket: String, groupID: String, from s3: S3) throws -> RevisionRecord {
        let record = RevisionRecord(bucket: bucket, groupID: groupID)
        switch Result(catching: { try s3.getObject(bucket: bucket, key: record.key) }) {
        case .success(let bytes):
            let json = try? JSON(parsing: bytes)
            record.lastSuccessful = json?["last_successful"]?.string
            for (id, value) in json?["instances"]?.object ?? [:] {
                if let revision = value.string { record.instances[id] = revision }
            }
            for (original, value) in json?["replaced_groups"]?.object ?? [:] {
                if let copy = value.string { record.replacedGroups[original] = copy }
            }
        case .failure(let error as AWSError) where error.code == "NoSuchKey" || (error.code == nil && error.status == 404):
            break
        case .failure(let error):
            throw error
        }
        return record
    }

    /// The Auto Scaling group that stands for `name` now: the copy that replaced it, the
    /// copy's copy, and so on.
    public func currentGroup(_ name: String) -> String {
        var name = name
        var seen: Set<String> = [name]
        while let next = replacedGroups[name], seen.insert(next).inserted { name = next }
        return name
    }

    /// Records that `copy` replaced `original` (and whatever `original` stood for).
    public func replace(_ original: String, with copy: String) {
        for (from, to) in replacedGroups where to == original { replacedGroups[from] = copy }
        replacedGroups[original] = copy
    }

    public func save(to s3: S3) throws {
        var json: [String: JSON] = ["instances": .object(instances.mapValues(JSON.string))]
        if let lastSuccessful { json["last_successful"] = .string(lastSuccessful) }
        if !replacedGroups.isEmpty { json["replaced_groups"] = .object(replacedGroups.mapValues(JSON.string)) }
        try s3.putObject(bucket: bucket, key: key, body: JSON.object(json).encoded(), contentType: "application/json")
    }
}

/// A provider-side failure that is not an AWS answer (packing a bundle).
public struct AWSProviderError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
