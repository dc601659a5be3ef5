#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The single serving thread: one `poll` over the wake pipe, the listener and every
/// connection, then a bounded amount of work for each ready descriptor and each deadline
/// passed. Used only on that thread; it owns and finally closes every descriptor it holds.
final class SnapshotServingLoop {
    let setup: ServingLoopSetup
    var limits: ServingLimits { setup.limits }
    private var connections: [Int32: HTTPConnection] = [:]
    private var admittedCount = 0
    /// Admitted connections open per peer address (peers with none are removed).
    private var admittedPerPeer: [PeerAddress: Int] = [:]
    private var lingeringRefusals = 0
    /// After running out of descriptors, the listener is left alone until then.
    private var acceptPausedUntil: UInt64 = 0
    private var scratch: [UInt8]

    init(_ setup: ServingLoopSetup) {
        self.setup = setup
        scratch = [UInt8](repeating: 0, count: min(setup.limits.maxRequestHeadBytes, 65536))
    }

    /// What becomes of a connection after some work on it.
    enum Disposition {
        case keep
        case close
    }

    /// Serves until a byte arrives on the wake pipe, then closes every descriptor.
    func run() {
        var pollSet: [pollfd] = []
        while true {
            let now = MonotonicClock.now()
            pollSet.removeAll(keepingCapacity: true)
            pollSet.append(pollfd(fd: setup.wakeReader, events: Int16(POLLIN), revents: 0))
            let accepting = now >= acceptPausedUntil
            if accepting { pollSet.append(pollfd(fd: setup.listener, events: Int16(POLLIN), revents: 0)) }
            var earliest = accepting ? UInt64.max : acceptPausedUntil
            for (descriptor, connection) in connections {
                var events: Int16 = 0
                if connection.wantsToWrite { events |= Int16(POLLOUT) }
                if connection.wantsToRead { events |= Int16(POLLIN) }
                pollSet.append(pollfd(fd: descriptor, events: events, revents: 0))
                earliest = min(earliest, connection.deadline)
            }
            let timeout = earliest == UInt64.max ? -1 : MonotonicClock.pollTimeout(until: earliest, now: now)
            let ready = poll(&pollSet, nfds_t(pollSet.count), timeout)
            if ready < 0 {
                if errno != EINTR { usleep(10_000) }  // ENOMEM and the like: retry without spinning
                continue
            }
            if pollSet[0].revents != 0 { break }
            let firstConnection = accepting ? 2 : 1
            if accepting && pollSet[1].revents != 0 { acceptPending() }
            for entry in pollSet[firstConnection...] where entry.revents != 0 {
                service(entry.fd, events: entry.revents)
            }
            expireDeadlines(now: MonotonicClock.now())
        }
        closeEverything()
    }

    // MARK: Accepting

    /// Accepts what is pending, a bounded number per round so connections keep being served.
    private func acceptPending() {
        for _ in 0..<64 {
            switch SocketCalls.acceptConnection(from: setup.listener) {
            case .nothingPending:
                return
            case .outOfResources:
                acceptPausedUntil = MonotonicClock.adding(100_000_000, to: MonotonicClock.now())
                return
            case .connection(let descriptor, let peer):
                admit(descriptor, from: peer)
            }
        }
    }

    /// Admits the connection unless every slot is taken or its peer already holds
    /// ``ServingLimits/maxConnectionsPerPeer`` of them, so that one client opening
    /// connections it never uses cannot crowd out the others.
    private func admit(_ descriptor: Int32, from peer: PeerAddress) {
        let now = MonotonicClock.now()
        let peerCount = admittedPerPeer[peer, default: 0]
        guard peerCount < limits.maxConnectionsPerPeer else {
            setup.statistics.withLock { $0.connectionsRefusedForPeer += 1 }
            refuse(descriptor, now: now)
            return
        }
        guard admittedCount < limits.maxConnections else {
            refuse(descriptor, now: now)
            return
        }
        admittedCount += 1
        admittedPerPeer[peer] = peerCount + 1
        connections[descriptor] = HTTPConnection(
            descriptor: descriptor, admitted: true, peer: peer, deadline: MonotonicClock.adding(limits.requestTimeout, to: now))
        setup.statistics.withLock {
            $0.connectionsAccepted += 1
            $0.openConnections = admittedCount
        }
    }

