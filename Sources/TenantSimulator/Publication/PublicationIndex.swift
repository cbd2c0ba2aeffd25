public import Foundation

/// The blobs the Management Activity API publishes for a world, in
/// `contentCreated` order per content type. Built once; what a listing shows is
/// then the blobs whose `contentCreated` lies in the window and not after now.
public struct PublicationIndex: Sendable {
    public private(set) var blobs: [ManagementContentType: [ContentBlob]] = [:]
    private var byContentId: [String: (ManagementContentType, Int)] = [:]

    public init(world: SimulatedWorld) {
        let interval = world.configuration.blobInterval
        let capacity = world.configuration.blobCapacity
        struct Pending {
            var type: ManagementContentType
            var published: Date
            var copy: ContentBlob.RecordCopy
        }
        var pending: [Pending] = []
        for (index, record) in world.timeline.auditRecords.enumerated() {
            pending.append(
                Pending(
                    type: record.contentType,
                    published: record.creationTime.addingTimeInterval(record.publicationDelay),
                    copy: .init(record: index, reordered: false)))
            if let duplicate = record.duplicateDelay {
                pending.append(
                    Pending(
                        type: record.contentType, published: record.creationTime.addingTimeInterval(duplicate),
                        copy: .init(record: index, reordered: true)))
            }
        }
        pending = pending.stableSorted { $0.published < $1.published }
        // Buckets of publication time per content type; a blob is available at its bucket's end.
        var buckets: [ManagementContentType: [(Int64, [ContentBlob.RecordCopy])]] = [:]
        let intervalMilliseconds = max(1, Int64(interval * 1000))
        for item in pending {
            let bucket = SimTime.milliseconds(item.published) / intervalMilliseconds
            if let last = buckets[item.type]?.last, last.0 == bucket {
                buckets[item.type]![buckets[item.type]!.count - 1].1.append(item.copy)
            } else {
                buckets[item.type, default: []].append((bucket, [item.copy]))
            }
        }
        for type in ManagementContentType.allCases {
            var list: [ContentBlob] = []
            for (bucket, copies) in buckets[type] ?? [] {
                let created = SimTime.date(milliseconds: (bucket + 1) * intervalMilliseconds)
                for (chunk, start) in stride(from: 0, to: copies.count, by: capacity).enumerated() {
                    // Chunks of one bucket appear a few milliseconds apart, as separate blobs do.
                    let contentCreated = created.addingTimeInterval(Double(chunk) / 1000)
                    let contentId = Self.contentId(type: type, created: contentCreated, sequence: list.count)
                    list.append(
                        ContentBlob(
                            contentId: contentId, contentType: type, contentCreated: contentCreated,
                            copies: Array(copies[start..<min(start + capacity, copies.count)])))
                }
            }
            for (index, blob) in list.enumerated() { byContentId[blob.contentId] = (type, index) }
            blobs[type] = list
        }
    }

    /// Shaped like Microsoft's: `<ticks>$<ticks>$audit_exchange$Audit_Exchange$<region>`.
    static func contentId(type: ManagementContentType, created: Date, sequence: Int) -> String {
        let ticks = String(SimTime.milliseconds(created)) + String(1000 + sequence % 1000).dropFirst()
        let region = ["na0019", "emea0021", "apac0007"][sequence % 3]
        return "\(ticks)$\(ticks)$\(type.slug)$\(type.rawValue.replacingOccurrences(of: ".", with: "_"))$\(region)"
    }

    public func blob(contentId: String) -> ContentBlob? {
        guard let (type, index) = byContentId[contentId] else { return nil }
        return blobs[type]?[index]
    }

    /// Blobs of `type` created in `[start, end)` and not after `now`.
    public func blobs(of type: ManagementContentType, from start: Date, to end: Date, now: Date) -> ArraySlice<
        ContentBlob
    > {
        let list = blobs[type] ?? []
        let upper = min(end, now.addingTimeInterval(0.001))
        let first = list.partitioningIndex { $0.contentCreated >= start }
        let last = list.partitioningIndex { $0.contentCreated >= upper }
        return first < last ? list[first..<last] : []
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is
    /// false then true along the array (binary search).
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
