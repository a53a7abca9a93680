import Simulation

/// A flag as kubectl 1.6's help lists it: `-o, --output='': Output format...`.
struct KubectlFlag: Sendable {
    let name: String
    let shorthand: Character?
    /// The default as the help prints it: `false`, `''`, `-1`.
    let defaultText: String
    let help: String

    init(_ name: String, _ shorthand: Character? = nil, _ defaultText: String, _ help: String) {
        (self.name, self.shorthand, self.defaultText, self.help) = (name, shorthand, defaultText, help)
    }
}

/// One kubectl command: its words and flags as the era's `--help` gives them, and what runs it.
/// A command with subcommands (`rollout`, `set`, `top`) has no `run` and prints its help.
struct KubectlCommandSpec: Sendable {
    let path: String
    let summary: String
    let description: String
    let usage: String
    let examples: [String]
    let flags: [String]
    var run: (@Sendable (KubectlCommands, ArraySlice<String>) throws -> String)?

    /// Flags every command takes (kubectl's global `--namespace` and `--server`, and `--help`).
    static let globalFlags: Set<String> = ["namespace", "server", "help"]

    /// The first flag on the line this command does not take, in cobra's words.
    func unknownFlag(in line: KubectlCommandLine) -> String? {
        let given = Array(line.values.keys) + Array(line.switches.keys)
        for name in given.sorted() where !flags.contains(name) && !KubectlCommandSpec.globalFlags.contains(name) {
            return "unknown flag: --\(name)"
        }
        return nil
    }
}

/// The commands Firedrill's kubectl runs, in the groups and order kubectl 1.6's help lists them.
enum KubectlCommandTable {
    static let groups: [(title: String, commands: [String])] = [
        ("Basic Commands (Beginner)", ["set"]),
        ("Basic Commands (Intermediate)", ["get", "edit", "delete"]),
        ("Deploy Commands", ["rollout", "scale"]),
        ("Cluster Management Commands", ["cluster-info", "top", "cordon", "uncordon", "drain"]),
        ("Troubleshooting and Debugging Commands", ["describe", "logs"]),
        ("Advanced Commands", ["apply", "patch"]),
        ("Other Commands", ["version"]),
    ]

    /// Finds the command the words name (`rollout status` before `rollout`); the rest are its
    /// arguments. No words at all is kubectl alone, which prints the root help.
    static func resolve(_ words: [String], era: KubectlEra) throws(KubectlFailure) -> (KubectlCommandSpec, ArraySlice<String>)? {
        guard let verb = words.first else { return nil }
        if words.count > 1, let sub = specs["\(verb) \(words[1])"] { return (sub, words.dropFirst(2)) }
        guard let spec = specs[verb] else {
            throw KubectlFailure("Error: unknown command \"\(verb)\" for \"kubectl\"\nRun 'kubectl --help' for usage.")
        }
        if spec.run == nil, words.count > 1 {
            throw KubectlFailure("Error: unknown command \"\(words[1])\" for \"kubectl \(verb)\"\nRun 'kubectl \(verb) --help' for usage.")
        }
        return (spec, words.dropFirst())
    }

    /// The subcommands of a command with them, in order.
    static func subcommands(of path: String) -> [KubectlCommandSpec] {
        specs.values.filter { $0.path.hasPrefix(path + " ") }.sorted { $0.path < $1.path }
    }

