import Foundation
@testable import KubeAPI
import KubeAPIServer
import Scripting
import Simulation

/// A practice world (3 nodes, a few services) with its Kubernetes API, for requests made by hand.
func practiceRuntime(seed: UInt64 = 1) throws -> ScriptRuntime {
    try ScriptRuntime(scenario: ScenarioCatalog.named("practice")!, seed: seed)
}

/// What Lua's `kubectl "..."` prints on the same world.
func luaKubectl(_ runtime: ScriptRuntime, _ command: String) throws -> String {
    let quoted = command.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    let values = try runtime.runScript("return (kubectl(\"\(quoted)\"))", chunkName: "test.lua")
    return values.first?.stringValue ?? ""
}

/// kubectl 1.32's Accept header for `get`: a server-side Table, or plain JSON.
let tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"

func request(_ method: String, _ path: String, query: String = "", body: String? = nil, accept: String = "application/json",
             contentType: String = "") -> KubeAPIRequest {
    KubeAPIRequest(method: method, path: path, query: query, body: body, userAgent: "kubectl/v1.32.4 (linux/amd64)", accept: accept,
                   contentType: contentType)
}

func json(_ response: KubeAPIResponse) throws -> JSONValue { try JSONValue.parse(response.body) }

/// The kubectl on PATH, or nil: the tests that need one skip with that said.
let machineKubectl: String? = KubectlRunner.onPath()
