import NIOCore
import Synchronization

/// The open client connections of one listener, so closing the listener can let each
/// finish its current request (quiesce) and then wait for all of them to close.
final class ConnectionTracker: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var closing = false
    }

    private let state = Mutex(State())

    /// Tracks a new connection; one accepted after closing began is closed at once.
    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let accepted = state.withLock { s in
            guard !s.closing else { return false }
            s.channels[id] = channel
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { _ in
            self.state.withLock { _ = $0.channels.removeValue(forKey: id) }
        }
    }

    var count: Int { state.withLock { $0.channels.count } }

    /// Asks every connection to close once its current request is answered, force-closes
    /// the stragglers after `gracePeriod`, and completes when all are closed.
    func closeAll(gracePeriod: Duration, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let channels = state.withLock { s in
            s.closing = true
            return Array(s.channels.values)
        }
        guard !channels.isEmpty else { return eventLoop.makeSucceededVoidFuture() }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        let deadline = eventLoop.scheduleTask(in: TimeAmount(gracePeriod)) {
            for channel in channels { channel.close(promise: nil) }
        }
        return EventLoopFuture.andAllComplete(channels.map(\.closeFuture), on: eventLoop).always { _ in
            deadline.cancel()
        }
    }
}
