import Foundation

/// The Auto Scaling part of the control API:
///
///     GET    /v1/auto-scaling-groups                         → [AutoScalingGroup]
///     POST   /v1/auto-scaling-groups                         CreateAutoScalingGroup → 201 AutoScalingGroup
///     GET    /v1/auto-scaling-groups/NAME                    → AutoScalingGroup
///     DELETE /v1/auto-scaling-groups/NAME                    → DeletedAutoScalingGroup (after its hosts are gone)
///     PUT    /v1/auto-scaling-groups/NAME/capacity           SetCapacity → AutoScalingGroup
///     PUT    /v1/auto-scaling-groups/NAME/launch-hook        LaunchHook → AutoScalingGroup
///     DELETE /v1/auto-scaling-groups/NAME/launch-hook        → AutoScalingGroup
///     POST   /v1/auto-scaling-groups/NAME/copy               CopyAutoScalingGroup → 201 AutoScalingGroup (the copy)
///     POST   /v1/auto-scaling-groups/NAME/detach-instances   DetachInstances → AutoScalingGroup
///
/// Failures carry Auto Scaling's code: `ValidationError` (400; 404 for an unknown group).
extension LocalAutoScaling {
    /// Answers /v1/auto-scaling-groups…; nil when the path is not this component's.
    func route(_ request: ControlRequest) throws -> ControlResponse? {
        let path = request.path.map { $0.removingPercentEncoding ?? $0 }
        guard path.count >= 2, path[0] == "v1", path[1] == "auto-scaling-groups" else { return nil }
        do {
            return try answer(request, path)
        } catch {
            guard let problem = error as? AutoScalingError else { throw error }
            return .problem(problem.description, code: problem.code, status: problem.status)
        }
    }

    private func answer(_ request: ControlRequest, _ path: [String]) throws -> ControlResponse {
        let name = path.count > 2 ? path[2] : ""
        let route = path.enumerated().map { $0.offset == 2 ? "*" : $0.element }
        switch (request.method, route) {
        case (.GET, ["v1", "auto-scaling-groups"]):
            return .json(list())
        case (.POST, ["v1", "auto-scaling-groups"]):
            return .json(try create(try decode(request)), status: .created)
        case (.GET, ["v1", "auto-scaling-groups", "*"]):
            return .json(try describe(name))
        case (.DELETE, ["v1", "auto-scaling-groups", "*"]):
            return .json(try delete(name))
        case (.PUT, ["v1", "auto-scaling-groups", "*", "capacity"]):
            return .json(try setCapacity(name, try decode(request)))
        case (.PUT, ["v1", "auto-scaling-groups", "*", "launch-hook"]):
            return .json(try setLaunchHook(name, try decode(request) as Control.LaunchHook))
        case (.DELETE, ["v1", "auto-scaling-groups", "*", "launch-hook"]):
            return .json(try setLaunchHook(name, nil))
        case (.POST, ["v1", "auto-scaling-groups", "*", "copy"]):
            let copy: Control.CopyAutoScalingGroup = try decode(request)
            return .json(try self.copy(name, to: copy.name), status: .created)
        case (.POST, ["v1", "auto-scaling-groups", "*", "detach-instances"]):
            return .json(try detach(name, try decode(request)))
        default:
            return .problem("no such endpoint: \(request.method) /\(path.joined(separator: "/"))", status: .notFound)
        }
    }

    /// The request's JSON body, or a ValidationError naming what is wrong with it.
    private func decode<T: Decodable>(_ request: ControlRequest) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: request.body)
        } catch {
            let what = "bad body for \(request.method) /\(request.path.joined(separator: "/"))"
            guard let decoding = error as? DecodingError else { throw AutoScalingError.invalid("\(what): \(error)") }
            func at(_ context: DecodingError.Context) -> String {
                context.codingPath.isEmpty ? "" : " at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
            }
            switch decoding {
            case .keyNotFound(let key, let context):
                throw AutoScalingError.invalid("\(what): \"\(key.stringValue)\" is missing\(at(context))")
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                throw AutoScalingError.invalid("\(what)\(at(context)): \(context.debugDescription)")
            @unknown default:
                throw AutoScalingError.invalid("\(what): \(error)")
            }
        }
    }
}
