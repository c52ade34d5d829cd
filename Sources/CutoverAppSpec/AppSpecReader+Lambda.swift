import CutoverCore
import Yams

/// The Lambda form (reference §4).
extension AppSpecReader {
    mutating func readLambda(_ root: MappingFields) -> LambdaAppSpec? {
        checkVersion(in: root, platform: .lambda)
        let resource = readSingleResource(root, platform: .lambda, exampleName: "myFunction")
        let hooks = readFunctionHooks(root, platform: .lambda)
        reportMisspellings(in: root, of: "the appspec")
        guard let resource else { return nil }
        let properties = resource.properties

        let name = requiredText(properties, key: "Name", hint: "the function's name")
        let alias = requiredText(properties, key: "Alias", hint: "the alias whose traffic moves")
        let current = version(properties, key: "CurrentVersion", hint: "the version the alias points to now")
        let target = version(properties, key: "TargetVersion", hint: "the version to move the alias to")
        reportMisspellings(in: properties, of: "`Properties`")

        guard let name, let alias, let current, let target else { return nil }
        return LambdaAppSpec(
            resourceName: resource.name, name: name, alias: alias, currentVersion: current, targetVersion: target,
            hooks: hooks)
    }

    private mutating func requiredText(_ properties: MappingFields, key: String, hint: String) -> String? {
        guard let node = properties[key] else {
            reportMissing(
                key, in: properties, message: "the Lambda function has no `\(key)`", hint: "add `\(key):` with \(hint)")
            return nil
        }
        guard let text = string(node, named: "`\(key)`", hint: "give \(hint)") else { return nil }
        guard !text.isEmpty else {
            report("`\(key)` is empty", at: node, hint: "give \(hint)")
            return nil
        }
        return text
    }

    /// A published version: a positive whole number, usually written as a string.
    private mutating func version(_ properties: MappingFields, key: String, hint: String) -> Int? {
        guard let node = properties[key] else {
            reportMissing(
                key, in: properties, message: "the Lambda function has no `\(key)`",
                hint: "add `\(key):` with \(hint), such as \"3\"")
            return nil
        }
        let versionHint = "give \(hint): a published version number such as \"3\" ($LATEST cannot be used)"
        guard let value = integer(node, named: "`\(key)`", hint: versionHint) else { return nil }
        guard value > 0 else {
            report("`\(key)` must be a positive version number, not \(value)", at: node, hint: versionHint)
            return nil
        }
        return value
    }
}