    static let flags: [String: KubectlFlag] = Dictionary(uniqueKeysWithValues: [
        KubectlFlag("all-namespaces", nil, "false", "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace."),
        KubectlFlag("selector", "l", "''", "Selector (label query) to filter on, supports '=', '==', and '!='."),
        KubectlFlag("output", "o", "''", "Output format. One of: json|yaml|wide|name."),
        KubectlFlag("show-labels", nil, "false", "When printing, show all labels as the last column (default hide labels column)"),
        KubectlFlag("sort-by", nil, "''", "If non-empty, sort list types using this field specification.  The field specification is expressed as a JSONPath expression (e.g. '{.metadata.name}'). The field in the API resource specified by this JSONPath expression must be an integer or a string."),
        KubectlFlag("watch", "w", "false", "After listing/getting the requested object, watch for changes. (Firedrill: refused; use sim.advance and get again)"),
        KubectlFlag("container", "c", "''", "Print the logs of this container"),
        KubectlFlag("previous", "p", "false", "If true, print the logs for the previous instance of the container in a pod if it exists."),
        KubectlFlag("tail", nil, "-1", "Lines of recent log file to display. Defaults to -1, showing all log lines."),
        KubectlFlag("replicas", nil, "-1", "The new desired number of replicas. Required."),
        KubectlFlag("to-revision", nil, "0", "The revision to rollback to. Default to 0 (last revision)."),
        KubectlFlag("revision", nil, "0", "See the details, including podTemplate of the revision specified"),
        KubectlFlag("filename", "f", "[]", "Filename, directory, or URL to files to use. (Firedrill: a file path, or - for the second argument of kubectl())"),
        KubectlFlag("force", nil, "false", "Immediate deletion of some resources may result in inconsistency or data loss and requires confirmation. For drain: continue even if there are pods not managed by a ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet."),
        KubectlFlag("grace-period", nil, "-1", "Period of time in seconds given to the resource to terminate gracefully. Ignored if negative."),
        KubectlFlag("all", nil, "false", "[-all] to select all the specified resources."),
        KubectlFlag("wait", nil, "false", "(Firedrill) If true, let simulated time run until deleted pods are gone; kubectl of this era returns at once."),
        KubectlFlag("timeout", nil, "10m", "(Firedrill) How long to watch before giving up; kubectl of this era watches until the rollout ends."),
        KubectlFlag("ignore-daemonsets", nil, "false", "Ignore DaemonSet-managed pods."),
        KubectlFlag("delete-local-data", nil, "false", "Continue even if there are pods using emptyDir (local data that will be deleted when the node is drained)."),
        KubectlFlag("patch", "p", "''", "The patch to be applied to the resource JSON file."),
        KubectlFlag("type", nil, "'strategic'", "The type of patch being provided; one of [json merge strategic]"),
        KubectlFlag("short", nil, "false", "Print just the version number."),
        KubectlFlag("client", nil, "false", "Client version only (no server required)."),
        KubectlFlag("namespace", "n", "''", "If present, the namespace scope for this CLI request"),
        KubectlFlag("server", "s", "''", "The address and port of the Kubernetes API server (Firedrill: a master's name, as https://master-2 or master-2:443, sends the request to that apiserver instead of through the load balancer)"),
    ].map { ($0.name, $0) })

