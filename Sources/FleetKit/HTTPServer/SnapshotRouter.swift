/// Decides the answer to one parsed request: authorization first, then method, then path.
///
/// Authorization is checked before routing for every path outside the public ones, so
/// without the token an existing and a missing path get the same 401: the answers do not
/// tell which paths exist.
struct SnapshotRouter: Sendable {
    /// The answer and whether the connection must close after it.
    struct Answer {
        var response: RenderedResponse
        var headOnly: Bool
        var closing: Bool
        /// Whether the client takes a gzip-compressed body.
        var acceptsGzip = false
    }

    let tokenCheck: BearerTokenCheck?
    let publicPaths: Set<String>
    let snapshots: Locked<[String: RenderedResponse]>

    func answer(_ request: HTTPRequestHead) -> Answer {
        let headOnly = request.method == .head
        // A body is never read, so its bytes would be taken for the next request: close.
        let closing = request.version == .http10 || request.closeRequested || request.announcesBody
        if request.announcesBody && request.method != .other {
            return Answer(response: .badRequest, headOnly: headOnly, closing: true)
        }
        if let tokenCheck, !publicPaths.contains(request.path), !tokenCheck.accepts(request.authorization) {
            return Answer(response: .unauthorized, headOnly: headOnly, closing: closing)
        }
        guard request.method != .other else {
            return Answer(response: .methodNotAllowed, headOnly: false, closing: closing)
        }
        let published = snapshots.withLock { $0[request.path] }
        return Answer(response: published ?? .notFound, headOnly: headOnly, closing: closing, acceptsGzip: request.acceptsGzip)
    }
}
