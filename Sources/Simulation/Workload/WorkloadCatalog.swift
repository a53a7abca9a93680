/// One service of a workload: its deployment's size and image, and how long it takes to answer.
public struct CatalogService: Sendable, Equatable {
    public let reference: ServiceReference
    public var replicas: Int64
    public var image: String
    /// The time the service itself spends on a request.
    public var serviceTimeMilliseconds: Double
    /// The standalone platform it runs on (`StandalonePlatform`), or nil: a Deployment on
    /// Kubernetes, called through the linkerds.
    public var platform: String?

    public init(_ reference: ServiceReference, replicas: Int64, image: String, serviceTimeMilliseconds: Double, platform: String? = nil) {
        self.reference = reference
        self.replicas = replicas
        self.image = image
        self.serviceTimeMilliseconds = serviceTimeMilliseconds
        self.platform = platform
    }
}

/// A call one service makes to another while serving a request, by catalog index.
public struct ServiceCall: Sendable, Equatable {
    public let caller: Int
    public let callee: Int

    public init(caller: Int, callee: Int) {
        self.caller = caller
        self.callee = callee
    }
}

/// A kind of request customers or staff make (a card payment, a balance refresh): where it
/// enters the platform, the calls it makes on its way, in order, and how many arrive.
public struct RequestClass: Sendable, Equatable {
    public let name: String
    public let summary: String
    /// The service that receives it from outside the mesh (from a load balancer or a card network).
    public let entry: Int
    /// Every call the request makes, in the order made; each must succeed for the request to.
    public let calls: [ServiceCall]
    public let peakRequestsPerSecond: Double
    public let curve: DailyCurve
    /// The share of this class that card stand-in processing approves when the platform fails
    /// it (low-value card payments); zero for classes that are not card payments.
    public let standInShare: Double

    public init(name: String, summary: String, entry: Int, calls: [ServiceCall], peakRequestsPerSecond: Double,
                curve: DailyCurve, standInShare: Double = 0) {
        precondition(calls.allSatisfy { $0.caller != $0.callee }, "a service does not call itself")
        (self.name, self.summary, self.entry, self.calls) = (name, summary, entry, calls)
        (self.peakRequestsPerSecond, self.curve, self.standInShare) = (peakRequestsPerSecond, curve, standInShare)
    }

    /// Requests per second at a calendar time.
    public func requestsPerSecond(at time: CalendarTime) -> Double { peakRequestsPerSecond * curve.fraction(at: time) }

    public var isCardPayment: Bool { standInShare > 0 }
}

/// The services of a platform and the request classes that flow through them: what a scenario
/// deploys and what the traffic pushes through the mesh.
public struct WorkloadCatalog: Sendable {
    public let services: [CatalogService]
    public let classes: [RequestClass]
    private let indexByReference: [ServiceReference: Int]

    public init(services: [CatalogService], classes: [RequestClass]) {
        self.services = services
        self.classes = classes
        var index: [ServiceReference: Int] = [:]
        for (position, service) in services.enumerated() {
            precondition(index[service.reference] == nil, "service \(service.reference) listed twice")
            index[service.reference] = position
        }
        indexByReference = index
        for requestClass in classes {
            precondition(requestClass.calls.allSatisfy { $0.caller < services.count && $0.callee < services.count },
                         "class \(requestClass.name) calls a service not in the catalog")
            // A platform's services reach each other directly; the mesh cannot carry a call off it.
            let platform = services[requestClass.entry].platform
            precondition(requestClass.calls.allSatisfy { services[$0.caller].platform == platform && services[$0.callee].platform == platform },
                         "class \(requestClass.name) crosses between platforms")
        }
    }

    public func index(of reference: ServiceReference) -> Int? { indexByReference[reference] }

    public func requestClass(named name: String) -> RequestClass? { classes.first { $0.name == name } }

    /// The namespaces the services live in, in the order they first appear (a standalone
    /// platform's services are grouped the same way, though no Kubernetes namespace holds them).
    public var namespaces: [String] {
        var seen: [String] = []
        for service in services where !seen.contains(service.reference.namespace) { seen.append(service.reference.namespace) }
        return seen
    }

    /// The namespaces with services on Kubernetes: what the linkerds route.
    public var kubernetesNamespaces: [String] {
        namespaces.filter { namespace in services.contains { $0.reference.namespace == namespace && $0.platform == nil } }
    }

    /// The platform a class runs on: nil for Kubernetes and the mesh.
    public func platform(of requestClass: RequestClass) -> String? { services[requestClass.entry].platform }

    /// Every service a class touches, its entry first, each once, in the order reached.
    public func servicesReached(by requestClass: RequestClass) -> [Int] {
        var reached = [requestClass.entry]
        for call in requestClass.calls where !reached.contains(call.callee) { reached.append(call.callee) }
        return reached
    }

    /// The namespaces, a Deployment and a Service for each service on Kubernetes, as a
    /// scenario's initial objects.
    public func kubernetesObjects() -> [any APIObject] {
        var objects: [any APIObject] = kubernetesNamespaces.map { ObjectTemplates.namespace($0) }
        for service in services where service.platform == nil {
            let reference = service.reference
            objects.append(ObjectTemplates.deployment(reference.name, namespace: reference.namespace, replicas: service.replicas,
                                                      image: service.image, cpu: "50m", memory: "96Mi"))
            objects.append(ObjectTemplates.service(reference.name, namespace: reference.namespace))
        }
        return objects
    }
}