    /// Answers 503 at once and lingers briefly so the client can read it; beyond
    /// ``ServingLimits/maxLingeringRefusals`` the connection is closed straight away.
    private func refuse(_ descriptor: Int32, now: UInt64) {
        setup.statistics.withLock { $0.connectionsRefused += 1 }
        var connection = HTTPConnection(descriptor: descriptor, admitted: false, deadline: now)
        enqueue(RenderedResponse.overloaded.chunks(headOnly: false, closing: true), closing: true, on: &connection, now: now)
        guard advance(&connection, now: now) == .keep, lingeringRefusals < limits.maxLingeringRefusals else {
            SocketCalls.closeDescriptor(descriptor)
            return
        }
        lingeringRefusals += 1
        connections[descriptor] = connection
    }

    // MARK: Serving

    private func service(_ descriptor: Int32, events: Int16) {
        guard var connection = connections[descriptor] else { return }
        let now = MonotonicClock.now()
        var disposition = Disposition.keep
        if events & Int16(POLLERR | POLLNVAL) != 0 {
            disposition = .close
        } else if connection.wantsToWrite {
            disposition = advance(&connection, now: now)
        } else if connection.wantsToRead && events & Int16(POLLIN | POLLHUP) != 0 {
            disposition = receive(&connection, now: now)
            if disposition == .keep { disposition = advance(&connection, now: now) }
        } else if events & Int16(POLLHUP) != 0 {
            disposition = .close
        }
        finish(connection, disposition)
    }

    /// Reads what is available, up to the head limit (or, when lingering, discards a few
    /// buffers' worth per round, so a client that keeps sending cannot hold the thread).
    private func receive(_ connection: inout HTTPConnection, now: UInt64) -> Disposition {
        let lingering = connection.phase == .lingering
        var discardsLeft = 4
        while true {
            let room = lingering ? scratch.count : min(limits.maxRequestHeadBytes - connection.input.count, scratch.count)
            guard room > 0 else { return .keep }
            let descriptor = connection.descriptor
            let outcome = scratch.withUnsafeMutableBytes { raw in
                SocketCalls.receiveSome(from: descriptor, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<room]))
            }
            switch outcome {
            case .transferred(let count):
                guard !lingering else {
                    discardsLeft -= 1
                    if discardsLeft == 0 { return .keep }
                    continue
                }
                connection.input.append(contentsOf: scratch[0..<count])
                if connection.phase == .awaitingFirstRequest || connection.phase == .awaitingNextRequest {
                    connection.phase = .readingHead
                    connection.deadline = MonotonicClock.adding(limits.requestTimeout, to: now)
                }
            case .wouldBlock:
                return .keep
            case .endOfStream:
                if lingering { return .close }
                connection.peerFinishedSending = true
                return .keep
            case .failed:
                return .close
            }
        }
    }

    // MARK: Ending connections

    private func expireDeadlines(now: UInt64) {
        let expired = connections.values.filter { $0.deadline <= now }
        guard !expired.isEmpty else { return }
        setup.statistics.withLock { statistics in
            for connection in expired {
                switch connection.phase {
                case .awaitingNextRequest: statistics.idleConnectionsClosed += 1
                case .awaitingFirstRequest, .readingHead, .writing: statistics.connectionsTimedOut += 1
                case .lingering: break
                }
            }
        }
        for connection in expired { finish(connection, .close) }
    }

    /// Stores the connection's new state, or closes it and forgets it.
    private func finish(_ connection: HTTPConnection, _ disposition: Disposition) {
        switch disposition {
        case .keep:
            connections[connection.descriptor] = connection
        case .close:
            connections[connection.descriptor] = nil
            SocketCalls.closeDescriptor(connection.descriptor)
            if connection.admitted {
                admittedCount -= 1
                if let peer = connection.peer {
                    let left = admittedPerPeer[peer, default: 1] - 1
                    admittedPerPeer[peer] = left > 0 ? left : nil
                }
                setup.statistics.withLock { $0.openConnections = admittedCount }
            } else {
                lingeringRefusals -= 1
            }
        }
    }

    private func closeEverything() {
        for descriptor in connections.keys { SocketCalls.closeDescriptor(descriptor) }
        connections.removeAll()
        admittedCount = 0
        admittedPerPeer.removeAll()
        lingeringRefusals = 0
        SocketCalls.closeDescriptor(setup.listener)
        SocketCalls.closeDescriptor(setup.wakeReader)
        setup.statistics.withLock { $0.openConnections = 0 }
    }
}
