public import Foundation

/// Writes audit records in the shapes of the Office 365 Management Activity API
/// schema, with the inconsistencies real tenants show (see ``AuditQuirks``).
///
/// Field order follows what the service usually sends; the quirks and the
/// duplicate copies vary it.
public struct AuditRecordFactory: Sendable {
    public var tenantId: String
    public var organizationName: String

    public init(tenantId: String, organizationName: String) {
        self.tenantId = tenantId
        self.organizationName = organizationName
    }

    /// Who performed an operation, as the audit log names them.
    public enum Actor: Sendable, Hashable {
        case user(SimulatedUser)
        /// An Exchange service process, e.g. `NT AUTHORITY\SYSTEM (Microsoft.Exchange.ServiceHost)`.
        case system(String)
        /// An application acting with its own permissions (the action worker, a backup tool).
        case application(appId: String, name: String)

        var userId: String {
            switch self {
            case .user(let user): user.userPrincipalName
            case .system(let name): name
            case .application(_, let name): name
            }
        }

        /// `UserType`: 0 regular, 3 datacenter admin (system), 5 application.
        var userType: Int {
            switch self {
            case .user: 0
            case .system: 3
            case .application: 5
            }
        }
    }

    // MARK: Common header

    func header(
        id: String, time: Date, operation: String, recordType: Int, workload: String, resultStatus: String,
        actor: Actor, objectId: String, clientIP: String?, quirks: AuditQuirks
    ) -> [OrderedJSON.Member] {
        var members: [OrderedJSON.Member] = [
            .init("CreationTime", .string(SimTime.auditTime(time))),
            .init("Id", .string(id)),
            .init("Operation", .string(operation)),
            .init("OrganizationId", .string(tenantId)),
            .init("RecordType", quirks.contains(.recordTypeAsString) ? .string(String(recordType)) : .int(recordType)),
            .init("ResultStatus", .string(resultStatus)),
            .init("UserKey", .string(userKey(actor))),
            .init(
                "UserType", quirks.contains(.userTypeAsString) ? .string(String(actor.userType)) : .int(actor.userType)),
            .init("Version", quirks.contains(.versionAsString) ? .string("1") : .int(1)),
            .init("Workload", .string(workload)),
        ]
        if let clientIP { members.append(.init("ClientIP", .string(Self.clientIP(clientIP, quirks: quirks)))) }
        members.append(.init("ObjectId", .string(objectId)))
        let userId: String
        if case .user(let user) = actor, quirks.contains(.userIdAsGUID) {
            userId = user.id
        } else {
            userId = actor.userId
        }
        members.append(.init("UserId", .string(userId)))
        return members
    }

    private func userKey(_ actor: Actor) -> String {
        switch actor {
        case .user(let user):
            // Exchange keys users by a 16-hex-digit PUID; derive a stable one from the object id.
            "1003" + user.id.replacingOccurrences(of: "-", with: "").prefix(12).uppercased()
        case .system(let name): name
        case .application(let appId, _): appId
        }
    }

    /// `ClientIP` in one of the forms real records use.
    static func clientIP(_ address: String, quirks: AuditQuirks) -> String {
        let isIPv6 = address.contains(":")
        if quirks.contains(.clientIPMapped), !isIPv6 { return "::ffff:" + address }
        guard quirks.contains(.clientIPWithPort) else { return address }
        let port = 1024 + (address.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF } % 60_000)
        return isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    // MARK: Exchange admin cmdlets (RecordType 1)

