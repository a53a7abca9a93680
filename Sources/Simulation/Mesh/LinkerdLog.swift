/// How linkerd, a JVM program logging through twitter's util-logging, writes its lines:
/// `E 1027 15:27:01.234 UTC THREAD31: k8s failed to list endpoints`, then for an exception its
/// class and a Java stack trace, one frame a line.
enum LinkerdLog {
    enum Level: String { case info = "I", warning = "W", error = "E" }

    static func line(_ level: Level, _ text: String, thread: Int, at time: SimTime, calendarStart: CalendarTime) -> String {
        let calendar = calendarStart.adding(time)
        let milliseconds = (time.floorDivided(by: Span.microsecondsPerMillisecond)) % 1_000
        let millisecondsText = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        let month = calendar.month < 10 ? "0\(calendar.month)" : "\(calendar.month)"
        let day = calendar.day < 10 ? "0\(calendar.day)" : "\(calendar.day)"
        return "\(level.rawValue) \(month)\(day) \(calendar.clock).\(millisecondsText) UTC THREAD\(thread): \(text)"
    }

    /// The two lines finagle's `Init` writes through java.util.logging as the JVM comes up, before
    /// linkerd's own logger takes over: `Oct 27, 2017 2:26:05 PM com.twitter.finagle.Init$ ...`
    /// then `INFO: Finagle version 6.43.0 ...`. The clock is the world's, on a 12-hour dial.
    static func finagleInit(at calendar: CalendarTime) -> [String] {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let day = calendar.day < 10 ? "0\(calendar.day)" : "\(calendar.day)"
        let hour = calendar.hour % 12 == 0 ? 12 : calendar.hour % 12
        let minute = calendar.minute < 10 ? "0\(calendar.minute)" : "\(calendar.minute)"
        let second = calendar.second < 10 ? "0\(calendar.second)" : "\(calendar.second)"
        return ["\(months[calendar.month - 1]) \(day), \(calendar.year) \(hour):\(minute):\(second) \(calendar.hour < 12 ? "AM" : "PM") com.twitter.finagle.Init$ $anonfun$once$1",
                "INFO: Finagle version 6.43.0"]
    }

    /// What 0.9.1 printed when a namespace list held an Endpoints with `subsets: null`: the
    /// namer's `getAddrs` iterated the null list while the namespace cache was initialised.
    static let nullSubsetsStackTrace = [
        "java.lang.NullPointerException",
        "\tat io.buoyant.k8s.EndpointsNamer$.io$buoyant$k8s$EndpointsNamer$$getAddrs(EndpointsNamer.scala:171)",
        "\tat io.buoyant.k8s.EndpointsNamer$.io$buoyant$k8s$EndpointsNamer$$mkPorts(EndpointsNamer.scala:196)",
        "\tat io.buoyant.k8s.EndpointsNamer$NsCache.io$buoyant$k8s$EndpointsNamer$NsCache$$mkSvc(EndpointsNamer.scala:286)",
        "\tat io.buoyant.k8s.EndpointsNamer$NsCache$$anonfun$3.apply(EndpointsNamer.scala:263)",
        "\tat scala.collection.TraversableLike$$anonfun$flatMap$1.apply(TraversableLike.scala:241)",
        "\tat scala.collection.immutable.List.foreach(List.scala:381)",
        "\tat scala.collection.TraversableLike$class.flatMap(TraversableLike.scala:241)",
        "\tat scala.collection.immutable.List.flatMap(List.scala:344)",
        "\tat io.buoyant.k8s.EndpointsNamer$NsCache.initialize(EndpointsNamer.scala:262)",
        "\tat io.buoyant.k8s.EndpointsNamer$Ns$$anonfun$io$buoyant$k8s$EndpointsNamer$Ns$$watch$1.apply(EndpointsNamer.scala:128)",
        "\tat com.twitter.util.Future$$anonfun$map$1$$anonfun$apply$6.apply(Future.scala:1098)",
        "\tat com.twitter.util.Try$.apply(Try.scala:15)",
        "\tat com.twitter.util.Future$.apply(Future.scala:163)",
        "\tat com.twitter.util.Promise$Transformer.liftedTree1$1(Promise.scala:112)",
        "\tat com.twitter.util.Promise$Transformer.k(Promise.scala:112)",
        "\tat com.twitter.util.Promise$Transformer.apply(Promise.scala:122)",
        "\tat com.twitter.util.Promise$Monitored.apply(Promise.scala:205)",
        "\tat java.lang.Thread.run(Thread.java:745)",
    ]

    /// The exception 0.9.1's HTTP client raised for an answer other than 200 (a 504 from an
    /// apiserver whose storage client did not answer, say).
    static func unexpectedResponse(code: Int, reason: String) -> [String] {
        [
            "io.buoyant.k8s.Api$UnexpectedResponse: Response(\"HTTP/1.1 Status(\(code))\"): \(reason)",
            "\tat io.buoyant.k8s.Api$.parse(Api.scala:62)",
            "\tat io.buoyant.k8s.ListResource$$anonfun$get$1.apply(resources.scala:82)",
        ]
    }

    /// A connection-level failure (no apiserver reachable, the connection broke).
    static func channelClosed(_ message: String) -> [String] {
        [
            "com.twitter.finagle.ChannelClosedException: \(message). Remote Info: Upstream Address: Not Available, Upstream id: Not Available, Downstream Address: /127.0.0.1:8001",
            "\tat com.twitter.finagle.netty3.transport.ChannelTransport.handleUpstream(ChannelTransport.scala:112)",
        ]
    }
}
