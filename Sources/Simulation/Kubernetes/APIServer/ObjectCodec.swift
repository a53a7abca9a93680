import DequeModule

/// Encodes objects to the JSON stored in etcd and decodes them back, remembering the decoded
/// form of recent values: every apiserver's watch cache decodes the same value once per write,
/// and the memo makes that a dictionary look-up instead of a parse. Only speed depends on it;
/// decoding a value gives the same object with or without the memo.
public final class ObjectCodec {
    private var memo: [String: any APIObject] = [:]
    private var order = Deque<String>()
    public let capacity: Int
    public private(set) var parseCount = 0

    public init(capacity: Int = 16_384) { self.capacity = capacity }

    public func encode(_ object: any APIObject) -> String {
        var stored = object
        stored.metadata.resourceVersion = 0
        let text = stored.encode(includeResourceVersion: false).compactText
        remember(text, stored)
        return text
    }

    /// The object a stored value holds, with `resourceVersion` set to the value's revision.
    public func decode(_ keyValue: KeyValue, as resource: Resource) throws(ObjectDecodingError) -> any APIObject {
        var object: any APIObject
        if let known = memo[keyValue.value] {
            object = known
        } else {
            parseCount += 1
            let json: JSONValue
            do { json = try JSONValue.parse(keyValue.value) } catch {
                throw ObjectDecodingError(path: keyValue.key, problem: error.description)
            }
            object = try ObjectDecoder.decode(json, as: resource)
            remember(keyValue.value, object)
        }
        object.metadata.resourceVersion = keyValue.modRevision
        return object
    }

    private func remember(_ text: String, _ object: any APIObject) {
        if memo.updateValue(object, forKey: text) == nil { order.append(text) }
        while order.count > capacity, let oldest = order.popFirst() { memo[oldest] = nil }
    }
}
