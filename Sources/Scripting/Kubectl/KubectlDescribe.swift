import Simulation

/// Lines of `kubectl describe`, where tab-separated cells of consecutive lines line up as
/// kubectl's tabwriter lines them up (two spaces after the widest cell).
struct DescribeWriter {
    private var lines: [String] = []

    mutating func add(_ indent: Int, _ cells: String...) {
        lines.append(String(repeating: "  ", count: indent) + cells.joined(separator: "\t"))
    }

    mutating func addLabels(_ title: String, _ map: [String: String]) {
        let keys = map.keys.sorted()
        guard let first = keys.first else { add(0, "\(title):", "<none>"); return }
        add(0, "\(title):", "\(first)=\(map[first]!)")
        for key in keys.dropFirst() { add(0, "", "\(key)=\(map[key]!)") }
    }

    func render() -> String {
        var output: [String] = []
        var block: [[String]] = []
        func flush() {
            guard !block.isEmpty else { return }
            let columns = block.map(\.count).max()!
            var widths = Array(repeating: 0, count: columns)
            for row in block { for (index, cell) in row.enumerated() where index < row.count - 1 { widths[index] = max(widths[index], cell.count + 2) } }
            for row in block {
                var line = ""
                for (index, cell) in row.enumerated() {
                    line += index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
                }
                output.append(line.trimmingTrailingSpaces())
            }
            block.removeAll()
        }
        for line in lines {
            if line.contains("\t") { block.append(line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)) } else {
                flush()
                output.append(line)
            }
        }
        flush()
        return output.joined(separator: "\n")
    }
}

extension KubectlCommands {
    /// `kubectl describe TYPE NAME` (or `TYPE` for all of them, or `TYPE/NAME`).
    func describe(_ arguments: ArraySlice<String>) throws -> String {
        let targets = try ResourceArguments(arguments, command: "describe", all: era.allResources)
        var objects: [any APIObject] = []
        if !targets.pairs.isEmpty {
            for (resource, name) in targets.pairs { objects.append(try fetch(resource, name)) }
        } else if !targets.names.isEmpty {
            for name in targets.names { objects.append(try fetch(targets.resources[0], name)) }
        } else {
            for resource in targets.resources {
                objects += try fetchAll(resource, namespace: line.allNamespaces ? nil : namespace, selector: try line.selector())
            }
            if objects.isEmpty { return "No resources found in \(namespace) namespace." }
        }
        return try objects.map { try describe($0) }.joined(separator: "\n\n\n")
    }

    private func describe(_ object: any APIObject) throws -> String {
        var writer = DescribeWriter()
        switch object {
        case let pod as Pod: describePod(pod, &writer)
        case let deployment as Deployment: try describeDeployment(deployment, &writer)
        case let node as Node: try describeNode(node, &writer)
        case let service as Service: try describeService(service, &writer)
        case let endpoints as Endpoints: describeEndpoints(endpoints, &writer)
        default: describeGeneric(object, &writer)
        }
        try describeEvents(object, &writer)
        return writer.render()
    }

    private func header(_ object: any APIObject, _ writer: inout DescribeWriter) {
        writer.add(0, "Name:", object.name)
        if object.resource.isNamespaced { writer.add(0, "Namespace:", object.namespace) }
    }

    private func describeGeneric(_ object: any APIObject, _ writer: inout DescribeWriter) {
        header(object, &writer)
        writer.addLabels("Labels", object.metadata.labels)
        writer.addLabels("Annotations", object.metadata.annotations)
        switch object {
        case let rs as ReplicaSet:
            writer.add(0, "Selector:", rs.spec.selector.description)
            writer.add(0, "Replicas:", "\(rs.status.replicas) current / \(rs.spec.replicas) desired")
            writer.add(0, "Pods Status:", "\(rs.status.readyReplicas) Running / 0 Waiting / 0 Succeeded / 0 Failed")
            describeTemplate(rs.spec.template, &writer)
        case let ds as DaemonSet:
            writer.add(0, "Selector:", ds.spec.selector.description)
            writer.add(0, "Desired Number of Nodes Scheduled:", String(ds.status.desiredNumberScheduled))
            writer.add(0, "Current Number of Nodes Scheduled:", String(ds.status.currentNumberScheduled))
            writer.add(0, "Number of Nodes Scheduled with Up-to-date Pods:", String(ds.status.updatedNumberScheduled))
            writer.add(0, "Number of Nodes Scheduled with Available Pods:", String(ds.status.numberAvailable))
            writer.add(0, "Number of Nodes Misscheduled:", String(ds.status.numberMisscheduled))
            describeTemplate(ds.spec.template, &writer)
        case let configMap as ConfigMap:
            writer.add(0, "")
            writer.add(0, "Data")
            writer.add(0, "====")
            for key in configMap.data.keys.sorted() {
                writer.add(0, "\(key):")
                writer.add(0, "----")
                writer.add(0, configMap.data[key]!)
            }
        case let namespace as Namespace:
            writer.add(0, "Status:", namespace.phase)
        default: break
        }
    }

