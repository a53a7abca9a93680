/// The Monzo-like bank's services and request classes, generated from the seed: a hand-placed
/// core that carries each product's requests, where the real outage put them, and a few hundred
/// other services around it. The core decides the outage's shape:
///
/// - Every current-account flow (card payments, bank transfers, feed and balance, COps
///   lookups) calls `current-account/account`, so a namespace-wide discovery failure in
///   `current-account` takes them all down.
/// - `current-account/overdraft-alerts` is the new feature that gets scaled to zero the day
///   before; it carries no traffic, and its empty Endpoints sits in that same namespace.
/// - `payments/transaction-processor` is on the current-account payment path (card payments
///   and transfers): the 14:10 deploy.
/// - Prepaid card payments (Monzo Alpha and Beta) run on the prepaid platform, hosts of its own
///   outside Kubernetes and linkerd (the postmortem's "separate path"): the card network sends
///   their authorisations straight to it, to the services named `prepaid-platform/...`. The
///   `prepaid` namespace on Kubernetes holds the prepaid team's services as they move over; no
///   customer request reaches them yet. (They stay so that the Kubernetes side of the bank, and
///   with it what a seed strands, is the same as before prepaid moved off the mesh.)
public enum BankCatalog {
    public static let namespaces = ["edge", "cards", "prepaid", "payments", "current-account", "ledger", "feed", "cops"]
    /// The standalone platform prepaid card payments run on (`StandalonePlatform`), and the
    /// group its services are named in.
    public static let prepaidPlatform = "prepaid"
    public static let prepaidPlatformGroup = "prepaid-platform"
    /// The service scaled to zero replicas on Thursday 26 October.
    public static let scaledToZeroService = ServiceReference(namespace: "current-account", name: "overdraft-alerts")
    /// The service deployed at 14:10 on Friday 27 October.
    public static let deployedService = ServiceReference(namespace: "payments", name: "transaction-processor")

    /// The catalog for a seed: the core services, 30 to 38 others per namespace, and the five
    /// request classes with a few calls to those others on their way.
    public static func make(seed: UInt64) -> WorkloadCatalog {
        let random = RandomStream(seed: seed, name: "bank/catalog")
        var services: [CatalogService] = []
        func add(_ namespace: String, _ name: String, replicas: Int64, time: ClosedRange<Double>) {
            let build = random.integer(in: 10..<99)
            services.append(CatalogService(ServiceReference(namespace: namespace, name: name), replicas: replicas,
                                           image: "monzo/\(name):2017.10.\(build)", serviceTimeMilliseconds: (random.uniform(time.lowerBound, time.upperBound) * 10).rounded() / 10))
        }
        for (namespace, names) in core {
            for (name, replicas) in names { add(namespace, name, replicas: replicas, time: 2...9) }
        }
        for namespace in namespaces {
            var pool = (fillers[namespace] ?? []).filter { name in services.allSatisfy { $0.reference.name != name } }
            random.shuffle(&pool)
            for name in pool.prefix(random.integer(in: 30..<39)).sorted() { add(namespace, name, replicas: 2, time: 1...6) }
        }
        services += prepaidPlatformServices(seed: seed)
        let provisional = WorkloadCatalog(services: services, classes: [])
        func reference(_ text: String) -> Int { provisional.index(of: ServiceReference(parsing: text)!)! }
        let classes = classTemplates.map { template in
            var calls = template.calls.map { ServiceCall(caller: reference($0.0), callee: reference($0.1)) }
            if provisional.services[reference(template.entry)].platform == nil {
                calls = withSideCalls(calls, entry: reference(template.entry), catalog: provisional, random: random)
            }
            let peak = (template.peak * random.uniform(0.9, 1.1)).rounded()
            return RequestClass(name: template.name, summary: template.summary, entry: reference(template.entry), calls: calls,
                                peakRequestsPerSecond: peak, curve: template.curve, standInShare: template.standInShare)
        }
        return WorkloadCatalog(services: services, classes: classes)
    }

