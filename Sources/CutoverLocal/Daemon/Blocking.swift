import Foundation

/// Runs async work to its end from a plain thread (the control API's handlers are
/// synchronous; the load balancer's API is async). Never call it from a job of
/// `BlockingExecutor`.
///
/// The work prefers `BlockingExecutor`, not Swift's cooperative pool: that pool has one
/// thread per core, and when callers block its threads (a test waiting on a synchronous
/// request, two daemons in one test process) a task started on it never runs and both
/// wait forever — measured on this 2-core machine with the whole suite running.
public func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox<T>()
    Task(executorPreference: BlockingExecutor.shared) {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// Runs the jobs of `blocking`'s tasks on Dispatch threads of their own.
final class BlockingExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = BlockingExecutor()

    private let queue = DispatchQueue(label: "cutover.local.blocking", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, Error>?
}
