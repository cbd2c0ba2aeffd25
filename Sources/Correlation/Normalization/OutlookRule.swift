import Events
import Foundation

extension Normalizer {
    /// `UpdateInboxRules`: a rule written by desktop Outlook over MAPI, described in
    /// `OperationProperties` (`RuleName`, `RuleId`, `RuleOperation`, `RuleActions`,
    /// `RuleCondition`). The actions and the condition are JSON in a string, in the shapes
    /// Outlook uses; text that is not JSON is still scanned for addresses and flags, so a rule
    /// never goes unseen because its description changed shape.
    enum OutlookRule {
        static func apply(_ record: AuditRecord, to event: inout SecurityEvent) {
            event.kind = .inboxRule
            var rule = SecurityEvent.RuleDetail(change: change(record.parameter("RuleOperation")))
            if let actions = record.parameter("RuleActions") { read(actions: actions, into: &rule) }
            if let condition = record.parameter("RuleCondition") { rule.keywords = keywords(condition) }
            event.rule = rule
            event.ruleName = record.parameter("RuleName").flatMap { $0.isEmpty ? nil : $0 }
            event.ruleId = record.parameter("RuleId").flatMap { $0.isEmpty ? nil : $0 }
        }

        /// `AddMailboxRule`, `ModifyMailboxRule`, `RemoveMailboxRule` (and `Delete…`).
        static func change(_ operation: String?) -> SecurityEvent.RuleDetail.Change {
            let operation = operation?.lowercased() ?? ""
            if operation.contains("add") || operation.contains("new") || operation.contains("create") {
                return .created
            }
            if operation.contains("remove") || operation.contains("delete") { return .removed }
            if operation.contains("disable") { return .disabled }
            if operation.contains("enable") { return .enabled }
            return .updated
        }

        static func read(actions text: String, into rule: inout SecurityEvent.RuleDetail) {
            guard let json = decodeJSON(text) else {
                readActionText(text, into: &rule)
                return
            }
            var items: [JSONValue] = []
            collectActions(json, into: &items)
            for item in items {
                guard let action = Fields(item) else { continue }
                let type = (action.text("ActionType", "Type", "Action", "Name") ?? "").lowercased()
                if type.contains("forwardasattachment") {
                    rule.forwardAsAttachmentTo += recipients(action)
                } else if type.contains("redirect") {
                    rule.redirectTo += recipients(action)
                } else if type.contains("forward") {
                    rule.forwardTo += recipients(action)
                } else if type.contains("delete") {
                    rule.deletes = true
                } else if type.contains("move") {
                    rule.moveToFolder = folder(action) ?? rule.moveToFolder
                } else if type.contains("markasread") || type.contains("markread") {
                    rule.marksAsRead = true
                } else if type.contains("stop") {
                    rule.stopsProcessing = true
                }
            }
            rule.forwardTo = AddressList.unique(rule.forwardTo)
            rule.forwardAsAttachmentTo = AddressList.unique(rule.forwardAsAttachmentTo)
            rule.redirectTo = AddressList.unique(rule.redirectTo)
        }

        /// Actions are a list, or a list under `Actions`, or one object.
        private static func collectActions(_ value: JSONValue, into items: inout [JSONValue]) {
            switch value {
            case .array(let list): for item in list { collectActions(item, into: &items) }
            case .object:
                if let nested = Fields(value)?["Actions"] {
                    collectActions(nested, into: &items)
                } else {
                    items.append(value)
                }
            default: break
            }
        }

        private static func recipients(_ action: Fields) -> [String] {
            var found: [String] = []
            for name in ["Recipients", "Recipient", "To", "Addresses"] {
                guard let value = action[name] else { continue }
                found += recipientTexts(value).flatMap { AddressList.parse($0) }
            }
            return found
        }