    static let specs: [String: KubectlCommandSpec] = Dictionary(uniqueKeysWithValues: [
        KubectlCommandSpec(
            path: "get", summary: "Display one or many resources",
            description: "Display one or many resources.\n\nValid resource types include:\n\n" + resourceList
                + "\n\nThis command will hide resources that have completed, such as pods that are in the Succeeded or Failed phases.",
            usage: "kubectl get [(-o|--output=)json|yaml|wide|name] (TYPE [NAME | -l label] | TYPE/NAME ...) [flags]",
            examples: ["# List all pods in ps output format.\nkubectl get pods",
                       "# List all pods in ps output format with more information (such as node name).\nkubectl get pods -o wide",
                       "# List a single deployment with specified NAME in JSON output format.\nkubectl get -o json deployment web",
                       "# List all replication controllers and services together in ps output format.\nkubectl get deploy,services",
                       "# List one or more resources by their type and names.\nkubectl get deploy/web svc/web pods/web-2274167345-x1k9l"],
            flags: ["all-namespaces", "selector", "output", "show-labels", "sort-by", "watch"],
            run: { try $0.get($1) }),
        KubectlCommandSpec(
            path: "describe", summary: "Show details of a specific resource or group of resources",
            description: "Show details of a specific resource or group of resources.\n\nThis command joins many API calls together to form a detailed description of a given resource or group of resources.\n\n  $ kubectl describe TYPE NAME_PREFIX\n\nwill first check for an exact match on TYPE and NAME_PREFIX. (Firedrill: exact names only.)\n\nValid resource types include:\n\n" + resourceList,
            usage: "kubectl describe (TYPE [NAME | -l label] | TYPE/NAME)",
            examples: ["# Describe a node\nkubectl describe nodes node-1", "# Describe a pod\nkubectl describe pods/nginx",
                       "# Describe pods by label name=myLabel\nkubectl describe po -l name=myLabel"],
            flags: ["all-namespaces", "selector"], run: { try $0.describe($1) }),
        KubectlCommandSpec(
            path: "logs", summary: "Print the logs for a container in a pod",
            description: "Print the logs for a container in a pod. If the pod has only one container, the container name is optional.",
            usage: "kubectl logs [-p] POD [-c CONTAINER]",
            examples: ["# Return snapshot logs from pod nginx with only one container\nkubectl logs nginx",
                       "# Return snapshot of previous terminated ruby container logs from pod web-1\nkubectl logs -p -c ruby web-1",
                       "# Show the most recent 20 lines of output\nkubectl logs --tail=20 nginx",
                       "# Return snapshot logs from first container of a job named hello\nkubectl logs deployment/web"],
            flags: ["container", "previous", "tail"], run: { try $0.logs($1) }),
        KubectlCommandSpec(
            path: "scale", summary: "Set a new size for a Deployment, ReplicaSet, Replication Controller, or Job",
            description: "Set a new size for a Deployment, ReplicaSet, Replication Controller, or Job.\n\nScale also allows users to specify one or more preconditions for the scale action. (Firedrill: no preconditions.)",
            usage: "kubectl scale --replicas=COUNT (TYPE NAME | TYPE/NAME)",
            examples: ["# Scale a replicaset named 'foo' to 3.\nkubectl scale --replicas=3 rs/foo",
                       "# Scale a deployment named 'web' to 5.\nkubectl scale --replicas=5 deployment/web"],
            flags: ["replicas"], run: { try $0.scale($1) }),
        KubectlCommandSpec(
            path: "rollout", summary: "Manage a deployment rollout",
            description: "Manage a deployment using subcommands like \"kubectl rollout undo deployment/abc\"",
            usage: "kubectl rollout SUBCOMMAND",
            examples: ["# Rollback to the previous deployment\nkubectl rollout undo deployment/abc"], flags: [], run: nil),
        KubectlCommandSpec(
            path: "rollout history", summary: "View rollout history",
            description: "View previous rollout revisions and configurations.",
            usage: "kubectl rollout history (TYPE NAME | TYPE/NAME) [flags]",
            examples: ["# View the rollout history of a deployment\nkubectl rollout history deployment/abc",
                       "# View the details of deployment revision 3\nkubectl rollout history deployment/abc --revision=3"],
            flags: ["revision"], run: { try $0.rollout(ArraySlice(["history"] + $1)) }),
        KubectlCommandSpec(
            path: "rollout status", summary: "Show the status of the rollout",
            description: "Show the status of the rollout.\n\nBy default 'rollout status' will watch the status of the latest rollout until it's done. If you don't want to wait for the rollout to finish then you can use --watch=false. Note that if a new rollout starts in-between, then 'rollout status' will continue watching the latest revision.",
            usage: "kubectl rollout status (TYPE NAME | TYPE/NAME) [flags]",
            examples: ["# Watch the rollout status of a deployment\nkubectl rollout status deployment/nginx"],
            flags: ["watch", "timeout"], run: { try $0.rollout(ArraySlice(["status"] + $1)) }),
        KubectlCommandSpec(
            path: "rollout undo", summary: "Undo a previous rollout",
            description: "Rollback to a previous rollout.",
            usage: "kubectl rollout undo (TYPE NAME | TYPE/NAME) [flags]",
            examples: ["# Rollback to the previous deployment\nkubectl rollout undo deployment/abc",
                       "# Rollback to deployment revision 3\nkubectl rollout undo deployment/abc --to-revision=3"],
            flags: ["to-revision"], run: { try $0.rollout(ArraySlice(["undo"] + $1)) }),
        KubectlCommandSpec(
            path: "set", summary: "Set specific features on objects",
            description: "Configure application resources\n\nThese commands help you make changes to existing application resources.",
            usage: "kubectl set SUBCOMMAND", examples: [], flags: [], run: nil),
        KubectlCommandSpec(
            path: "set image", summary: "Update image of a pod template",
            description: "Update existing container image(s) of resources.\n\nPossible resources include (case insensitive):\n\n  deployment (deploy), replicaset (rs), daemonset (ds)",
            usage: "kubectl set image (TYPE NAME | TYPE/NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... CONTAINER_NAME_N=CONTAINER_IMAGE_N",
            examples: ["# Set a deployment's nginx container image to 'nginx:1.9.1', and its busybox container image to 'busybox'.\nkubectl set image deployment/nginx busybox=busybox nginx=nginx:1.9.1",
                       "# Update image of all containers of daemonset abc to 'nginx:1.9.1'\nkubectl set image daemonset abc *=nginx:1.9.1"],
            flags: [], run: { try $0.setImage($1) }),
        KubectlCommandSpec(
            path: "patch", summary: "Update field(s) of a resource using strategic merge patch",
            description: "Update field(s) of a resource using strategic merge patch\n\nJSON and YAML formats are accepted.",
            usage: "kubectl patch (TYPE NAME | TYPE/NAME) -p PATCH [--type=strategic|merge|json]",
            examples: ["# Partially update a node using strategic merge patch\nkubectl patch node k8s-node-1 -p '{\"spec\":{\"unschedulable\":true}}'",
                       "# Update a container's image; spec.containers[*].name is required because it's a merge key\nkubectl patch deployment web -p '{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.13\"}]}}}}'",
                       "# Update a container's image using a json patch with positional arrays\nkubectl patch deployment web --type='json' -p='[{\"op\": \"replace\", \"path\": \"/spec/template/spec/containers/0/image\", \"value\":\"nginx:1.13\"}]'"],
            flags: ["patch", "type"], run: { try $0.patch($1) }),
        KubectlCommandSpec(
            path: "edit", summary: "Edit a resource on the server",
            description: "Edit a resource from the default editor.\n\nkubectl opens the object in $EDITOR and applies what you save. Firedrill has no editor: pass the edited object (YAML or JSON) as kubectl()'s second argument, as kubectl \"get TYPE NAME -o yaml\" printed it.",
            usage: "kubectl(\"edit (TYPE NAME | TYPE/NAME)\", edited_yaml)",
            examples: ["-- Edit the service named 'web'\nlocal yaml = kubectl \"get svc web -o yaml\"\nkubectl(\"edit svc/web\", yaml:gsub(\"port: 80\", \"port: 8080\"))"],
            flags: [], run: { try $0.edit($1) }),
        KubectlCommandSpec(
            path: "delete", summary: "Delete resources by filenames, stdin, resources and names, or by resources and label selector",
            description: "Delete resources by filenames, stdin, resources and names, or by resources and label selector.\n\nNote that the delete command does NOT do resource version checks, so if someone submits an update to a resource right when you submit a delete, their update will be lost along with the rest of the resource.",
            usage: "kubectl delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)])",
            examples: ["# Delete pods and services with same names \"baz\" and \"foo\"\nkubectl delete pod,service baz foo",
                       "# Delete pods and services with label name=myLabel.\nkubectl delete pods,services -l name=myLabel",
                       "# Delete a pod with minimal delay\nkubectl delete pod foo --now",
                       "# Force delete a pod on a dead node\nkubectl delete pod foo --grace-period=0 --force"],
            flags: ["filename", "selector", "all", "force", "grace-period", "wait"], run: { try $0.delete($1) }),
        KubectlCommandSpec(
            path: "apply", summary: "Apply a configuration to a resource by filename or stdin",
            description: "Apply a configuration to a resource by filename or stdin. The resource name must be specified. This resource will be created if it doesn't exist yet. To use 'apply', always create the resource initially with either 'apply' or 'create --save-config'.\n\nJSON and YAML formats are accepted.",
            usage: "kubectl apply -f FILENAME",
            examples: ["# Apply the configuration in pod.json to a pod.\nkubectl apply -f ./pod.json",
                       "-- Apply the YAML passed as kubectl()'s second argument.\nkubectl(\"apply -f -\", manifest)"],
            flags: ["filename"], run: { commands, _ in try commands.apply() }),
        KubectlCommandSpec(
            path: "cordon", summary: "Mark node as unschedulable", description: "Mark node as unschedulable.",
            usage: "kubectl cordon NODE", examples: ["# Mark node \"foo\" as unschedulable.\nkubectl cordon foo"],
            flags: [], run: { try $0.cordon($1, unschedulable: true) }),
        KubectlCommandSpec(
            path: "uncordon", summary: "Mark node as schedulable", description: "Mark node as schedulable.",
            usage: "kubectl uncordon NODE", examples: ["# Mark node \"foo\" as schedulable.\nkubectl uncordon foo"],
            flags: [], run: { try $0.cordon($1, unschedulable: false) }),
        KubectlCommandSpec(
            path: "drain", summary: "Drain node in preparation for maintenance",
            description: "Drain node in preparation for maintenance.\n\nThe given node will be marked unschedulable to prevent new pods from arriving. 'drain' evicts the pods if the APIServer supports eviction. Otherwise, it will use normal DELETE to delete the pods. The 'drain' evicts or deletes all pods except mirror pods (which cannot be deleted through the API server).  If there are DaemonSet-managed pods, drain will not proceed without --ignore-daemonsets, and regardless it will not delete any DaemonSet-managed pods, because those pods would be immediately replaced by the DaemonSet controller, which ignores unschedulable markings.  If there are any pods that are neither mirror pods nor managed by ReplicationController, ReplicaSet, DaemonSet, StatefulSet or Job, then drain will not delete any pods unless you use --force.\n\nWhen you are ready to put the node back into service, use kubectl uncordon, which will make the node schedulable again.",
            usage: "kubectl drain NODE",
            examples: ["# Drain node \"foo\", even if there are pods not managed by a ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet on it.\nkubectl drain foo --force"],
            flags: ["force", "ignore-daemonsets", "delete-local-data", "grace-period"], run: { try $0.drain($1) }),
        KubectlCommandSpec(
            path: "top", summary: "Display Resource (CPU/Memory/Storage) usage.",
            description: "Display Resource (CPU/Memory/Storage) usage.\n\nThe top command allows you to see the resource consumption for nodes or pods.\n\nThis command requires Heapster to be correctly configured and working on the server.",
            usage: "kubectl top", examples: [], flags: [], run: nil),
        KubectlCommandSpec(
            path: "top node", summary: "Display Resource (CPU/Memory/Storage) usage of nodes",
            description: "Display Resource (CPU/Memory/Storage) usage of nodes.\n\nThe top-node command allows you to see the resource consumption of nodes.",
            usage: "kubectl top node [NAME | -l label]", examples: ["# Show metrics for all nodes\nkubectl top node"],
            flags: ["selector"], run: { try $0.top($1) }),
        KubectlCommandSpec(
            path: "top pod", summary: "Display Resource (CPU/Memory/Storage) usage of pods",
            description: "Display Resource (CPU/Memory/Storage) usage of pods.\n\nThe 'top pod' command allows you to see the resource consumption of pods.\n\nDue to the metrics pipeline delay, they may be unavailable for a few minutes since pod creation.",
            usage: "kubectl top pod [NAME | -l label]", examples: ["# Show metrics for all pods in the default namespace\nkubectl top pod"],
            flags: ["selector", "all-namespaces"], run: { try $0.top($1) }),
        KubectlCommandSpec(
            path: "cluster-info", summary: "Display cluster info",
            description: "Display addresses of the master and services with label kubernetes.io/cluster-service=true To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.",
            usage: "kubectl cluster-info", examples: ["# Print the address of the master and cluster services\nkubectl cluster-info"],
            flags: [], run: { commands, _ in try commands.clusterInfo() }),
        KubectlCommandSpec(
            path: "version", summary: "Print the client and server version information",
            description: "Print the client and server version information for the current context",
            usage: "kubectl version [--short] [--client]", examples: ["# Print the client and server versions for the current context\nkubectl version"],
            flags: ["short", "client"], run: { commands, _ in try commands.version() }),
        KubectlCommandSpec(
            path: "options", summary: "Print the list of flags inherited by all commands",
            description: "The following options can be passed to any command:\n\n"
                + KubectlCommandSpec.globalFlags.sorted().compactMap { flags[$0] }.map(KubectlHelp.option).joined(separator: "\n"),
            usage: "kubectl options", examples: ["# Print flags inherited by all commands\nkubectl options"], flags: [], run: nil),
    ].map { ($0.path, $0) })

    /// `* pods (aka 'po')`, the types Firedrill's kubectl knows, as 1.6's help lists them.
    static var resourceList: String {
        let types = ["all"] + (["componentstatuses (aka 'cs')"] + Resource.allCases.map { resource in
            resource.shortNames.first.map { "\(resource.rawValue) (aka '\($0)')" } ?? resource.rawValue
        }).sorted()
        return types.map { "  * \($0)" }.joined(separator: "\n")
    }
}
