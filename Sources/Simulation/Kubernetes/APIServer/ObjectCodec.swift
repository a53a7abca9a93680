import DequeModule

/// Encodes objects to the JSON stored in etcd and decodes them back, remembering the decoded
/// form of the latest value it encoded for each key: every apiserver's watch cache decodes each
/// write, and the memo makes that a string comparison (usually of one shared buffer) instead of
/// a parse. Only speed depends on it; a value decodes to the same object with or without it.
public final class ObjectCodec {
    private var memo: [String: (text: String, object: any APIObject)] = [:]
    private var order = Deque<String>()
    public let capacity: Int
    public private(set) var parseCount = 0

    public init(capacity: Int = 65_536) { self.capacity = capacity }

    public func encode(_ object: any APIObject) -> String {
        var stored = object
        stored.metadata.resourceVersion = 0
        let text = stored.encode(includeResourceVersion: false).compactText
        remember(stored.storageKey, text, stored)
        return text
    }

    /// The object a stored value holds, with `resourceVersion` set to the value's revision.
    public func decode(_ keyValue: KeyValue, as resource: Resource) throws(ObjectDecodingError) -> any APIObject {
        var object: any APIObject
        if let known = memo[keyValue.key], known.text == keyValue.value {
            object = known.object
        } else {
            parseCount += 1
            let json: JSONValue
            do { json = try JSONValue.parse(keyValue.value) } catch {
                throw ObjectDecodingError(path: keyValue.key, problem: error.description)
            }
            object = try ObjectDecoder.decode(json, as: resource)
            remember(keyValue.key, keyValue.value, object)
        }
        object.metadata.resourceVersion = keyValue.modRevision
        return object
    }

    private func remember(_ key: String, _ text: String, _ object: any APIObject) {
        if memo.updateValue((text, object), forKey: key) == nil { order.append(key) }
        while order.count > capacity, let oldest = order.popFirst() { memo[oldest] = nil }
    }
}
