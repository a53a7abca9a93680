import Simulation

extension KubectlCommands {
    /// `kubectl rollout status|history|undo TYPE/NAME` (`restart` came with kubectl 1.15).
    func rollout(_ arguments: ArraySlice<String>) throws -> String {
        guard let subcommand = arguments.first else {
            throw KubectlFailure("error: you must specify a subcommand: history, status or undo")
        }
        let targets = try ResourceArguments(arguments.dropFirst(), command: "rollout \(subcommand)", all: era.allResources)
        guard let (resource, name) = targets.pairs.first ?? targets.names.first.map({ (targets.resources.first ?? .deployments, $0) }) else {
            throw KubectlFailure("error: required resource not specified")
        }
        guard resource == .deployments || resource == .daemonsets else {
            throw KubectlFailure("error: no \(subcommand == "status" ? "status viewer" : "history viewer") has been implemented for {\"\(resource.group)\" \"\(resource.kind)\"}")
        }
        switch subcommand {
        case "status": return try status(resource, name)
        case "history": return try history(resource, name)
        default: return try undo(resource, name)
        }
    }

    /// One line of rollout progress, as kubectl's status viewers word it, and whether it is done.
    static func progress(_ object: any APIObject) throws(KubectlFailure) -> (line: String, done: Bool) {
        if let deployment = object as? Deployment {
            let name = deployment.name, status = deployment.status, desired = deployment.spec.replicas
            guard deployment.metadata.generation <= status.observedGeneration else {
                return ("Waiting for deployment spec update to be observed...", false)
            }
            if status.conditions["Progressing"]?.reason == "ProgressDeadlineExceeded" {
                throw KubectlFailure("error: deployment \"\(name)\" exceeded its progress deadline")
            }
            if status.updatedReplicas < desired {
                return ("Waiting for rollout to finish: \(status.updatedReplicas) out of \(desired) new replicas have been updated...", false)
            }
            if status.replicas > status.updatedReplicas {
                return ("Waiting for rollout to finish: \(status.replicas - status.updatedReplicas) old replicas are pending termination...", false)
            }
            if status.availableReplicas < status.updatedReplicas {
                return ("Waiting for rollout to finish: \(status.availableReplicas) of \(status.updatedReplicas) updated replicas are available...", false)
            }
            return ("deployment \"\(name)\" successfully rolled out", true)
        }
        let ds = object as! DaemonSet, status = ds.status
        guard ds.metadata.generation <= status.observedGeneration else { return ("Waiting for daemon set spec update to be observed...", false) }
        if status.updatedNumberScheduled < status.desiredNumberScheduled {
            return ("Waiting for rollout to finish: \(status.updatedNumberScheduled) out of \(status.desiredNumberScheduled) new pods have been updated...", false)
        }
        if status.numberAvailable < status.desiredNumberScheduled {
            return ("Waiting for rollout to finish: \(status.numberAvailable) of \(status.desiredNumberScheduled) updated pods are available...", false)
        }
        return ("daemon set \"\(ds.name)\" successfully rolled out", true)
    }

    /// Watches the rollout, letting simulated time run, and prints each new progress line, as
    /// kubectl does, until it finishes, fails its deadline, or `--timeout` (default 10m) passes.
    /// In a lab that caps what one command may let pass, it stops watching at the cap.
    private func status(_ resource: Resource, _ name: String) throws -> String {
        let requestedWatch = line.switches["watch"] ?? true
        let timeout = try line.value("timeout").map { text throws(KubectlFailure) -> SimTime in
            guard let span = Span.parse(text) else {
                throw KubectlFailure("error: invalid argument \"\(ScriptBounds.shortened(text))\" for \"--timeout\" flag: time: invalid duration \"\(ScriptBounds.shortened(text))\"")
            }
            if let cap = session.runtime.commandTimeCap.limit, span > cap {
                throw KubectlFailure("error: --timeout=\(text) is longer than one command may wait in this lab (\(Span.describe(cap)))")
            }
            return span
        } ?? Span.minutes(10)
        let watch = requestedWatch && session.runtime.commandTimeCap.allowsAdvance
        var lines: [String] = []
        let deadline = session.world.now + session.runtime.waitAllowance(timeout)
        let step = Span.seconds(2)
        while true {
            let (text, done) = try KubectlCommands.progress(try fetch(resource, name))
            if lines.last != text { lines.append(text) }
            if done || !watch { return lines.joined(separator: "\n") }
            guard session.world.now < deadline else {
                throw KubectlFailure((lines + ["error: timed out waiting for the condition"]).joined(separator: "\n"))
            }
            guard session.mayWait(step) else {
                let cap = session.runtime.commandTimeCap.limit.map(Span.describe) ?? "?"
                lines.append("(stopped watching at \(session.world.calendarNow.clock): one command may let at most \(cap) pass in this lab; run it again to watch on)")
                return lines.joined(separator: "\n")
            }
            try session.wait(upTo: min(step, deadline - session.world.now)) { false }
        }
    }

