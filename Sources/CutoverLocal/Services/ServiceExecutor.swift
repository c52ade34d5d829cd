import Foundation

/// Runs the load balancer's async calls to their end from the services' plain threads,
/// on a queue of its own instead of Swift's cooperative pool.
///
/// `blocking` (Daemon/Blocking.swift) starts a `Task` on the cooperative pool, which has
/// one thread per core: when callers of the control API block those threads (a test
/// waiting on a synchronous request), the daemon's task never runs and both wait forever.
/// A task preferring this executor runs its non-isolated work here, so it needs no pool thread.
final class ServiceExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = ServiceExecutor()

    private let queue = DispatchQueue(label: "cutover.local.services.async")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    /// Runs `body` to its end and returns its result; never call it from a job of this executor.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let box = Box<T>()
        Task(executorPreference: self) {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    private final class Box<T: Sendable>: @unchecked Sendable {
        var result: Result<T, Error>?
    }
}