    private func describePod(_ pod: Pod, _ writer: inout DescribeWriter) {
        header(pod, &writer)
        writer.add(0, "Priority:", "0")
        writer.add(0, "Node:", pod.spec.nodeName.isEmpty ? "<none>" : "\(pod.spec.nodeName)/\(pod.status.hostIP)")
        if let start = pod.status.startTime { writer.add(0, "Start Time:", KubectlTime.rfc1123(start)) }
        writer.addLabels("Labels", pod.metadata.labels)
        writer.addLabels("Annotations", pod.metadata.annotations)
        writer.add(0, "Status:", pod.metadata.isTerminating ? "Terminating (lasts \(era.age(pod.metadata.deletionTimestamp, now: now)))" : pod.status.phase)
        writer.add(0, "IP:", pod.status.podIP)
        if let owner = pod.metadata.controllerReference { writer.add(0, "Controlled By:", "\(owner.kind)/\(owner.name)") }
        writer.add(0, "Containers:")
        for container in pod.spec.containers {
            let status = pod.status.containerStatuses.first { $0.name == container.name }
            writer.add(1, "\(container.name):")
            writer.add(2, "Container ID:", status?.containerID ?? "")
            writer.add(2, "Image:", container.image)
            writer.add(2, "Port:", container.ports.map { "\($0.containerPort)/\($0.protocol)" }.joined(separator: ", ").ifEmpty("<none>"))
            describeState("State", status?.state ?? .waiting(reason: "ContainerCreating", message: ""), &writer)
            if let last = status?.lastState { describeState("Last State", last, &writer) }
            writer.add(2, "Ready:", status?.ready == true ? "True" : "False")
            writer.add(2, "Restart Count:", String(status?.restartCount ?? 0))
            if !container.requests.isEmpty {
                writer.add(2, "Requests:")
                for key in container.requests.keys.sorted() { writer.add(3, "\(key):", container.requests[key]!) }
            }
            if let probe = container.readinessProbe {
                writer.add(2, "Readiness:", "http-get delay=\(probe.initialDelaySeconds)s timeout=1s period=\(probe.periodSeconds)s #success=1 #failure=\(probe.failureThreshold)")
            }
        }
        writer.add(0, "Conditions:")
        writer.add(1, "Type", "Status")
        for condition in pod.status.conditions { writer.add(1, condition.type, condition.status) }
        let configMaps = pod.spec.configMapNames
        writer.add(0, "Volumes:" + (configMaps.isEmpty ? "\t<none>" : ""))
        for name in configMaps {
            writer.add(1, "\(name):")
            writer.add(2, "Type:", "ConfigMap (a volume populated by a ConfigMap)")
            writer.add(2, "Name:", name)
        }
        writer.add(0, "QoS Class:", pod.requestedMillicores > 0 ? "Burstable" : "BestEffort")
        writer.add(0, "Node-Selectors:", pod.spec.nodeSelector.isEmpty ? "<none>" : KubectlPrinters.labels(pod.spec.nodeSelector))
        writer.add(0, "Tolerations:", pod.spec.toleratesEverything ? "op=Exists" : "<none>")
    }

    private func describeState(_ title: String, _ state: ContainerState, _ writer: inout DescribeWriter) {
        switch state {
        case .running(let startedAt):
            writer.add(2, "\(title):", "Running")
            writer.add(3, "Started:", KubectlTime.rfc1123(startedAt))
        case .waiting(let reason, _):
            writer.add(2, "\(title):", "Waiting")
            writer.add(3, "Reason:", reason)
        case .terminated(let exitCode, let reason, let startedAt, let finishedAt):
            writer.add(2, "\(title):", "Terminated")
            writer.add(3, "Reason:", reason)
            writer.add(3, "Exit Code:", String(exitCode))
            if let startedAt { writer.add(3, "Started:", KubectlTime.rfc1123(startedAt)) }
            writer.add(3, "Finished:", KubectlTime.rfc1123(finishedAt))
        }
    }

    private func describeTemplate(_ template: PodTemplateSpec, _ writer: inout DescribeWriter) {
        writer.add(0, "Pod Template:")
        writer.add(1, "Labels:", KubectlPrinters.labels(template.labels).split(separator: ",").joined(separator: "\n\t"))
        writer.add(1, "Containers:")
        for container in template.spec.containers {
            writer.add(2, "\(container.name):")
            writer.add(3, "Image:", container.image)
            writer.add(3, "Port:", container.ports.map { "\($0.containerPort)/\($0.protocol)" }.joined(separator: ", ").ifEmpty("<none>"))
        }
    }

