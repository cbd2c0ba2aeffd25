/// Lists of values by key, bounded twice: per key (`ordered` says which to keep: the last
/// `perKey`) and in keys (the key seen first is forgotten first). The tables every instance keeps
/// of what other instances said (feedback by story, forwarding by address) are made of it.
struct BoundedSlots<Value: Sendable>: Sendable {
    let perKey: Int
    let keys: Int
    private var entries: [String: [Value]] = [:]
    private var order: [String] = []
    private var orderStart = 0

    init(perKey: Int, keys: Int) {
        self.perKey = perKey
        self.keys = keys
    }

    subscript(key: String) -> [Value] { entries[key] ?? [] }

    var lists: Dictionary<String, [Value]>.Values { entries.values }

    /// Adds `value` under `key` unless the key already holds one that `isSame` matches; false then.
    mutating func add(
        _ value: Value, to key: String, isSame: (Value) -> Bool, ordered: ([Value]) -> [Value] = { $0 }
    ) -> Bool {
        var list = entries[key] ?? []
        guard !list.contains(where: isSame) else { return false }
        if list.isEmpty { order.append(key) }
        list.append(value)
        if list.count > perKey { list = Array(ordered(list).suffix(perKey)) }
        entries[key] = list
        while entries.count > keys, orderStart < order.count {
            entries[order[orderStart]] = nil
            orderStart += 1
        }
        if orderStart > 4_096 {
            order.removeFirst(orderStart)
            orderStart = 0
        }
        return true
    }
}
