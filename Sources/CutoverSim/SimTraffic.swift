import CutoverCore

/// A simulated function: numbered versions and aliases with weighted routing.
public struct SimFunction: Sendable, Equatable {
    public struct Alias: Sendable, Equatable {
        public var version: String
        public var additionalVersion: String?
        /// Percent of the traffic on `additionalVersion`.
        public var additionalWeight: Int

        public init(version: String, additionalVersion: String? = nil, additionalWeight: Int = 0) {
            self.version = version
            self.additionalVersion = additionalVersion
            self.additionalWeight = additionalWeight
        }
    }

    public var name: String
    public var versions: [String]
    public var aliases: [String: Alias]

    /// The share of an alias's traffic each version gets, in percent.
    public func weights(of alias: String) -> [String: Int] {
        guard let a = aliases[alias] else { return [:] }
        guard let extra = a.additionalVersion, a.additionalWeight > 0 else { return [a.version: 100] }
        return [a.version: 100 - a.additionalWeight, extra: a.additionalWeight]
    }
}

/// A simulated service: the primary task set's task definition, and the replacement's
/// while a deployment runs.
public struct SimService: Sendable, Equatable {
    public var name: String
    public var taskDefinition: String
    public var replacement: String?
    /// Percent of production traffic on the replacement.
    public var replacementWeight = 0
    public var hasTestListener: Bool
    public var testOnReplacement = false
}

extension SimCloud {
    // MARK: - Functions

    /// Adds a function with `versions` published versions (1…n) and an alias on the
    /// newest (or `aliasVersion`).
    public func addFunction(name: String, versions: Int, alias: String?, aliasVersion: String? = nil) throws(CoreError) {
        guard !name.isEmpty else { throw .invalid("a function needs a name") }
        guard versions >= 0 else { throw .invalid("function \(name): versions must be 0 or more, got \(versions)") }
        var function = SimFunction(name: name, versions: (0..<versions).map { String($0 + 1) }, aliases: [:])
        if let alias, versions > 0 {
            let version = aliasVersion ?? String(versions)
            guard function.versions.contains(version) else { throw .invalid("function \(name) has no version \(version)") }
            function.aliases[alias] = .init(version: version, additionalVersion: nil, additionalWeight: 0)
        }
        functions[name] = function
    }

    /// Publishes the next version of a function and returns its number.
    @discardableResult
    public func publishVersion(of name: String) throws(CoreError) -> String {
        guard var function = functions[name] else { throw .invalid("ResourceNotFoundException: no function named \(name)") }
        let version = String(function.versions.count + 1)
        function.versions.append(version)
        functions[name] = function
        return version
    }

    // MARK: - Services

    public func addService(name: String, taskDefinition: String, testListener: Bool) throws(CoreError) {
        guard !name.isEmpty, !taskDefinition.isEmpty else { throw .invalid("a service needs a name and a task definition") }
        services[name] = SimService(name: name, taskDefinition: taskDefinition, hasTestListener: testListener)
    }

    // MARK: - Deployments

    /// The traffic target of a deployment of `revision` to a Lambda or ECS group.
    func trafficTarget(for group: SimGroup, revision: String) throws(CoreError) -> (TrafficTarget, TargetDescription) {
        guard let t = group.group.traffic else { throw .invalid("deployment group \(group.name) has no function or service") }
        switch t.kind {
        case .function:
            guard let function = functions[t.name] else {
                throw .deployment(.invalidLambdaFunction, "ResourceNotFoundException: no function named \(t.name)")
            }
            let aliasName = t.alias ?? ""
            guard let alias = function.aliases[aliasName] else {
                throw .deployment(.invalidLambdaConfiguration, "ResourceNotFoundException: function \(t.name) has no alias \(aliasName)")
            }
            guard function.versions.contains(revision) else {
                throw .deployment(.invalidLambdaFunction,
                                  "ResourceNotFoundException: function \(t.name) has no version \(revision) (versions: \(function.versions.joined(separator: ", ")))")
            }
            return (TrafficTarget(kind: .function, name: t.name, alias: aliasName, currentVersion: alias.version,
                                  targetVersion: revision),
                    TargetDescription(id: "\(t.name):\(aliasName)", revision: alias.version))
        case .service:
            guard let service = services[t.name] else {
                throw .deployment(.invalidECSService, "ServiceNotFoundException: no service named \(t.name)")
            }
            return (TrafficTarget(kind: .service, name: t.name, currentVersion: service.taskDefinition, targetVersion: revision,
                                  hasTestListener: service.hasTestListener, terminationWaitSeconds: t.terminationWaitSeconds),
                    TargetDescription(id: t.name, revision: service.taskDefinition))
        }
    }

    /// Carries out a traffic command at once and answers it.
    func carryOutTraffic(_ command: EngineCommand, for deployment: SimDeployment) {
        guard let traffic = deployment.spec.traffic else { return }
        switch command {
        case .setTraffic(let weight):
            switch traffic.kind {
            case .function:
                functions[traffic.name]?.aliases[traffic.alias ?? ""] = weight >= 100
                    ? .init(version: traffic.targetVersion, additionalVersion: nil, additionalWeight: 0)
                    : .init(version: traffic.currentVersion, additionalVersion: weight > 0 ? traffic.targetVersion : nil,
                            additionalWeight: weight)
            case .service:
                services[traffic.name]?.replacementWeight = weight
            }
            weightHistory[deployment.spec.id, default: []].append((now, weight))
            queue.push(at: now, deployment: deployment, input: .trafficShifted(weight: weight, error: nil))
        case .restoreTraffic:
            var undone: [String] = []
            switch traffic.kind {
            case .function:
                functions[traffic.name]?.aliases[traffic.alias ?? ""] = .init(version: traffic.currentVersion,
                                                                              additionalVersion: nil, additionalWeight: 0)
                undone.append("alias \(traffic.alias ?? "") points at version \(traffic.currentVersion) again")
            case .service:
                if services[traffic.name]?.replacement != nil {
                    undone.append("replacement task set (\(traffic.targetVersion)) removed")
                }
                services[traffic.name]?.replacement = nil
                services[traffic.name]?.replacementWeight = 0
                services[traffic.name]?.testOnReplacement = false
                undone.insert("production and test traffic on \(traffic.currentVersion)", at: 0)
            }
            weightHistory[deployment.spec.id, default: []].append((now, 0))
            queue.push(at: now, deployment: deployment, input: .trafficRestored(message: undone.joined(separator: "; "), error: nil))
        case .terminateOriginal:
            if var service = services[traffic.name], let replacement = service.replacement {
                service.taskDefinition = replacement
                service.replacement = nil
                service.replacementWeight = 0
                service.testOnReplacement = false
                services[traffic.name] = service
            }
            queue.push(at: now, deployment: deployment, input: .originalTerminated(error: nil))
        default:
            break
        }
    }

    /// The reserved ECS events do what they say in the simulated service.
    func applyReservedTrafficEvent(_ event: LifecycleEvent, of deployment: SimDeployment) {
        guard let traffic = deployment.spec.traffic, traffic.kind == .service else { return }
        switch event {
        case .install:
            // A rollback finds the original already primary: nothing to replace.
            if services[traffic.name]?.taskDefinition != traffic.targetVersion {
                services[traffic.name]?.replacement = traffic.targetVersion
            }
        case .allowTestTraffic:
            let hasTestListener = services[traffic.name]?.hasTestListener == true
            services[traffic.name]?.testOnReplacement = hasTestListener
        default:
            break
        }
    }
}
