import Foundation

/// The actions of consecutive steps of one host, sent to it as one script in one round trip.
///
/// When batching applies (the rule): a host's run reaches a step whose check says it needs
/// a change (from the plan, a live check, or `force`), and that step and the ones right
/// after it are plain shell work:
/// - the action is a host command with no standard input (a secret on standard input
///   always goes in a command of its own) and no output handler;
/// - the check of a later step is a shell check (or none, or `force` is set) and its
///   verification a shell check or none; no observing step, no Swift check or action;
/// - the later step's condition holds on this host (a step skipped by its condition ends
///   the batch);
/// - the script stays within ``scriptSizeLimit``;
/// - not in check mode, and not with `anyErrorsFatal` (which stops a host between steps
///   when another host fails, so every step must be its own round trip there).
/// Every host's commands get the same ``Privilege`` definitions, so one script serves.
///
/// Why the result is the same as one step at a time: after a step has changed something,
/// the runner evaluates every later check live, at its turn. The script does the same on
/// the host: the first step's check was already answered; each later step runs its check
/// right after the earlier actions, and only when it fails its action; each action is
/// followed by its verification. The script stops at the first action or verification
/// that fails, so nothing after a failure runs, exactly as the runner stops there. Each
/// check, action and verification runs in its own subshell (its `exit`, `cd`, `set` and
/// variables stay there; `$$` is the script's shell, as in the check plan) with standard
/// input from `/dev/null`, like a command of its own without input.
///
/// Each piece prints `<nonce> <position> <c|a|v>` when it begins and the same line with
/// its exit status when it ends; an action prints both lines on standard output and on
/// standard error, so the bytes between them are its own output, cut at its own
/// `outputLimit`. Standard output is read as it arrives, which gives each step its time and
/// tells which step was running when the batch ended early. The host bounds the whole
/// script by the sum of its pieces' limits; the runner also watches each piece's own limit
/// and stops the script when one passes it, reporting that step as timed out (see
/// `HostRun.runBatch`). A step the script never reached (a syntax error in a later action
/// stops the shell before that piece begins) runs on its own afterwards.
struct ActionBatch: Sendable {
    /// One step's part of the script.
    struct Item: Sendable {
        /// The step's index in the playbook.
        var index: Int
        /// The shell check run first on the host; `nil` when the action runs regardless.
        var check: String?
        /// The action, with its timeout and output limit resolved.
        var action: RemoteCommand
        /// The shell verification run after a successful action.
        var verify: String?
        /// Limit of the check and of the verification.
        var checkTimeout: Duration

        /// Limit of one piece.
        func timeout(of phase: Phase) -> Duration {
            phase == .action ? (action.timeout ?? checkTimeout) : checkTimeout
        }
    }

    /// A piece of an item.
    enum Phase: String, Sendable {
        case check = "c"
        case action = "a"
        case verify = "v"
    }

    let items: [Item]
    let nonce: String

    /// Bytes of shell text a batch takes at most (each item counted with its markers): the
    /// script travels as one argument, and Linux refuses one over 128 KiB.
    static let scriptSizeLimit = 64 << 10

    init(items: [Item], nonce: String = CheckPlan.makeNonce()) {
        self.items = items
        self.nonce = nonce
    }

    /// The host's bound on the whole script: the sum of every piece's limit.
    var timeout: Duration {
        items.reduce(Duration.zero) { total, item in
            total + item.timeout(of: .action) + (item.check == nil ? .zero : item.checkTimeout) + (item.verify == nil ? .zero : item.checkTimeout)
        }
    }

    /// Bytes of standard error kept for the whole batch: every action's limit and its markers.
    var errorLimit: Int {
        items.reduce(0) { $0 + max(0, $1.action.outputLimit) + 2 * (nonce.utf8.count + 24) }
    }

    /// The script; see the type's description.
    var script: String {
        var blocks = [": fleetkit-batch \(nonce)"]
        for (position, item) in items.enumerated() {
            let tag = "\(nonce) \(position)"
            var lines: [String] = []
            if let check = item.check {
                lines.append("echo '\(tag) c'")
                lines.append("(\n\(check)\n) </dev/null >/dev/null 2>&1; fleetkit_s=$?; echo \"\(tag) c $fleetkit_s\"")
                lines.append("if [ \"$fleetkit_s\" != 0 ]; then")
            }
            lines.append("echo '\(tag) a'; echo '\(tag) a' >&2")
            lines.append("(\n\(item.action.script)\n) </dev/null; fleetkit_s=$?; echo \"\(tag) a $fleetkit_s\"; echo \"\(tag) a $fleetkit_s\" >&2")
            lines.append("[ \"$fleetkit_s\" = 0 ] || exit 0")
            if let verify = item.verify {
                lines.append("echo '\(tag) v'")
                lines.append("(\n\(verify)\n) </dev/null >/dev/null 2>&1; fleetkit_s=$?; echo \"\(tag) v $fleetkit_s\"")
                lines.append("[ \"$fleetkit_s\" = 0 ] || exit 0")
            }
            if item.check != nil { lines.append("fi") }
            // One compound command per item: a syntax error in it stops the shell before any of it runs.
            blocks.append("{\n" + lines.joined(separator: "\n") + "\n}")
        }
        return blocks.joined(separator: "\n")
    }
}

