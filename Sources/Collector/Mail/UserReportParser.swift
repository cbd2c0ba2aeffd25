public import Events
public import Foundation
import M365

/// The message a user reported, as read from the original attached to their report.
public struct ReportedMessage: Sendable, Hashable {
    /// The original's sender address (`from`).
    public var sender: String
    public var subject: String
    /// With its angle brackets, as Graph and the `Message-ID` header write it.
    public var internetMessageId: String

    public init(sender: String, subject: String, internetMessageId: String) {
        self.sender = sender
        self.subject = subject
        self.internetMessageId = internetMessageId
    }
}

/// One report of the phishing-report mailbox: who reported what, and when.
public struct ParsedUserReport: Sendable, Hashable {
    /// The report message's sender: the user who reported.
    public var reporter: String
    /// When the user sent the report (its `sentDateTime`, else `receivedDateTime`).
    public var reportedAt: Date
    /// Graph id of the report message in the report mailbox.
    public var reportMessageId: String
    public var reportedMessage: ReportedMessage

    /// The `userReport` resource: `{reporter, reportedAt, reportMessageId, reportedMessage{sender,
    /// subject, internetMessageId}}`. Built only from the report, so the same report read again
    /// (marked read, moved back) is the same event with the same `ce_id`.
    public var resource: JSONValue {
        .object([
            "reporter": .string(reporter),
            "reportedAt": .string(Self.millisecondTime(reportedAt)),
            "reportMessageId": .string(reportMessageId),
            "reportedMessage": .object([
                "sender": .string(reportedMessage.sender),
                "subject": .string(reportedMessage.subject),
                "internetMessageId": .string(reportedMessage.internetMessageId),
            ]),
        ])
    }

    /// RFC 3339 UTC with milliseconds, as every Inboxwatch time is written.
    static func millisecondTime(_ date: Date) -> String {
        let milliseconds = date.millisecondsSince1970
        let fraction = (milliseconds % 1000 + 1000) % 1000
        let whole = Date(millisecondsSince1970: milliseconds - fraction)
            .formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(secondsFromGMT: 0)!))
        return "\(whole.dropLast()).\(String(fraction + 1000).dropFirst())Z"
    }
}

/// Reads a report message of the phishing-report mailbox and its attachments: the attached
/// original (an Outlook item, or a `message/rfc822` file) gives the reported message's sender,
/// subject and internet message id.
public enum UserReportParser {
    /// Why a report message gives no report: it goes to the dead-letter topic with this.
    public struct Problem: Error, Sendable, Hashable {
        public var reason: String
        /// `reportWithoutOriginal`, `reportWithoutSender`, `reportWithoutTime`.
        public var errorClass: String
    }

    /// - Parameters:
    ///   - message: the report message as Graph lists it.
    ///   - attachments: its attachments, items expanded; the first that holds a usable original counts.
    public static func parse(message: JSONValue, attachments: [JSONValue]) throws(Problem) -> ParsedUserReport {
        let id = message["id"]?.stringValue ?? ""
        guard let reporter = address(message["from"]) ?? address(message["sender"]) else {
            throw Problem(reason: "report message \(id) names no sender", errorClass: "reportWithoutSender")
        }
        guard let original = attachments.lazy.compactMap(reportedMessage(in:)).first else {
            let kinds = attachments.map { $0["@odata.type"]?.stringValue ?? "?" }
            throw Problem(
                reason: "report message \(id) from \(reporter) has no attached original with a sender and an internet "
                    + "message id (an Outlook item or a message/rfc822 file); attachments: "
                    + (kinds.isEmpty ? "none" : kinds.joined(separator: ", ")),
                errorClass: "reportWithoutOriginal")
        }
        guard
            let time = (message["sentDateTime"] ?? message["receivedDateTime"])?.stringValue.flatMap(M365Time.parseISO)
        else {
            throw Problem(reason: "report message \(id) has no sent or received time", errorClass: "reportWithoutTime")
        }
        return ParsedUserReport(reporter: reporter, reportedAt: time, reportMessageId: id, reportedMessage: original)
    }

    /// The original in one attachment, when it is a message with a sender and an internet message id.
    public static func reportedMessage(in attachment: JSONValue) -> ReportedMessage? {
        let type = attachment["@odata.type"]?.stringValue?.lowercased() ?? ""
        if type.hasSuffix("itemattachment"), let item = attachment["item"] {
            return fromItem(item)
        }
        if type.hasSuffix("fileattachment"), isMessageFile(attachment),
            let base64 = attachment["contentBytes"]?.stringValue,
            let data = Data(base64Encoded: base64, options: .ignoreUnknownCharacters)
        {
            return fromHeaders(MIMEHeaders(message: Array(data)))
        }
        return nil
    }

    private static func fromItem(_ item: JSONValue) -> ReportedMessage? {
        if let type = item["@odata.type"]?.stringValue, !type.lowercased().hasSuffix(".message") { return nil }
        var headers: MIMEHeaders?
        if case .array(let list)? = item["internetMessageHeaders"] {
            let text = list.compactMap { header -> String? in
                guard let name = header["name"]?.stringValue, let value = header["value"]?.stringValue else {
                    return nil
                }
                return "\(name): \(value)"
            }.joined(separator: "\r\n")
            headers = MIMEHeaders(message: Array((text + "\r\n\r\n").utf8))
        }
        let sender = address(item["from"]) ?? address(item["sender"]) ?? headers?["From"].flatMap(MIMEHeaders.address)
        let subject = item["subject"]?.stringValue ?? headers?["Subject"] ?? ""
        let messageId = nonEmpty(item["internetMessageId"]?.stringValue) ?? headers?["Message-ID"]
        guard let sender, let messageId = nonEmpty(messageId) else { return nil }
        return ReportedMessage(sender: sender, subject: subject, internetMessageId: messageId)
    }

    private static func fromHeaders(_ headers: MIMEHeaders) -> ReportedMessage? {
        guard let sender = headers["From"].flatMap(MIMEHeaders.address),
            let messageId = nonEmpty(headers["Message-ID"])
        else { return nil }
        return ReportedMessage(sender: sender, subject: headers["Subject"] ?? "", internetMessageId: messageId)
    }

    private static func isMessageFile(_ attachment: JSONValue) -> Bool {
        let contentType = attachment["contentType"]?.stringValue?.lowercased() ?? ""
        let name = attachment["name"]?.stringValue?.lowercased() ?? ""
        return contentType.hasPrefix("message/rfc822") || name.hasSuffix(".eml")
    }

    /// `{emailAddress:{address}}` → the address, when it is one.
    private static func address(_ recipient: JSONValue?) -> String? {
        nonEmpty(recipient?["emailAddress"]?["address"]?.stringValue).flatMap { $0.contains("@") ? $0 : nil }
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespaces), !trimmed.isEmpty else { return nil }
        return trimmed
    }
}