    /// The prepaid platform's stack, drawn from a stream of its own so that the Kubernetes
    /// services and the other classes come out of a seed as they did before it moved.
    private static func prepaidPlatformServices(seed: UInt64) -> [CatalogService] {
        let random = RandomStream(seed: seed, name: "bank/prepaid-platform")
        return ["processor", "authoriser", "balance", "ledger"].map { name in
            CatalogService(ServiceReference(namespace: prepaidPlatformGroup, name: name), replicas: 3,
                           image: "monzo/prepaid-\(name):2017.10.\(random.integer(in: 10..<99))",
                           serviceTimeMilliseconds: (random.uniform(2, 9) * 10).rounded() / 10, platform: prepaidPlatform)
        }
    }

    /// Adds two or three calls from services on the path to other services of their namespace,
    /// right after each caller is first reached: the helpers every real request touches.
    private static func withSideCalls(_ calls: [ServiceCall], entry: Int, catalog: WorkloadCatalog, random: RandomStream) -> [ServiceCall] {
        var result = calls
        let corePlaced = Set(core.flatMap { namespace, names in names.map { ServiceReference(namespace: namespace, name: $0.0) } })
        let onPath = [entry] + calls.map(\.callee)
        for _ in 0..<random.integer(in: 2..<4) {
            let caller = onPath[random.integer(in: 0..<onPath.count)]
            let namespace = catalog.services[caller].reference.namespace
            let helpers = catalog.services.indices.filter { candidate in
                catalog.services[candidate].reference.namespace == namespace && !corePlaced.contains(catalog.services[candidate].reference)
                    && !result.contains { $0.callee == candidate }
            }
            guard let helper = random.element(of: helpers) else { continue }
            let position = (result.firstIndex { $0.callee == caller }).map { $0 + 1 } ?? 0
            result.insert(ServiceCall(caller: caller, callee: helper), at: position)
        }
        return result
    }

    // MARK: The core

    private static let core: [(String, [(String, Int64)])] = [
        ("edge", [("api-gateway", 4), ("card-network-gateway", 3), ("faster-payments-gateway", 3)]),
        ("cards", [("card-processor", 3), ("card-authoriser", 3), ("card-controls", 3)]),
        ("prepaid", [("prepaid-processor", 3), ("prepaid-authoriser", 3), ("prepaid-balance", 3), ("prepaid-ledger", 3)]),
        ("payments", [("transaction-processor", 3), ("transfer-processor", 3), ("payment-limits", 3), ("fraud-scoring", 3)]),
        ("current-account", [("account", 4), ("account-balance", 3), ("account-holds", 3), ("overdraft-alerts", 2)]),
        ("ledger", [("ledger-writer", 3), ("ledger-reader", 3), ("ledger-balances", 3)]),
        ("feed", [("feed", 4), ("balance", 3), ("feed-enrichment", 3), ("push-notifications", 3)]),
        ("cops", [("cops-portal", 2), ("customer-lookup", 3), ("cops-search", 2)]),
    ]

    private struct ClassTemplate {
        let name: String
        let summary: String
        let entry: String
        let calls: [(String, String)]
        let peak: Double
        let curve: DailyCurve
        var standInShare = 0.0
    }

