import Foundation

/// The services' part of the control API:
///
///     GET    /v1/task-definitions                          → [TaskDefinition]
///     POST   /v1/task-definitions                          RegisterTaskDefinition → 201 TaskDefinition
///     GET    /v1/task-definitions/FAMILY[:REV]             (or …/arn:cutover:ecs:local:task-definition/FAMILY:REV)
///     GET    /v1/services                                  → [Service]
///     POST   /v1/services                                  CreateService → 201 Service
///     GET    /v1/services/NAME                             → Service
///     DELETE /v1/services/NAME                             → DeletedService
///     POST   /v1/services/NAME/task-sets                   CreateTaskSet → 201 TaskSet
///     GET    /v1/services/NAME/task-sets/ID                → TaskSet
///     DELETE /v1/services/NAME/task-sets/ID                → Service (rollback)
///     POST   /v1/services/NAME/task-sets/ID/wait-stable    WaitStable → Stability, or 400 ECS_UPDATE_ERROR
///     POST   /v1/services/NAME/task-sets/ID/promote        → Service
///     PUT    /v1/services/NAME/traffic                     ShiftTraffic → Service
///     PUT    /v1/services/NAME/test-traffic                RouteTestTraffic → Service
extension LocalServices {
    /// Answers /v1/task-definitions… and /v1/services…; nil when the path is not this component's.
    func route(_ request: ControlRequest) throws -> ControlResponse? {
        let path = request.path.map { $0.removingPercentEncoding ?? $0 }
        guard path.count >= 2, path[0] == "v1", path[1] == "task-definitions" || path[1] == "services" else { return nil }
        waitUntilRestored()
        do {
            return try answer(request, path)
        } catch {
            guard let problem = error as? ServiceError else { throw error }
            return .problem(problem.description, code: problem.code, status: problem.status)
        }
    }

    private func answer(_ request: ControlRequest, _ path: [String]) throws -> ControlResponse {
        if path[1] == "task-definitions" {
            switch (request.method, path.count) {
            case (.GET, 2):
                return .json(definitions.list())
            case (.POST, 2):
                return .json(try definitions.register(try decode(request)), status: .created)
            case (.GET, 3...):
                // An arn's "/" splits it into segments: join them back.
                return .json(try definitions.find(path[2...].joined(separator: "/")))
            default:
                break
            }
        } else {
            let name = path.count > 2 ? path[2] : ""
            let id = path.count > 4 ? path[4] : ""
            let route = path.enumerated().map { item in
                item.offset == 2 || (item.offset == 4 && path[3] == "task-sets") ? "*" : item.element
            }
            switch (request.method, route) {
            case (.GET, ["v1", "services"]):
                return .json(list())
            case (.POST, ["v1", "services"]):
                return .json(try createService(try decode(request)), status: .created)
            case (.GET, ["v1", "services", "*"]):
                return .json(try describe(name))
            case (.DELETE, ["v1", "services", "*"]):
                return .json(try deleteService(name))
            case (.POST, ["v1", "services", "*", "task-sets"]):
                return .json(try createTaskSet(service: name, try decode(request)), status: .created)
            case (.GET, ["v1", "services", "*", "task-sets", "*"]):
                let service = try describe(name)
                guard let set = service.taskSets.first(where: { $0.id == id }) else {
                    throw ServiceError.taskSetNotFound(service: name, id: id)
                }
                return .json(set)
            case (.DELETE, ["v1", "services", "*", "task-sets", "*"]):
                return .json(try deleteTaskSet(service: name, taskSet: id))
            case (.POST, ["v1", "services", "*", "task-sets", "*", "wait-stable"]):
                let wait: Control.WaitStable = request.body.isEmpty ? Control.WaitStable() : try decode(request)
                let milliseconds = wait.timeoutMilliseconds ?? 300_000
                guard (0...3_600_000).contains(milliseconds) else {
                    throw ServiceError.invalid("timeout_ms must be 0–3600000, got \(milliseconds)")
                }
                return .json(try waitStable(service: name, taskSet: id, timeout: .milliseconds(milliseconds)))
            case (.POST, ["v1", "services", "*", "task-sets", "*", "promote"]):
                return .json(try promote(service: name, taskSet: id))
            case (.PUT, ["v1", "services", "*", "traffic"]):
                let shift: Control.ShiftTraffic = try decode(request)
                return .json(try shiftTraffic(service: name, replacementWeight: shift.replacementWeight))
            case (.PUT, ["v1", "services", "*", "test-traffic"]):
                let test: Control.RouteTestTraffic = try decode(request)
                return .json(try routeTestTraffic(service: name, to: test.to))
            default:
                break
            }
        }
        return .problem("no such endpoint: \(request.method) /\(path.joined(separator: "/"))", status: .notFound)
    }

    /// The request's JSON body, or a problem naming what is wrong with it.
    private func decode<T: Decodable>(_ request: ControlRequest) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: request.body)
        } catch {
            let what = "\(request.method) /\(request.path.joined(separator: "/"))"
            guard let decoding = error as? DecodingError else { throw ServiceError.invalid("bad body for \(what): \(error)") }
            func at(_ context: DecodingError.Context) -> String {
                context.codingPath.isEmpty ? "" : " at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
            }
            switch decoding {
            case .keyNotFound(let key, let context):
                throw ServiceError.invalid("bad body for \(what): \"\(key.stringValue)\" is missing\(at(context))")
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                throw ServiceError.invalid("bad body for \(what)\(at(context)): \(context.debugDescription)")
            @unknown default:
                throw ServiceError.invalid("bad body for \(what): \(error)")
            }
        }
    }
}
