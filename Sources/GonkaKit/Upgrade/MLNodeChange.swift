import FleetKit
import Foundation

/// One ML node whose settings in the API differ from the rendered `node-config.json`. The
/// API reads that file only on its first launch, so a change is sent through the admin API
/// instead: `POST /admin/v1/nodes` for a node it does not have, `PUT /admin/v1/nodes/<id>`
/// for one it has (both are upserts there).
public struct MLNodeChange: Sendable, Codable, Equatable {
    /// What is sent.
    public enum Action: String, Sendable, Codable, Equatable {
        /// The API lists no node of this id.
        case add
        /// The API's node differs in ``fields``.
        case update
    }

    /// The node's `id`.
    public var id: String
    /// Add or update.
    public var action: Action
    /// The settings that differ, `name: API's value → rendered value`, compact JSON; empty for an add.
    public var fields: [String]
    /// The node as `node-config.json` renders it: the request's body.
    public var body: JSONValue

    /// Creates a change.
    public init(id: String, action: Action, fields: [String], body: JSONValue) {
        self.id = id
        self.action = action
        self.fields = fields
        self.body = body
    }

    /// The admin API's path and method for the change.
    public var request: (method: String, path: String) {
        switch action {
        case .add: ("POST", "/admin/v1/nodes")
        case .update: ("PUT", "/admin/v1/nodes/" + (id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id))
        }
    }

    /// `add node1` or `update node1: max_concurrent: 250 → 500`.
    public var line: String {
        action == .add ? "add ML node \(id)" : "update ML node \(id): " + fields.joined(separator: "; ")
    }

    /// The changes that make the admin API's nodes (`GET /admin/v1/nodes`: entries with a
    /// `node` object, or bare node objects) match `nodeConfigJSON`, node by node in the
    /// file's order; nodes only the API has are left alone. `nil` when either text is not
    /// a JSON array.
    public static func changes(adminNodes: String, nodeConfigJSON: String) -> [MLNodeChange]? {
        guard let wanted = JSONValue(parsing: Data(nodeConfigJSON.utf8))?.arrayValue,
              let listed = JSONValue(parsing: Data(adminNodes.utf8))?.arrayValue else { return nil }
        let known = listed.compactMap { entry -> (String, [String: JSONValue])? in
            guard let node = (entry["node"] ?? entry).objectValue, let id = node["id"]?.stringValue else { return nil }
            return (id, node)
        }
        return wanted.compactMap { node -> MLNodeChange? in
            guard let fields = node.objectValue, let id = fields["id"]?.stringValue else { return nil }
            guard let current = known.first(where: { $0.0 == id })?.1 else { return MLNodeChange(id: id, action: .add, fields: [], body: node) }
            let differing = fields.keys.sorted().compactMap { name -> String? in
                let have = current[name], want = fields[name]
                if name == "models" ? normalizedModels(have) == normalizedModels(want) : have == want { return nil }
                return "\(name): \(have?.description ?? "absent") → \(want?.description ?? "absent")"
            }
            return differing.isEmpty ? nil : MLNodeChange(id: id, action: .update, fields: differing, body: node)
        }
    }

    /// Models as model name → arguments, an absent `args` read as none.
    static func normalizedModels(_ value: JSONValue?) -> [String: [JSONValue]]? {
        value?.objectValue?.mapValues { $0["args"]?.arrayValue ?? [] }
    }
}
