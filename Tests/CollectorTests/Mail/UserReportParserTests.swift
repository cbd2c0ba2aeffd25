import Collector
import Events
import Foundation
import Testing

@Suite("User report parsing")
struct UserReportParserTests {
    func json(_ text: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }

    let report = """
        {"id":"AAMkAGI2TG93AAA=","subject":"Phishing report: Invoice 4471 overdue","hasAttachments":true,
         "sentDateTime":"2026-11-23T10:29:41Z","receivedDateTime":"2026-11-23T10:29:52Z",
         "from":{"emailAddress":{"name":"Alice","address":"alice@contoso.com"}}}
        """

    @Test("an attached Outlook item gives the reported message, and the resource has the documented shape")
    func itemAttachmentGivesReportedMessage() throws {
        let attachment = try json(
            """
            {"@odata.type":"#microsoft.graph.itemAttachment","id":"att1","name":"Invoice 4471 overdue",
             "item":{"@odata.type":"#microsoft.graph.message","id":"","subject":"Invoice 4471 overdue",
                     "internetMessageId":"<CAF3x9Q@mail.evil-payments.net>",
                     "from":{"emailAddress":{"name":"Billing","address":"billing@evil-payments.net"}}}}
            """)
        let parsed = try UserReportParser.parse(message: try json(report), attachments: [attachment])
        #expect(parsed.reporter == "alice@contoso.com")
        #expect(
            parsed.reportedMessage
                == ReportedMessage(
                    sender: "billing@evil-payments.net", subject: "Invoice 4471 overdue",
                    internetMessageId: "<CAF3x9Q@mail.evil-payments.net>"))
        let expected = try json(
            """
            {"reportMessageId":"AAMkAGI2TG93AAA=","reportedAt":"2026-11-23T10:29:41.000Z",
             "reporter":"alice@contoso.com",
             "reportedMessage":{"internetMessageId":"<CAF3x9Q@mail.evil-payments.net>",
                                "sender":"billing@evil-payments.net","subject":"Invoice 4471 overdue"}}
            """)
        #expect(parsed.resource == expected)
    }

    @Test("a message/rfc822 file gives the reported message from its folded and encoded headers")
    func rfc822FileAttachmentGivesReportedMessage() throws {
        let mime = [
            "Received: from mail.evil-payments.net (185.220.101.47)",
            "From: =?utf-8?Q?Billing_D=C3=A9partement?=",
            " <billing@evil-payments.net>",
            "Subject: =?utf-8?B?SW52b2ljZSA0NDcx?= =?utf-8?B?IG92ZXJkdWU=?=",
            "Message-ID:",
            "\t<CAF3x9Q@mail.evil-payments.net>",
            "",
            "Subject: not a header, the body",
        ].joined(separator: "\r\n")
        let attachment: JSONValue = .object([
            "@odata.type": .string("#microsoft.graph.fileAttachment"), "name": .string("original.eml"),
            "contentType": .string("message/rfc822"),
            "contentBytes": .string(Data(mime.utf8).base64EncodedString()),
        ])
        let parsed = try UserReportParser.parse(message: try json(report), attachments: [attachment])
        #expect(parsed.reportedMessage.sender == "billing@evil-payments.net")
        #expect(parsed.reportedMessage.subject == "Invoice 4471 overdue")
        #expect(parsed.reportedMessage.internetMessageId == "<CAF3x9Q@mail.evil-payments.net>")
        let headers = MIMEHeaders(message: Array(mime.utf8))
        #expect(headers["from"] == "Billing Département <billing@evil-payments.net>")
    }

    @Test("an attached item without an internet message id falls back to its transport headers")
    func itemHeadersAreTheFallback() throws {
        let attachment = try json(
            """
            {"@odata.type":"#microsoft.graph.itemAttachment","id":"att1",
             "item":{"subject":"Hello","internetMessageHeaders":[
                {"name":"From","value":"\\"Eve\\" <eve@evil.example>"},
                {"name":"Message-ID","value":"<abc@evil.example>"}]}}
            """)
        let parsed = try UserReportParser.parse(message: try json(report), attachments: [attachment])
        #expect(
            parsed.reportedMessage
                == ReportedMessage(
                    sender: "eve@evil.example", subject: "Hello", internetMessageId: "<abc@evil.example>"))
    }

    @Test("a report without a usable original is refused with a reason naming what was attached")
    func reportWithoutOriginalIsRefused() throws {
        let picture: JSONValue = .object([
            "@odata.type": .string("#microsoft.graph.fileAttachment"), "name": .string("screenshot.png"),
            "contentType": .string("image/png"), "contentBytes": .string("iVBORw0KGgo="),
        ])
        let problem = #expect(throws: UserReportParser.Problem.self) {
            try UserReportParser.parse(message: try json(report), attachments: [picture])
        }
        #expect(problem?.errorClass == "reportWithoutOriginal")
        #expect(problem?.reason.contains("alice@contoso.com") == true)
        #expect(problem?.reason.contains("fileAttachment") == true)
        let none = #expect(throws: UserReportParser.Problem.self) {
            try UserReportParser.parse(message: try json(report), attachments: [])
        }
        #expect(none?.reason.contains("attachments: none") == true)
    }
}
