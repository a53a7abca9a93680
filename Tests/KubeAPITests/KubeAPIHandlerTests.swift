import Foundation
import Testing
@testable import KubeAPI
import Scripting
import Simulation

/// The API answered from a world without a network: discovery, tables, Status for what it
/// refuses, writes that reach the world as `kubectl "..."`'s do.
@Suite struct KubeAPIHandlerTests {
    @Test func discoveryNamesTheResourcesAndSubresourcesKubectlUses() throws {
        let runtime = try practiceRuntime()
        let core = try json(KubeAPIHandler.answer(request("GET", "/api/v1"), runtime: runtime))
        let names = core["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(names.contains("pods") && names.contains("pods/log") && names.contains("endpoints") && names.contains("nodes"))
        let apps = try json(KubeAPIHandler.answer(request("GET", "/apis/apps/v1"), runtime: runtime))
        #expect(apps["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue }.contains("deployments/scale") == true)
        let version = try json(KubeAPIHandler.answer(request("GET", "/version"), runtime: runtime))
        #expect(version["gitVersion"]?.stringValue?.hasPrefix("v1.") == true)
    }

    @Test func aPodTableHasTheCellsLuaKubectlPrints() throws {
        let runtime = try practiceRuntime()
        let response = KubeAPIHandler.answer(request("GET", "/api/v1/namespaces/default/pods", accept: tableAccept), runtime: runtime)
        let table = try json(response)
        #expect(response.status == 200 && table["kind"]?.stringValue == "Table")
        let columns = table["columnDefinitions"]?.arrayValue ?? []
        let wide = columns.filter { $0["priority"]?.integerValue == 1 }.compactMap { $0["name"]?.stringValue }
        #expect(wide == ["IP", "NODE"])
        let rows = (table["rows"]?.arrayValue ?? []).map { row in (row["cells"]?.arrayValue ?? []).compactMap(\.stringValue) }
        let printed = try luaKubectl(runtime, "get pods -o wide").split(separator: "\n").dropFirst()
            .map { $0.split(separator: " ").map(String.init) }
        #expect(!rows.isEmpty && rows == printed)
    }

    @Test func unknownPathsAndMethodsGetTheStatusKubectlExpects() throws {
        let runtime = try practiceRuntime()
        let missing = KubeAPIHandler.answer(request("GET", "/api/v1/namespaces/default/widgets"), runtime: runtime)
        #expect(try missing.status == 404 && json(missing)["reason"]?.stringValue == "NotFound")
        let group = KubeAPIHandler.answer(request("GET", "/apis/metrics.k8s.io/v1beta1"), runtime: runtime)
        #expect(group.status == 404)
        let method = KubeAPIHandler.answer(request("DELETE", "/api/v1/namespaces/default/pods"), runtime: runtime)
        #expect(try method.status == 405 && json(method)["reason"]?.stringValue == "MethodNotAllowed")
        let pod = KubeAPIHandler.answer(request("GET", "/api/v1/namespaces/default/pods/nope"), runtime: runtime)
        #expect(try pod.status == 404 && json(pod)["message"]?.stringValue == "pods \"nope\" not found")
    }

    @Test func aBadBodyIsABadRequest() throws {
        let runtime = try practiceRuntime()
        let garbage = KubeAPIHandler.answer(request("POST", "/api/v1/namespaces/default/services", body: "{not json",
                                                    contentType: "application/json"), runtime: runtime)
        #expect(try garbage.status == 400 && json(garbage)["reason"]?.stringValue == "BadRequest")
        let patch = KubeAPIHandler.answer(request("PATCH", "/api/v1/nodes/x", body: "{}", contentType: "text/plain"), runtime: runtime)
        #expect(patch.status == 415)
    }

    @Test func aMergePatchLabelsTheObjectKubectlThenShows() throws {
        let runtime = try practiceRuntime()
        let node = try luaKubectl(runtime, "get nodes -o name").split(separator: "\n")[0].split(separator: "/")[1]
        let patched = KubeAPIHandler.answer(request("PATCH", "/api/v1/nodes/\(node)", body: #"{"metadata":{"labels":{"drill":"yes"}},"spec":{"unschedulable":true}}"#,
                                                    contentType: "application/merge-patch+json"), runtime: runtime)
        #expect(patched.status == 200, "\(patched.body)")
        let shown = try luaKubectl(runtime, "get nodes -l drill=yes")
        #expect(shown.contains(String(node)) && shown.contains("SchedulingDisabled"), "\(shown)")
    }

    @Test func theScaleSubresourceScalesTheDeployment() throws {
        let runtime = try practiceRuntime()
        let name = try luaKubectl(runtime, "get deployments -o name").split(separator: "\n")[0].split(separator: "/")[1]
        let path = "/apis/apps/v1/namespaces/default/deployments/\(name)/scale"
        let scaled = KubeAPIHandler.answer(request("PATCH", path, body: #"{"spec":{"replicas":5}}"#, contentType: "application/merge-patch+json"),
                                           runtime: runtime)
        #expect(try scaled.status == 200 && json(scaled)["spec"]?["replicas"]?.integerValue == 5, "\(scaled.body)")
        let replicas = try runtime.runScript("return k8s.get('deployments', '\(name)', {namespace = 'default'}).spec.replicas", chunkName: "test.lua")
        #expect(replicas.first == .integer(5))
    }

    @Test func jsonPatchReplacesAndRemoves() throws {
        let document = try JSONValue.parse(#"{"a":{"b":[1,2,3]},"c":"x"}"#)
        let patch = try JSONValue.parse(#"[{"op":"replace","path":"/a/b/1","value":9},{"op":"remove","path":"/c"},{"op":"add","path":"/d","value":true}]"#)
        #expect(try ObjectPatch.jsonPatch(patch, document).compactText == #"{"a":{"b":[1,9,3]},"d":true}"#)
    }
}