    private func replicaSets(of deployment: Deployment) throws -> [ReplicaSet] {
        try fetchAll(.replicasets, namespace: deployment.namespace, selector: nil).compactMap { $0 as? ReplicaSet }
            .filter { $0.metadata.controllerReference?.uid == deployment.metadata.uid }
            .sorted { $0.revision < $1.revision }
    }

    private func history(_ resource: Resource, _ name: String) throws -> String {
        guard let deployment = try fetch(resource, name) as? Deployment else {
            throw KubectlFailure("error: no history viewer has been implemented for {\"apps\" \"DaemonSet\"}")
        }
        let sets = try replicaSets(of: deployment)
        if let wanted = try line.integer("to-revision") ?? (try? line.integer("revision")) ?? nil {
            guard let rs = sets.first(where: { $0.revision == wanted }) else {
                throw KubectlFailure("error: unable to find the specified revision")
            }
            return "deployments \"\(name)\" with revision #\(wanted)\n" + describeTemplate(rs.spec.template)
        }
        // The history viewer's tabwriter pads with tabs (tab width 8), as both releases print it.
        var lines = ["deployments \"\(name)\"", "REVISION\tCHANGE-CAUSE"]
        for rs in sets where rs.revision > 0 {
            let revision = String(rs.revision)
            let tabs = String(repeating: "\t", count: max(1, (16 - revision.count + 7) / 8))
            lines.append(revision + tabs + (rs.metadata.annotations["kubernetes.io/change-cause"] ?? "<none>"))
        }
        return lines.joined(separator: "\n")
    }

    private func describeTemplate(_ template: PodTemplateSpec) -> String {
        var lines = ["Pod Template:", "  Labels:\t" + KubectlPrinters.labels(template.labels).replacingCommas(), "  Containers:"]
        for container in template.spec.containers {
            lines += ["   \(container.name):", "    Image:\t\(container.image)"]
        }
        return lines.joined(separator: "\n")
    }

    /// Puts an earlier revision's pod template back into the deployment.
    private func undo(_ resource: Resource, _ name: String) throws -> String {
        guard let deployment = try fetch(resource, name) as? Deployment else {
            throw KubectlFailure("error: no rollbacker has been implemented for {\"apps\" \"DaemonSet\"}")
        }
        let sets = try replicaSets(of: deployment)
        let target: ReplicaSet
        if let wanted = try line.integer("to-revision"), wanted != 0 {
            guard let found = sets.first(where: { $0.revision == wanted }) else {
                throw KubectlFailure("error: unable to find specified revision \(wanted) in history")
            }
            target = found
        } else {
            let current = sets.map(\.revision).max() ?? 0
            guard let previous = sets.filter({ $0.revision < current }).last else {
                throw KubectlFailure("error: no rollout history found for deployment \"\(name)\"")
            }
            target = previous
        }
        var template = target.spec.template
        template.labels["pod-template-hash"] = nil
        if template == deployment.spec.template {
            return era.success(.deployments, name, "skipped rollback (DeploymentRollback: current template already matches revision \(target.revision))")
        }
        let result = try session.call(.patch(.deployments, namespace: namespace, name: name, { (object: inout any APIObject) throws(APIError) in
            if var stored = object as? Deployment { stored.spec.template = template; object = stored }
        }))
        if case .failure(let error) = result { throw failure(error) }
        return era.success(.deployments, name, "rolled back")
    }
}

extension String {
    func replacingCommas() -> String { split(separator: ",").joined(separator: "\n\t") }
}
