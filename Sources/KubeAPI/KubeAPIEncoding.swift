import Scripting
import OrderedCollections
import Simulation

/// The API's own documents around objects: Status for failures, lists, server-side Tables,
/// watch events. Shaped as a 1.x apiserver sends them, so kubectl prints its usual messages.
enum KubeAPIEncoding {
    static func object(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
        var fields = OrderedDictionary<String, JSONValue>()
        for (key, value) in pairs { fields[key] = value }
        return .object(fields)
    }

    static func json(_ value: JSONValue, status: Int = 200) -> KubeAPIResponse {
        KubeAPIResponse(status: status, body: value.compactText)
    }

    /// A failed request as `metav1.Status`: kubectl prints `Error from server (Reason): message`.
    static func status(_ error: APIError) -> KubeAPIResponse {
        var details: [String: String] = [:]
        switch error {
        case .notFound(let resource, let name), .alreadyExists(let resource, let name), .conflict(let resource, let name),
             .invalid(let resource, let name, _):
            details = ["name": name, "group": resource.group, "kind": resource.rawValue]
        case .timeout(_, let resource): details = ["group": resource.group, "kind": resource.rawValue]
        default: break
        }
        return failure(code: error.code, reason: error.reason, message: error.message, details: details)
    }

    static func failure(code: Int, reason: String, message: String, details: [String: String] = [:]) -> KubeAPIResponse {
        var detailFields = OrderedDictionary<String, JSONValue>()
        for key in details.keys.sorted() where !(details[key] ?? "").isEmpty { detailFields[key] = .string(details[key]!) }
        var fields: OrderedDictionary<String, JSONValue> = [
            "kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]), "status": .string("Failure"),
            "message": .string(message), "reason": .string(reason),
        ]
        if !detailFields.isEmpty { fields["details"] = .object(detailFields) }
        fields["code"] = .integer(Int64(code))
        return json(.object(fields), status: code)
    }

    static func success(_ resource: Resource, name: String, uid: String) -> JSONValue {
        object(["kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]), "status": .string("Success"),
                "details": object(["name": .string(name), "group": .string(resource.group), "kind": .string(resource.rawValue),
                                   "uid": .string(uid)])])
    }

    /// `PodList`, `DeploymentList`: the objects and the list's resourceVersion.
    static func list(_ resource: Resource, _ objects: [any APIObject], resourceVersion: Int64) -> JSONValue {
        object(["kind": .string(resource.kind + "List"), "apiVersion": .string(resource.apiVersion),
                "metadata": object(["resourceVersion": .string(String(resourceVersion))]),
                "items": .array(objects.map { $0.encode() })])
    }

    /// A server-side `meta.k8s.io/v1` Table with the era's columns (the wide ones at priority 1,
    /// which kubectl shows only with `-o wide`) and each row's whole object, which kubectl reads for
    /// the NAMESPACE column of `-A` and for `--show-labels`.
    static func table(_ resource: Resource, _ objects: [any APIObject], resourceVersion: Int64, gateway: KubeAPIGateway) -> JSONValue {
        let columns = gateway.tableColumns(resource).map { column in
            object(["name": .string(column.name), "type": .string("string"), "format": .string(column.name == "NAME" ? "name" : ""),
                    "description": .string(""), "priority": .integer(Int64(column.priority))])
        }
        let rows = objects.map { item in
            object(["cells": .array(gateway.tableRow(item).map { .string($0) }), "object": item.encode()])
        }
        return object(["kind": .string("Table"), "apiVersion": .string("meta.k8s.io/v1"),
                       "metadata": object(["resourceVersion": .string(String(resourceVersion))]),
                       "columnDefinitions": .array(columns), "rows": .array(rows)])
    }

    /// Watch events, one JSON document a line, as a watch stream carries them.
    static func watchStream(_ events: [APIWatchEvent], asTable: Bool, gateway: KubeAPIGateway) -> String {
        var lines: [String] = []
        for event in events {
            switch event {
            case .ended: continue
            case .error(let error):
                let status = (try? JSONValue.parse(KubeAPIEncoding.status(error).body)) ?? .null
                lines.append(object(["type": .string("ERROR"), "object": status]).compactText)
            case .added(let item), .modified(let item), .deleted(let item):
                let body = asTable ? table(item.resource, [item], resourceVersion: item.metadata.resourceVersion, gateway: gateway) : item.encode()
                lines.append(object(["type": .string(event.typeName), "object": body]).compactText)
            }
        }
        return lines.map { $0 + "\n" }.joined()
    }

    static func wantsTable(_ request: KubeAPIRequest) -> Bool { request.accept.contains("as=Table") }
}