/// Reads one stream of an ``ActionBatch``: its begin and end lines (with when they
/// arrived) and each action's own bytes, cut at the action's limit. Fed in chunks as they
/// arrive; a line split across chunks is kept until it is whole.
struct ActionBatchReader: Sendable {
    /// A begin (no status) or end line.
    struct Event: Sendable {
        var position: Int
        var phase: ActionBatch.Phase
        var status: Int32?
        var at: ContinuousClock.Instant
    }

    private let token: [UInt8]
    private let limits: [Int]
    private var pending: [UInt8] = []
    /// Every line read, in order.
    private(set) var events: [Event] = []
    /// Each action's bytes by position.
    private(set) var outputs: [Int: [UInt8]] = [:]
    /// Positions whose bytes were cut at their limit.
    private(set) var truncated: Set<Int> = []
    /// The piece that began and has not ended, with when it began.
    private(set) var open: (position: Int, phase: ActionBatch.Phase, since: ContinuousClock.Instant)?

    /// A reader for `batch`'s lines.
    init(_ batch: ActionBatch) {
        token = Array((batch.nonce + " ").utf8)
        limits = batch.items.map { max(0, $0.action.outputLimit) }
    }

    /// Reads `bytes`, which arrived at `time`.
    mutating func feed<Bytes: Collection>(_ bytes: Bytes, at time: ContinuousClock.Instant) where Bytes.Element == UInt8 {
        pending.append(contentsOf: bytes)
        var start = 0
        while true {
            guard let found = Self.find(token, in: pending, from: start) else {
                // Keep a tail that may be the start of a marker.
                let keep = min(pending.count - start, token.count - 1)
                attribute(pending[start..<(pending.count - keep)])
                start = pending.count - keep
                break
            }
            attribute(pending[start..<found])
            guard let newline = pending[(found + token.count)...].firstIndex(of: UInt8(ascii: "\n")) else {
                start = found
                break
            }
            if let event = parse(pending[(found + token.count)..<newline], at: time) {
                record(event)
            } else {
                attribute(pending[found...newline])
            }
            start = newline + 1
        }
        pending.removeFirst(start)
    }

    /// Gives the bytes still held to the open action, at the end of the stream.
    mutating func finish() {
        attribute(pending[...])
        pending.removeAll()
    }

    /// The status of `phase` of the item at `position`, once it ended.
    func status(_ position: Int, _ phase: ActionBatch.Phase) -> Int32? {
        events.last { $0.position == position && $0.phase == phase && $0.status != nil }?.status
    }

    /// Whether `phase` of the item at `position` began.
    func began(_ position: Int, _ phase: ActionBatch.Phase) -> Bool {
        events.contains { $0.position == position && $0.phase == phase }
    }

    /// When the item at `position` printed its last line.
    func lastLine(of position: Int) -> ContinuousClock.Instant? {
        events.last { $0.position == position }?.at
    }

    /// When `phase` of the item at `position` began and ended.
    func times(_ position: Int, _ phase: ActionBatch.Phase) -> (began: ContinuousClock.Instant?, ended: ContinuousClock.Instant?) {
        (events.first { $0.position == position && $0.phase == phase && $0.status == nil }?.at,
         events.last { $0.position == position && $0.phase == phase && $0.status != nil }?.at)
    }

    private mutating func record(_ event: Event) {
        events.append(event)
        open = event.status == nil ? (event.position, event.phase, event.at) : nil
    }

    private mutating func attribute(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty, let open, open.phase == .action else { return }
        var kept = outputs[open.position, default: []]
        let room = max(0, limits[open.position] - kept.count)
        if bytes.count > room { truncated.insert(open.position) }
        kept.append(contentsOf: bytes.prefix(room))
        outputs[open.position] = kept
    }

    /// `<position> <phase>` or `<position> <phase> <status>`.
    private func parse(_ line: ArraySlice<UInt8>, at time: ContinuousClock.Instant) -> Event? {
        let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count == 2 || fields.count == 3, let position = Int(fields[0]), limits.indices.contains(position),
              let phase = ActionBatch.Phase(rawValue: fields[1]) else { return nil }
        if fields.count == 2 { return Event(position: position, phase: phase, status: nil, at: time) }
        guard let status = Int32(fields[2]) else { return nil }
        return Event(position: position, phase: phase, status: status, at: time)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count - start >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