    private func describeDeployment(_ deployment: Deployment, _ writer: inout DescribeWriter) throws {
        header(deployment, &writer)
        if let created = deployment.metadata.creationTimestamp { writer.add(0, "CreationTimestamp:", KubectlTime.rfc1123(created)) }
        writer.addLabels("Labels", deployment.metadata.labels)
        writer.addLabels("Annotations", deployment.metadata.annotations)
        writer.add(0, "Selector:", deployment.spec.selector.description)
        let status = deployment.status
        writer.add(0, "Replicas:", "\(deployment.spec.replicas) desired | \(status.updatedReplicas) updated | \(status.replicas) total | \(status.availableReplicas) available | \(status.unavailableReplicas) unavailable")
        writer.add(0, "StrategyType:", deployment.spec.strategy.type)
        writer.add(0, "MinReadySeconds:", String(deployment.spec.minReadySeconds))
        if deployment.spec.strategy.type == "RollingUpdate" {
            writer.add(0, "RollingUpdateStrategy:", "\(deployment.spec.strategy.maxUnavailable) max unavailable, \(deployment.spec.strategy.maxSurge) max surge")
        }
        describeTemplate(deployment.spec.template, &writer)
        writer.add(0, "Conditions:")
        writer.add(1, "Type", "Status", "Reason")
        writer.add(1, "----", "------", "------")
        for condition in status.conditions { writer.add(1, condition.type, condition.status, condition.reason) }
        let sets = try fetchAll(.replicasets, namespace: deployment.namespace, selector: nil).compactMap { $0 as? ReplicaSet }
            .filter { $0.metadata.controllerReference?.uid == deployment.metadata.uid }
        let hash = deployment.spec.template.hashLabel
        let old = sets.filter { $0.metadata.labels["pod-template-hash"] != hash && $0.spec.replicas > 0 }
        let new = sets.first { $0.metadata.labels["pod-template-hash"] == hash }
        writer.add(0, "OldReplicaSets:", old.isEmpty ? "<none>" : old.map { "\($0.name) (\($0.status.replicas)/\($0.spec.replicas) replicas created)" }.joined(separator: ", "))
        writer.add(0, "NewReplicaSet:", new.map { "\($0.name) (\($0.status.replicas)/\($0.spec.replicas) replicas created)" } ?? "<none>")
    }

    private func describeNode(_ node: Node, _ writer: inout DescribeWriter) throws {
        writer.add(0, "Name:", node.name)
        writer.add(0, "Roles:", KubectlPrinters.nodeRoles(node))
        writer.addLabels("Labels", node.metadata.labels)
        if let created = node.metadata.creationTimestamp { writer.add(0, "CreationTimestamp:", KubectlTime.rfc1123(created)) }
        writer.add(0, "Taints:", node.spec.taints.map { "\($0.key)\($0.value.isEmpty ? "" : "=\($0.value)"):\($0.effect)" }.joined(separator: "\n\t").ifEmpty("<none>"))
        writer.add(0, "Unschedulable:", node.spec.unschedulable ? "true" : "false")
        writer.add(0, "Conditions:")
        writer.add(1, "Type", "Status", "LastHeartbeatTime", "LastTransitionTime", "Reason", "Message")
        writer.add(1, "----", "------", "-----------------", "------------------", "------", "-------")
        for condition in node.status.conditions {
            writer.add(1, condition.type, condition.status, condition.lastHeartbeatTime.map(KubectlTime.rfc1123) ?? "",
                       condition.lastTransitionTime.map(KubectlTime.rfc1123) ?? "", condition.reason, condition.message)
        }
        writer.add(0, "Addresses:")
        for address in node.status.addresses { writer.add(1, "\(address.type):", address.address) }
        writer.add(0, "Capacity:")
        for key in node.status.capacity.keys.sorted() { writer.add(1, "\(key):", node.status.capacity[key]!) }
        writer.add(0, "Allocatable:")
        for key in node.status.allocatable.keys.sorted() { writer.add(1, "\(key):", node.status.allocatable[key]!) }
        writer.add(0, "System Info:")
        writer.add(1, "Kernel Version:", node.status.nodeInfo.kernelVersion)
        writer.add(1, "OS Image:", node.status.nodeInfo.osImage)
        writer.add(1, "Container Runtime Version:", node.status.nodeInfo.containerRuntimeVersion)
        writer.add(1, "Kubelet Version:", node.status.nodeInfo.kubeletVersion)
        writer.add(0, "PodCIDR:", node.spec.podCIDR)
        let pods = try fetchAll(.pods, namespace: nil, selector: nil).compactMap { $0 as? Pod }
            .filter { $0.spec.nodeName == node.name && $0.isActive }
        writer.add(0, "Non-terminated Pods:", "(\(pods.count) in total)")
        writer.add(1, "Namespace", "Name", "CPU Requests", "Memory Requests", "Age")
        writer.add(1, "---------", "----", "------------", "---------------", "---")
        for pod in pods {
            writer.add(1, pod.namespace, pod.name, Quantity.formatMillicores(pod.requestedMillicores) + (pod.requestedMillicores == 0 ? " (0%)" : ""),
                       Quantity.formatBytes(pod.requestedBytes), era.age(pod.metadata.creationTimestamp, now: now))
        }
    }

