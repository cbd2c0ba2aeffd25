import Foundation

/// `auditLogs/signIns`: newest first, `$filter` on `createdDateTime`, stable `$skiptoken` paging.
extension GraphAPI {
    func listSignIns(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> SimResponse {
        try call.require(.readAuditLogs)
        let signIns = self.signIns
        let page = try timePage(
            kind: "signIns", column: signInTimes, path: "/auditLogs/signIns", call, maxTop: 1000,
            timeProperties: ["createdDateTime"], refusal: .invalidClause
        ) { clause in
            switch clause.property.lowercased() {
            case "userid": SplitFilter.stringComparison(clause) { signIns[$0].userId }
            case "userprincipalname": SplitFilter.stringComparison(clause) { signIns[$0].userPrincipalName }
            case "appid": SplitFilter.stringComparison(clause) { signIns[$0].appId }
            case "ipaddress": SplitFilter.stringComparison(clause) { signIns[$0].ipAddress }
            default: nil
            }
        }
        let values = page.indices.map { call.project(renderSignIn(signIns[$0], state)) }
        return collection(call, context: "auditLogs/signIns", values, nextLink: page.nextLink)
    }

    func getSignIn(_ call: GraphCall, _ state: TenantState) throws(GraphFailure) -> SimResponse {
        try call.require(.readAuditLogs)
        let id = call.parameters["signIn"] ?? ""
        guard let index = signInIndexById[id], signIns[index].time <= call.now else {
            throw GraphFailure(GraphError.resourceNotFound(id))
        }
        return entity(call, context: "auditLogs/signIns/$entity", call.project(renderSignIn(signIns[index], state)))
    }

    /// A sign-in as Graph shows it, refused with AADSTS50057 when the account was
    /// disabled by then (the timeline says what was attempted; the state says what Entra did).
    func renderSignIn(_ original: SignInEvent, _ state: TenantState) -> OrderedJSON {
        let disabled = state.isDisabled(original.userId, at: original.time)
        let event = disabled ? original.refusedAsDisabled() : original
        let multiFactor = event.authenticationRequirement == "multiFactorAuthentication"
        let risk = event.riskLevel
        let riskState: String
        switch risk {
        case .none, .hidden: riskState = "none"
        case .low, .medium, .high: riskState = "atRisk"
        }
        let additionalDetails: OrderedJSON =
            event.succeeded
            ? (multiFactor ? .string("MFA requirement satisfied by claim in the token") : .null)
            : (disabled ? .string("The account is disabled. Contact your administrator.") : .null)
        return .object([
            "id": .string(event.id),
            "createdDateTime": .string(SimTime.graphTime(event.time)),
            "userDisplayName": .string(displayName(ofUser: event.userId) ?? event.userPrincipalName),
            "userPrincipalName": .string(event.userPrincipalName),
            "userId": .string(event.userId),
            "appId": .string(event.appId),
            "appDisplayName": .string(event.appDisplayName),
            "ipAddress": .string(event.ipAddress),
            "clientAppUsed": .string(event.clientAppUsed),
            "correlationId": .string(Self.derivedGUID("correlation:" + event.id)),
            "conditionalAccessStatus": .string(event.succeeded && multiFactor ? "success" : "notApplied"),
            "isInteractive": .bool(event.isInteractive),
            "riskDetail": .string(risk == .hidden ? "hidden" : "none"),
            "riskLevelAggregated": .string(risk.rawValue),
            "riskLevelDuringSignIn": .string(risk.rawValue),
            "riskState": .string(riskState),
            "riskEventTypes": .strings(event.riskEventTypes),
            "riskEventTypes_v2": .strings(event.riskEventTypes),
            "resourceDisplayName": .string("Office 365 Exchange Online"),
            "resourceId": .string("00000002-0000-0ff1-ce00-000000000000"),
            "status": .object([
                "errorCode": .int(event.errorCode),
                "failureReason": .string(event.failureReason),
                "additionalDetails": additionalDetails,
            ]),
            "deviceDetail": renderDevice(event),
            "location": .object([
                "city": .string(event.place.city),
                "state": .string(event.place.state),
                "countryOrRegion": .string(event.place.countryOrRegion),
                "geoCoordinates": .object([
                    "latitude": Self.decimal(event.place.latitude),
                    "longitude": Self.decimal(event.place.longitude),
                    "altitude": .null,
                ]),
            ]),
            "appliedConditionalAccessPolicies": .array([]),
            "authenticationRequirement": .string(event.authenticationRequirement),
        ])
    }

    private func renderDevice(_ event: SignInEvent) -> OrderedJSON {
        let managed = !event.deviceTrustType.isEmpty
        let (operatingSystem, browser) = Self.client(of: event.userAgent)
        var name = ""
        if managed {
            let suffix = String(GraphSupport.hash("device-name:" + event.userId), radix: 36).uppercased().prefix(7)
            name = "DESKTOP-" + suffix
        }
        return .object([
            "deviceId": .string(managed ? Self.derivedGUID("device:" + event.userId) : ""),
            "displayName": .string(name),
            "operatingSystem": .string(operatingSystem),
            "browser": .string(browser),
            "isCompliant": .bool(managed),
            "isManaged": .bool(managed),
            "trustType": .string(event.deviceTrustType),
        ])
    }

    /// Operating system and browser, as Entra ID names them, from a user agent.
    static func client(of userAgent: String) -> (operatingSystem: String, browser: String) {
        let agent = userAgent.lowercased()
        let operatingSystem: String
        if agent.contains("windows nt") {
            operatingSystem = "Windows10"
        } else if agent.contains("iphone") || agent.contains("ios") {
            operatingSystem = "Ios"
        } else if agent.contains("android") {
            operatingSystem = "Android"
        } else if agent.contains("mac os x") || agent.contains("macintosh") {
            operatingSystem = "MacOs"
        } else if agent.contains("linux") {
            operatingSystem = "Linux"
        } else {
            operatingSystem = ""
        }
        func version(after marker: String) -> String? {
            guard let range = userAgent.range(of: marker) else { return nil }
            let rest = userAgent[range.upperBound...]
            return String(rest.prefix { $0.isNumber || $0 == "." })
        }
        let browser: String
        if let edge = version(after: "Edg/") {
            browser = "Edge " + edge
        } else if let chrome = version(after: "Chrome/") {
            browser = "Chrome " + chrome
        } else if agent.contains("safari"), let safari = version(after: "Version/") {
            browser = "Safari " + safari
        } else if let python = version(after: "python-requests/") {
            browser = "Python Requests " + python
        } else if let slash = userAgent.firstIndex(of: "/") {
            browser = "Rich Client " + (version(after: String(userAgent[...slash])) ?? "")
        } else {
            browser = userAgent
        }
        return (operatingSystem, browser)
    }

    /// A GUID derived from `label`: the same label always gives the same GUID.
    static func derivedGUID(_ label: String) -> String {
        var generator = GraphSupport.generator(label)
        return generator.guid()
    }

    /// A coordinate kept as the fixed-point text the model holds; `null` if it is not a number.
    static func decimal(_ text: String) -> OrderedJSON {
        guard !text.isEmpty, Double(text) != nil, text.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "." }) else {
            return .null
        }
        return .decimal(text)
    }
}