    /// A cmdlet run against Exchange Online (`New-InboxRule`, `Set-Mailbox`, ...).
    /// `parameters` keep their order; values are strings, as Exchange writes them.
    public func exchangeCmdlet(
        id: String, time: Date, cmdlet: String, parameters: [(String, String)], actor: Actor, objectId: String,
        clientIP: String?, succeeded: Bool = true, quirks: AuditQuirks
    ) -> OrderedJSON {
        var members = header(
            id: id, time: time, operation: cmdlet, recordType: 1, workload: "Exchange",
            resultStatus: succeeded ? "True" : "False", actor: actor, objectId: objectId, clientIP: clientIP,
            quirks: quirks)
        let appId: String
        switch actor {
        case .application(let id, _): appId = id
        default: appId = ""
        }
        members.append(.init("AppId", .string(appId)))
        members.append(.init("ClientAppId", .string("")))
        members.append(.init("ExternalAccess", .bool(actor.userType != 0)))
        members.append(.init("OrganizationName", .string(organizationName)))
        members.append(
            .init("OriginatingServer", .string("AM6PR04MB\(String(id.prefix(4)).uppercased()) (15.20.6838.000)")))
        if quirks.contains(.parametersAsString) {
            members.append(.init("Parameters", .string(Self.powerShellParameters(parameters))))
        } else {
            members.append(.init("Parameters", .array(parameters.map { Self.nameValue($0.0, $0.1) })))
        }
        return .object(members)
    }