    private static let classTemplates: [ClassTemplate] = [
        ClassTemplate(name: "card_payments", summary: "current-account card payments, from the card network", entry: "edge/card-network-gateway",
                      calls: [("edge/card-network-gateway", "cards/card-processor"), ("cards/card-processor", "cards/card-authoriser"),
                              ("cards/card-authoriser", "cards/card-controls"), ("cards/card-authoriser", "payments/fraud-scoring"),
                              ("cards/card-authoriser", "payments/transaction-processor"), ("payments/transaction-processor", "current-account/account"),
                              ("current-account/account", "current-account/account-holds"), ("payments/transaction-processor", "ledger/ledger-writer"),
                              ("payments/transaction-processor", "feed/push-notifications")],
                      peak: 140, curve: .cardSpending, standInShare: 0.8),
        ClassTemplate(name: "bank_transfers", summary: "Faster Payments in and out of current accounts", entry: "edge/faster-payments-gateway",
                      calls: [("edge/faster-payments-gateway", "payments/transfer-processor"), ("payments/transfer-processor", "payments/payment-limits"),
                              ("payments/transfer-processor", "payments/fraud-scoring"), ("payments/transfer-processor", "payments/transaction-processor"),
                              ("payments/transaction-processor", "current-account/account"), ("payments/transaction-processor", "ledger/ledger-writer"),
                              ("payments/transaction-processor", "feed/push-notifications")],
                      peak: 30, curve: .transfers),
        ClassTemplate(name: "feed_balance", summary: "the app refreshing its feed and balance", entry: "edge/api-gateway",
                      calls: [("edge/api-gateway", "feed/feed"), ("feed/feed", "feed/feed-enrichment"), ("feed/feed", "current-account/account"),
                              ("feed/feed", "ledger/ledger-reader"), ("edge/api-gateway", "feed/balance"), ("feed/balance", "current-account/account-balance"),
                              ("current-account/account-balance", "ledger/ledger-balances")],
                      peak: 1_800, curve: .appUsage),
        ClassTemplate(name: "cops_lookups", summary: "customer operations looking customers up", entry: "cops/cops-portal",
                      calls: [("cops/cops-portal", "cops/customer-lookup"), ("cops/customer-lookup", "current-account/account"),
                              ("cops/customer-lookup", "cards/card-controls"), ("cops/customer-lookup", "feed/feed"),
                              ("feed/feed", "ledger/ledger-reader"), ("cops/cops-portal", "cops/cops-search")],
                      peak: 12, curve: .supportShifts),
        ClassTemplate(name: "prepaid_card_payments", summary: "prepaid (Alpha and Beta) card payments, on the prepaid platform outside Kubernetes",
                      entry: "prepaid-platform/processor",
                      calls: [("prepaid-platform/processor", "prepaid-platform/authoriser"),
                              ("prepaid-platform/authoriser", "prepaid-platform/balance"), ("prepaid-platform/authoriser", "prepaid-platform/ledger")],
                      peak: 45, curve: .cardSpending, standInShare: 0.8),
    ]

    // MARK: Everything else