    private func describeService(_ service: Service, _ writer: inout DescribeWriter) throws {
        header(service, &writer)
        writer.addLabels("Labels", service.metadata.labels)
        writer.addLabels("Annotations", service.metadata.annotations)
        writer.add(0, "Selector:", service.selector.isEmpty ? "<none>" : KubectlPrinters.labels(service.selector))
        writer.add(0, "Type:", service.type)
        writer.add(0, "IP:", service.clusterIP)
        let endpoints = try? session.get(.endpoints, namespace: service.namespace, name: service.name).get() as? Endpoints
        for port in service.ports {
            writer.add(0, "Port:", port.name.isEmpty ? "<unset>" : port.name, "\(port.port)/\(port.protocol)")
            writer.add(0, "TargetPort:", "\(port.targetPort)/\(port.protocol)")
            let addresses = endpoints?.readyAddresses ?? []
            writer.add(0, "Endpoints:", addresses.isEmpty ? "<none>" : addresses.joined(separator: ","))
        }
        writer.add(0, "Session Affinity:", "None")
    }

    private func describeEndpoints(_ endpoints: Endpoints, _ writer: inout DescribeWriter) {
        header(endpoints, &writer)
        writer.addLabels("Labels", endpoints.metadata.labels)
        writer.addLabels("Annotations", endpoints.metadata.annotations)
        writer.add(0, "Subsets:")
        for subset in endpoints.subsets ?? [] {
            writer.add(1, "Addresses:", subset.addresses.map(\.ip).joined(separator: ",").ifEmpty("<none>"))
            writer.add(1, "NotReadyAddresses:", subset.notReadyAddresses.map(\.ip).joined(separator: ",").ifEmpty("<none>"))
            writer.add(1, "Ports:")
            writer.add(2, "Name", "Port", "Protocol")
            writer.add(2, "----", "----", "--------")
            for port in subset.ports { writer.add(2, port.name.isEmpty ? "<unset>" : port.name, String(port.port), port.protocol) }
        }
    }

    private func describeEvents(_ object: any APIObject, _ writer: inout DescribeWriter) throws {
        let scope = object.resource.isNamespaced ? object.namespace : "default"
        let events = (try? fetchAll(.events, namespace: scope, selector: nil)) ?? []
        let mine = events.compactMap { $0 as? Event }
            .filter { $0.involvedObject.name == object.name && $0.involvedObject.kind == object.resource.kind }
            .sorted { ($0.lastTimestamp, $0.name) < ($1.lastTimestamp, $1.name) }
        guard !mine.isEmpty else { writer.add(0, "Events:", "<none>"); return }
        writer.add(0, "Events:")
        if era.printers == .v1_10 {
            // 1.9 made the table compact: type first, one age with the repeats folded into it.
            writer.add(1, "Type", "Reason", "Age", "From", "Message")
            writer.add(1, "----", "------", "----", "----", "-------")
            for event in mine {
                var age = era.age(event.lastTimestamp, now: now)
                if event.count > 1 { age += " (x\(event.count) over \(era.age(event.firstTimestamp, now: now)))" }
                writer.add(1, event.type, event.reason, age, KubectlPrinters.eventSource(event), event.message)
            }
            return
        }
        // 1.6's DescribeEvents: first and last seen, count, source, sub-object path, then type.
        writer.add(1, "FirstSeen", "LastSeen", "Count", "From", "SubObjectPath", "Type", "Reason", "Message")
        writer.add(1, "---------", "--------", "-----", "----", "-------------", "--------", "------", "-------")
        for event in mine {
            writer.add(1, era.age(event.firstTimestamp, now: now), era.age(event.lastTimestamp, now: now), String(event.count),
                       KubectlPrinters.eventSource(event), "", event.type, event.reason, event.message)
        }
    }
}

extension String {
    func ifEmpty(_ fallback: String) -> String { isEmpty ? fallback : self }
}