    /// `-Name "Rule" -ForwardTo "a@b.com"`: how some records carry their parameters.
    static func powerShellParameters(_ parameters: [(String, String)]) -> String {
        parameters.map { name, value in
            "-\(name) \"\(value.replacingOccurrences(of: "\"", with: "\"\""))\""
        }.joined(separator: " ")
    }

    static func nameValue(_ name: String, _ value: String) -> OrderedJSON {
        .object([.init("Name", .string(name)), .init("Value", .string(value))])
    }

    // MARK: Mailbox items (RecordType 2, 50)

    /// `UpdateInboxRules`: a rule written by desktop Outlook, described in `OperationProperties`.
    public func updateInboxRules(
        id: String, time: Date, rule: InboxRule, owner: SimulatedUser, clientIP: String, operation: String,
        quirks: AuditQuirks
    ) -> OrderedJSON {
        var members = header(
            id: id, time: time, operation: "UpdateInboxRules", recordType: 2, workload: "Exchange",
            resultStatus: "Succeeded", actor: .user(owner), objectId: owner.userPrincipalName, clientIP: clientIP,
            quirks: quirks)
        members += mailboxFields(owner: owner, clientIP: clientIP, client: "Client=MSExchangeRPC")
        members.append(
            .init(
                "OperationProperties",
                .array([
                    Self.nameValue("RuleActions", Self.outlookRuleActions(rule.actions)),
                    Self.nameValue("RuleCondition", Self.outlookRuleCondition(rule.conditions)),
                    Self.nameValue("RuleId", rule.id),
                    Self.nameValue("RuleName", rule.displayName),
                    Self.nameValue("RuleOperation", operation),
                    Self.nameValue("RuleState", rule.isEnabled ? "Enabled" : "Disabled"),
                    Self.nameValue("RuleProvider", "RuleOrganizer"),
                ])))
        return .object(members)
    }

    /// The `RuleActions` text of `UpdateInboxRules`: a JSON list in a string, as Outlook's MAPI rules appear.
    static func outlookRuleActions(_ actions: InboxRule.Actions) -> String {
        var parts: [OrderedJSON] = []
        func recipients(_ type: String, _ addresses: [String]) {
            guard !addresses.isEmpty else { return }
            parts.append(.object(["ActionType": .string(type), "Recipients": .strings(addresses)]))
        }
        recipients("Forward", actions.forwardTo)
        recipients("ForwardAsAttachment", actions.forwardAsAttachmentTo)
        recipients("Redirect", actions.redirectTo)
        if actions.delete { parts.append(.object(["ActionType": .string("Delete")])) }
        if actions.permanentDelete { parts.append(.object(["ActionType": .string("PermanentDelete")])) }
        if let folder = actions.moveToFolder {
            parts.append(.object(["ActionType": .string("MoveToFolder"), "Folder": .string(Self.folderPath(folder))]))
        }
        if actions.markAsRead { parts.append(.object(["ActionType": .string("MarkAsRead")])) }
        if actions.stopProcessingRules { parts.append(.object(["ActionType": .string("StopProcessingRules")])) }
        return String(decoding: OrderedJSON.serializedArray(parts), as: UTF8.self)
    }

    static func outlookRuleCondition(_ conditions: InboxRule.Conditions) -> String {
        var clauses: [String] = []
        if !conditions.subjectContains.isEmpty {
            clauses.append("Subject contains (" + conditions.subjectContains.joined(separator: " OR ") + ")")
        }
        if !conditions.bodyOrSubjectContains.isEmpty {
            clauses.append(
                "Subject or body contains (" + conditions.bodyOrSubjectContains.joined(separator: " OR ") + ")")
        }
        if !conditions.fromAddresses.isEmpty {
            clauses.append("From (" + conditions.fromAddresses.joined(separator: " OR ") + ")")
        }
        return clauses.isEmpty ? "Any message" : clauses.joined(separator: " AND ")
    }

    /// The folder path Exchange writes for a well-known folder name.
    static func folderPath(_ folder: String) -> String {
        switch folder.lowercased() {
        case "rssfeeds": "\\RSS Feeds"
        case "rss subscriptions", "rsssubscriptions": "\\RSS Subscriptions"
        case "archive": "\\Archive"
        case "deleteditems": "\\Deleted Items"
        case "junkemail": "\\Junk Email"
        case "conversationhistory": "\\Conversation History"
        case "inbox": "\\Inbox"
        case "sentitems": "\\Sent Items"
        default: "\\Inbox\\" + folder
        }
    }

    private func mailboxFields(owner: SimulatedUser, clientIP: String, client: String) -> [OrderedJSON.Member] {
        [
            .init("AppId", .string("00000002-0000-0ff1-ce00-000000000000")),
            .init("ClientAppId", .string("")),
            .init("ClientIPAddress", .string(clientIP)),
            .init("ClientInfoString", .string(client)),
            .init("ExternalAccess", .bool(false)),
            .init("InternalLogonType", .int(0)),
            .init("LogonType", .int(0)),
            .init(
                "LogonUserSid", .string("S-1-5-21-" + String(owner.id.prefix(8).utf8.reduce(0) { $0 &* 7 &+ Int($1) }))),
            .init("MailboxGuid", .string(owner.id)),
            .init(
                "MailboxOwnerSid",
                .string("S-1-5-21-" + String(owner.id.prefix(8).utf8.reduce(0) { $0 &* 7 &+ Int($1) }))),
            .init("MailboxOwnerUPN", .string(owner.userPrincipalName)),
            .init("OrganizationName", .string(organizationName)),
            .init("OriginatingServer", .string("DB8PR04MB6491 (15.20.6838.000)")),
        ]
    }

    /// `Send`, `SoftDelete`, `HardDelete`, `MoveToDeletedItems`: one message acted on.
    public func mailItem(
        id: String, time: Date, operation: String, message: MailMessage, owner: SimulatedUser, clientIP: String,
        quirks: AuditQuirks
    ) -> OrderedJSON {
        var members = header(
            id: id, time: time, operation: operation, recordType: 2, workload: "Exchange", resultStatus: "Succeeded",
            actor: .user(owner), objectId: message.internetMessageId, clientIP: clientIP, quirks: quirks)
        members += mailboxFields(owner: owner, clientIP: clientIP, client: "Client=OWA;Action=ViaProxy")
        let item = OrderedJSON.object([
            "Id": .string(message.id),
            "InternetMessageId": .string(message.internetMessageId),
            "ParentFolder": .object([
                "Id": .string("LgAAAAD" + message.mailboxUserId.prefix(8)),
                "Path": .string(Self.folderPath(message.folder)),
            ]),
            "SizeInBytes": .int(1_800 + message.body.utf8.count),
            "Subject": .string(message.subject),
        ])
        if operation == "Send" {
            members.append(.init("Item", item))
        } else {
            members.append(.init("AffectedItems", .array([item])))
            members.append(
                .init("Folder", .object(["Id": .string("LgAAAAD"), "Path": .string(Self.folderPath(message.folder))])))
        }
        return .object(members)
    }

    /// `MailItemsAccessed` (RecordType 50): a user (or someone with their token) read mail.
    public func mailItemsAccessed(
        id: String, time: Date, messages: [MailMessage], owner: SimulatedUser, clientIP: String, sync: Bool,
        quirks: AuditQuirks
    ) -> OrderedJSON {
        var members = header(
            id: id, time: time, operation: "MailItemsAccessed", recordType: 50, workload: "Exchange",
            resultStatus: "Succeeded", actor: .user(owner), objectId: "", clientIP: clientIP, quirks: quirks)
        members += mailboxFields(owner: owner, clientIP: clientIP, client: "Client=REST;Client=RESTSystem;")
        members.append(
            .init(
                "OperationProperties",
                .array([
                    Self.nameValue("MailAccessType", sync ? "Sync" : "Bind"),
                    Self.nameValue("IsThrottled", "False"),
                ])))
        members.append(
            .init(
                "Folders",
                .array([
                    .object([
                        "FolderItems": .array(
                            messages.map { .object(["InternetMessageId": .string($0.internetMessageId)]) }),
                        "Id": .string("LgAAAAD"),
                        "Path": .string("\\Inbox"),
                    ])
                ])))
        members.append(.init("OperationCount", .int(max(1, messages.count))))
        return .object(members)
    }

    // MARK: Sign-ins (RecordType 15)

    /// `UserLoggedIn` / `UserLoginFailed` for a sign-in.
    public func signIn(id: String, event: SignInEvent, user: SimulatedUser, quirks: AuditQuirks) -> OrderedJSON {
        var members = header(
            id: id, time: event.time, operation: event.succeeded ? "UserLoggedIn" : "UserLoginFailed",
            recordType: 15, workload: "AzureActiveDirectory", resultStatus: event.succeeded ? "Success" : "Failed",
            actor: .user(user), objectId: "00000003-0000-0000-c000-000000000000", clientIP: event.ipAddress,
            quirks: quirks)
        members.append(
            .init(
                "AzureActiveDirectoryEventType", quirks.contains(.recordTypeAsString) ? .string("1") : .int(1)))
        let extended: [(String, String)] = [
            ("ResultStatusDetail", event.succeeded ? "Success" : "UserError"),
            ("UserAgent", event.userAgent),
            ("RequestType", event.isInteractive ? "OAuth2:Authorize" : "OAuth2:Token"),
            ("UserAuthenticationMethod", event.authenticationRequirement == "multiFactorAuthentication" ? "1" : "0"),
        ]
        if quirks.contains(.parametersAsString) {
            members.append(
                .init(
                    "ExtendedProperties",
                    .string(extended.map { "\($0.0)=\($0.1)" }.joined(separator: "; "))))
        } else {
            members.append(.init("ExtendedProperties", .array(extended.map { Self.nameValue($0.0, $0.1) })))
        }
        members.append(.init("ModifiedProperties", .array([])))
        members.append(
            .init(
                "Actor",
                .array([
                    .object(["ID": .string(user.id), "Type": .int(0)]),
                    .object(["ID": .string(user.userPrincipalName), "Type": .int(5)]),
                ])))
        members.append(.init("ActorContextId", .string(tenantId)))
        members.append(.init("ActorIpAddress", .string(event.ipAddress)))
        members.append(.init("InterSystemsId", .string(event.id)))
        members.append(.init("IntraSystemId", .string(id)))
        members.append(.init("SupportTicketId", .string("")))
        members.append(.init("Target", .array([.object(["ID": .string(event.appId), "Type": .int(0)])])))
        members.append(.init("TargetContextId", .string(tenantId)))
        members.append(.init("ApplicationId", .string(event.appId)))
        members.append(.init("DeviceProperties", .array([Self.nameValue("TrustType", event.deviceTrustType)])))
        // Exchange writes ErrorNumber as a string, even for success.
        members.append(.init("ErrorNumber", .string(String(event.errorCode))))
        if !event.succeeded { members.append(.init("LogonError", .string(Self.logonError(event.errorCode)))) }
        return .object(members)
    }

    static func logonError(_ code: Int) -> String {
        switch code {
        case 50126: "InvalidUserNameOrPassword"
        case 50057: "UserAccountDisabled"
        case 50074, 50076: "UserStrongAuthClientAuthNRequiredInterrupt"
        case 50053: "IdsLocked"
        default: "UnknownError"
        }
    }

    // MARK: Directory audit (RecordType 8)

    /// `User registered security info`: Entra ID's directory audit of a user adding an
    /// authentication method on their security info page, as the unified audit log carries
    /// it (`Workload` AzureActiveDirectory): the user in `UserId`, `Actor` and `Target`, the
    /// method in `ExtendedProperties` (`resultReason`, `additionalDetails`).
    public func securityInfoRegistered(
        id: String, time: Date, user: SimulatedUser, method: String, clientIP: String, correlationId: String,
        quirks: AuditQuirks
    ) -> OrderedJSON {
        var members = header(
            id: id, time: time, operation: "User registered security info", recordType: 8,
            workload: "AzureActiveDirectory", resultStatus: "Success", actor: .user(user),
            objectId: user.userPrincipalName, clientIP: clientIP, quirks: quirks)
        members.append(
            .init(
                "AzureActiveDirectoryEventType", quirks.contains(.recordTypeAsString) ? .string("1") : .int(1)))
        let details = OrderedJSON.object(["Method": .string(method)]).serialized()
        let extended: [(String, String)] = [
            ("resultReason", "User registered \(method)"),
            ("auditEventCategory", "UserManagement"),
            ("loggedByService", "Authentication Methods"),
            ("additionalDetails", String(decoding: details, as: UTF8.self)),
            ("extendedAuditEventCategory", "User"),
        ]
        if quirks.contains(.parametersAsString) {
            members.append(
                .init("ExtendedProperties", .string(extended.map { "\($0.0)=\($0.1)" }.joined(separator: "; "))))
        } else {
            members.append(.init("ExtendedProperties", .array(extended.map { Self.nameValue($0.0, $0.1) })))
        }
        members.append(.init("ModifiedProperties", .array([])))
        let puid = userKey(.user(user))
        members.append(
            .init(
                "Actor",
                .array([
                    .object(["ID": .string(user.userPrincipalName), "Type": .int(5)]),
                    .object(["ID": .string(puid), "Type": .int(3)]),
                    .object(["ID": .string("User_" + user.id), "Type": .int(2)]),
                ])))
        members.append(.init("ActorContextId", .string(tenantId)))
        members.append(.init("ActorIpAddress", .string(clientIP)))
        members.append(.init("InterSystemsId", .string(correlationId)))
        members.append(.init("IntraSystemId", .string(id)))
        members.append(.init("SupportTicketId", .string("")))
        members.append(
            .init(
                "Target",
                .array([
                    .object(["ID": .string("User_" + user.id), "Type": .int(2)]),
                    .object(["ID": .string(user.id), "Type": .int(2)]),
                    .object(["ID": .string("User"), "Type": .int(2)]),
                    .object(["ID": .string(user.userPrincipalName), "Type": .int(5)]),
                ])))
        members.append(.init("TargetContextId", .string(tenantId)))
        return .object(members)
    }

    // MARK: Threat records (RecordType 28, 40)

    /// `TIMailData`: Defender for Office 365's view of one message.
    public func threatIntelligenceMail(
        id: String, time: Date, message: MailMessage, recipients: [String], senderIP: String, directionality: String,
        deliveryAction: String, verdict: String, quirks: AuditQuirks
    ) -> OrderedJSON {
        var members: [OrderedJSON.Member] = [
            .init("CreationTime", .string(SimTime.auditTime(time))),
            .init("Id", .string(id)),
            .init("Operation", .string("TIMailData")),
            .init("OrganizationId", .string(tenantId)),
            .init("RecordType", quirks.contains(.recordTypeAsString) ? .string("28") : .int(28)),
            .init("UserKey", .string("ThreatIntelligence")),
            .init("UserType", quirks.contains(.userTypeAsString) ? .string("4") : .int(4)),
            .init("Version", .int(1)),
            .init("Workload", .string("ThreatIntelligence")),
            .init("ObjectId", .string(message.internetMessageId)),
            .init("UserId", .string("ThreatIntelligence")),
        ]
        members += [
            .init("AttachmentData", .array([])),
            .init("DeliveryAction", .string(deliveryAction)),
            .init("DetectionMethod", .string(verdict == "Phish" ? "URL detonation reputation" : "")),
            .init("Directionality", .string(directionality)),
            .init("InternetMessageId", .string(message.internetMessageId)),
            .init("MessageTime", .string(SimTime.graphTime(message.receivedDateTime))),
            .init("NetworkMessageId", .string(Self.networkMessageId(message))),
            .init("P1Sender", .string(message.from.address)),
            .init("P2Sender", .string(message.from.address)),
            .init("Recipients", .strings(recipients)),
            .init("SenderIp", .string(senderIP)),
            .init("Subject", .string(message.subject)),
            .init("Verdict", .string(verdict)),
        ]
        return .object(members)
    }

    static func networkMessageId(_ message: MailMessage) -> String {
        // A GUID-shaped id, stable per internet message id.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in message.internetMessageId.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var generator = SeededGenerator(seed: hash)
        return generator.guid()
    }

    /// `AlertTriggered` for "Email reported by user as malware or phish" and other
    /// Security & Compliance alerts; the user is inside `Data` (`f3u`), not in `UserId`.
    public func complianceAlert(
        id: String, time: Date, alertId: String, name: String, severity: String, category: String,
        user: SimulatedUser, message: MailMessage?, quirks: AuditQuirks
    ) -> OrderedJSON {
        var data: [OrderedJSON.Member] = [
            .init("etype", .string("User")),
            .init("eid", .string(user.userPrincipalName)),
            .init("op", .string(name.contains("reported") ? "UserSubmission" : "AlertTriggered")),
            .init("f3u", .string(user.userPrincipalName)),
            .init("ts", .string(SimTime.graphTime(time))),
        ]
        if let message {
            data += [
                .init("mid", .string(message.internetMessageId)),
                .init("ms", .string(message.subject)),
                .init("tsd", .string(message.from.address)),
            ]
        }
        let members: [OrderedJSON.Member] = [
            .init("CreationTime", .string(SimTime.auditTime(time))),
            .init("Id", .string(id)),
            .init("Operation", .string("AlertTriggered")),
            .init("OrganizationId", .string(tenantId)),
            .init("RecordType", quirks.contains(.recordTypeAsString) ? .string("40") : .int(40)),
            .init("ResultStatus", .string("Succeeded")),
            .init("UserKey", .string("SecurityComplianceAlerts")),
            .init("UserType", .int(4)),
            .init("Version", .int(1)),
            .init("Workload", .string("SecurityComplianceCenter")),
            .init("ObjectId", .string(alertId)),
            .init("UserId", .string("SecurityComplianceAlerts")),
            .init("AlertId", .string(alertId)),
            .init("AlertType", .string("System")),
            .init("Name", .string(name)),
            .init("PolicyId", .string(alertId)),
            .init("Status", .string("Active")),
            .init("Severity", .string(severity)),
            .init("Category", .string(category)),
            .init("Source", .string("Office 365 Security & Compliance")),
            .init("Comments", .string("New alert")),
            .init("Data", .string(String(decoding: OrderedJSON.object(data).serialized(), as: UTF8.self))),
            .init("AlertEntityId", .string(user.userPrincipalName)),
        ]
        return .object(members)
    }
}