        /// Recipients as strings, or as objects naming the address in one of several ways.
        private static func recipientTexts(_ value: JSONValue) -> [String] {
            switch value {
            case .string(let text): return [text]
            case .array(let items): return items.flatMap(recipientTexts)
            case .object:
                guard let fields = Fields(value) else { return [] }
                if let nested = fields.object("emailAddress")?.text("address") { return [nested] }
                return fields.text("SmtpAddress", "PrimarySmtpAddress", "Address", "EmailAddress", "DisplayName")
                    .map { [$0] } ?? []
            default: return []
            }
        }

        private static func folder(_ action: Fields) -> String? {
            for name in ["Folder", "FolderPath", "FolderName", "Destination", "DestinationFolder"] {
                if let text = action.text(name), action[name]?.stringValue != nil { return FolderName.normalize(text) }
                if let object = action.object(name),
                    let text = object.text("Path", "DisplayName", "Name", "WellKnownName", "Id")
                {
                    return FolderName.normalize(text)
                }
            }
            return nil
        }

        /// Not JSON: find the addresses and the flags the text names.
        private static func readActionText(_ text: String, into rule: inout SecurityEvent.RuleDetail) {
            let lowered = text.lowercased()
            let addresses = AddressList.unique(
                lowered.split { $0.isWhitespace || ",;()[]<>\"'{}".contains($0) }.map(String.init).filter {
                    $0.contains("@")
                }.compactMap(AddressList.address))
            if lowered.contains("forwardasattachment") {
                rule.forwardAsAttachmentTo = addresses
            } else if lowered.contains("redirect"), !lowered.contains("forward") {
                rule.redirectTo = addresses
            } else {
                rule.forwardTo = addresses
            }
            rule.deletes = lowered.contains("delete")
            rule.marksAsRead = lowered.contains("markasread") || lowered.contains("mark as read")
            rule.stopsProcessing = lowered.contains("stopprocessing") || lowered.contains("stop processing")
            if lowered.contains("move") {
                let folders = [
                    "rss feeds", "rss subscriptions", "archive", "conversation history", "deleted items", "junk",
                ]
                rule.moveToFolder = folders.first { lowered.contains($0) }.flatMap(FolderName.normalize)
            }
        }

        /// The words a condition looks for: JSON `Value`/`Values`/`Words` anywhere in it, or the
        /// parenthesised `a OR b` groups of a condition written as text.
        static func keywords(_ text: String) -> [String] {
            if let json = decodeJSON(text) {
                var words: [String?] = []
                collectWords(json, into: &words)
                return Keywords.parse(words)
            }
            var words: [String?] = []
            var rest = Substring(text)
            while let open = rest.firstIndex(of: "("), let close = rest[open...].firstIndex(of: ")") {
                let group = rest[rest.index(after: open)..<close]
                words += group.components(separatedBy: " OR ").map { Optional($0) }
                rest = rest[rest.index(after: close)...]
            }
            return Keywords.parse(words)
        }

        private static func collectWords(_ value: JSONValue, into words: inout [String?]) {
            switch value {
            case .array(let items): for item in items { collectWords(item, into: &words) }
            case .object(let members):
                for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                    if ["value", "values", "words", "keywords", "text"].contains(key.lowercased()) {
                        collectStrings(member, into: &words)
                    } else {
                        collectWords(member, into: &words)
                    }
                }
            default: break
            }
        }

        private static func collectStrings(_ value: JSONValue, into words: inout [String?]) {
            switch value {
            case .string(let text): words.append(text)
            case .array(let items): for item in items { collectStrings(item, into: &words) }
            case .object: collectWords(value, into: &words)
            default: break
            }
        }

        private static func decodeJSON(_ text: String) -> JSONValue? {
            let trimmed = text.trimmed()
            guard trimmed.hasPrefix("[") || trimmed.hasPrefix("{") else { return nil }
            return try? BoundedJSONDecoder().decode(JSONValue.self, from: Array(trimmed.utf8))
        }
    }
}