    private static let fillers: [String: [String]] = [
        "edge": ["app-config", "app-versions", "auth", "auth-tokens", "certificates", "cors", "device-registry", "developer-portal", "edge-metrics",
                 "geo-ip", "graphql", "health-probe", "identity", "ip-allowlist", "login-links", "mastercard-mdes", "oauth", "partner-api",
                 "public-api", "rate-limiter", "request-signing", "session", "sms-gateway", "sso", "static-assets", "status-page", "support-chat",
                 "tls-terminator", "user-agent", "visa-gateway", "web-app", "webhooks", "websocket", "api-docs", "bot-detection", "cdn-purge",
                 "captcha", "email-links", "deep-links", "maintenance-mode"],
        "cards": ["card-activation", "card-art", "card-delivery", "card-design", "card-dispatch", "card-events", "card-fees", "card-freeze",
                  "card-limits", "card-manufacturing", "card-orders", "card-pin", "card-replacement", "card-reports", "card-settlement",
                  "card-statements", "card-tokens", "chargebacks", "contactless", "cvc-check", "disputes", "emv-keys", "fx-rates", "gambling-block",
                  "merchant-data", "merchant-logos", "mcc-lookup", "offline-authorisations", "pin-unblock", "presentments", "reversals",
                  "scheme-files", "three-d-secure", "travel-notices", "virtual-cards", "wallet-provisioning", "atm-withdrawals", "clearing",
                  "authorisation-log", "card-search"],
        "prepaid": ["prepaid-activation", "prepaid-cards", "prepaid-closure", "prepaid-events", "prepaid-fees", "prepaid-kyc", "prepaid-limits",
                    "prepaid-migration", "prepaid-notifications", "prepaid-pin", "prepaid-refunds", "prepaid-reports", "prepaid-settlement",
                    "prepaid-statements", "prepaid-topups", "prepaid-transfers", "prepaid-users", "prepaid-webhooks", "topup-cards", "topup-fraud",
                    "topup-limits", "topup-receipts", "alpha-cards", "beta-cards", "beta-waitlist", "prepaid-audit", "prepaid-balances-export",
                    "prepaid-chargebacks", "prepaid-disputes", "prepaid-fx", "prepaid-merchants", "prepaid-search", "prepaid-support",
                    "prepaid-tokens", "prepaid-wallets", "prepaid-archive", "prepaid-config", "prepaid-metrics", "prepaid-backfill"],
        "payments": ["bacs", "bacs-submission", "chaps", "confirmation-of-payee", "direct-debits", "faster-payments", "fps-inbound", "fps-outbound",
                     "fps-returns", "mandates", "payee-validation", "payees", "payment-events", "payment-reports", "payment-requests",
                     "payment-scheduler", "payment-search", "payments-audit", "recurring-payments", "refunds", "returns", "sanctions-screening",
                     "scheduled-payments", "settlement", "sort-codes", "standing-orders", "swift-gateway", "transaction-categories",
                     "transaction-enrichment", "transaction-events", "transaction-notes", "transaction-receipts", "transaction-search",
                     "transfer-limits", "velocity-checks", "aml-monitoring", "fraud-rules", "fraud-cases", "risk-scores", "payment-holds"],
        "current-account": ["account-closure", "account-events", "account-features", "account-flags", "account-limits", "account-migration",
                            "account-numbers", "account-opening", "account-search", "account-settings", "account-statements", "account-status",
                            "account-types", "account-verification", "interest", "joint-accounts", "kyc", "kyc-documents", "overdrafts",
                            "pots", "profiles", "salary-sorter", "spending-targets", "summary", "tax-residency", "terms", "user-addresses",
                            "user-contacts", "user-devices", "user-identity", "users", "account-backfill", "account-exports", "account-fees",
                            "account-holds-sweeper", "account-metrics", "account-notes", "account-audit", "account-archive", "balance-alerts"],
        "ledger": ["balance-snapshots", "double-entry", "general-ledger", "journal", "ledger-archive", "ledger-audit", "ledger-backfill",
                   "ledger-checks", "ledger-compaction", "ledger-events", "ledger-exports", "ledger-fx", "ledger-indexer", "ledger-metrics",
                   "ledger-migrations", "ledger-reconciliation", "ledger-replay", "ledger-reports", "ledger-search", "ledger-snapshots",
                   "ledger-sweeper", "nostro", "postings", "reconciliation", "regulatory-reports", "safeguarding", "suspense-accounts",
                   "treasury", "trial-balance", "vostro", "accruals", "adjustments", "closing-balances", "cost-centres", "currency-positions",
                   "end-of-day", "fees-ledger", "interest-accruals", "ledger-config", "ledger-locks"],
        "feed": ["activity", "annotations", "attachments", "budgets", "categories", "emoji", "feed-archive", "feed-backfill", "feed-cards",
                 "feed-events", "feed-items", "feed-metrics", "feed-ranking", "feed-search", "feed-settings", "geocoding", "insights", "logos",
                 "map-tiles", "merchant-enrichment", "notes", "notification-preferences", "receipts", "recurring-detection", "spending",
                 "splits", "summaries", "trends", "badges", "feed-cache", "feed-exports", "feed-images", "feed-webhooks", "ios-push",
                 "android-push", "email-notifications", "in-app-messages", "sms-notifications", "feed-digest", "feed-config"],
        "cops": ["agent-auth", "agent-roster", "case-management", "chat-routing", "complaints", "cops-audit", "cops-metrics", "cops-notes",
                 "cops-reports", "cops-tasks", "customer-timeline", "escalations", "fraud-review", "help-articles", "identity-checks",
                 "knowledge-base", "macros", "queue-manager", "refund-approvals", "sar-requests", "screen-recording", "shift-planner",
                 "sla-tracker", "support-chat-history", "support-tickets", "surveys", "vulnerable-customers", "account-freezes",
                 "bereavement", "card-block-requests", "chat-bot", "complaint-letters", "cops-config", "cops-exports", "cops-search-index",
                 "dispute-review", "document-review", "phone-routing", "quality-review", "translation"],
    ]
}
