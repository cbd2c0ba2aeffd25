extension Normalizer {
    /// Graph `signIn` and `riskyUser`: where the location and risk the audit copy lacks come from.
    enum GraphSignIn {
        static func signIn(_ resource: GraphNormalization.Resource) throws(NormalizationError) -> SecurityEvent {
            let fields = resource.fields
            let time = try resource.requiredTime("createdDateTime")
            var event = resource.event(
                .signIn, time: time, actorType: .user, user: fields.text("userPrincipalName", "userId"),
                ipAddress: IPAddress.normalize(fields.text("ipAddress")))
            let location = fields.object("location")
            event.country = location?.text("countryOrRegion")?.uppercased()
            let errorCode = fields.object("status")?.int("errorCode")
            var detail = SecurityEvent.SignInDetail(succeeded: (errorCode ?? 0) == 0, errorCode: errorCode)
            detail.riskLevel = riskLevel(fields.text("riskLevelDuringSignIn"), fields.text("riskLevelAggregated"))
            detail.riskState = fields.text("riskState")
            switch fields.text("authenticationRequirement")?.lowercased() {
            case "singlefactorauthentication": detail.singleFactor = true
            case "multifactorauthentication": detail.singleFactor = false
            default: break
            }
            if let device = fields.object("deviceDetail") {
                let trust = device.text("trustType") ?? ""
                detail.knownDevice = !trust.isEmpty
            }
            detail.application = fields.text("appDisplayName", "appId")
            let coordinates = location?.object("geoCoordinates")
            detail.latitude = coordinates?.double("latitude")
            detail.longitude = coordinates?.double("longitude")
            event.signIn = detail
            return event
        }

        static func riskyUser(_ resource: GraphNormalization.Resource) throws(NormalizationError) -> SecurityEvent {
            let fields = resource.fields
            let time = try resource.requiredTime("riskLastUpdatedDateTime")
            var event = resource.event(
                .riskChange, time: time, actorType: .system, user: fields.text("userPrincipalName", "id"))
            // Not a sign-in: `succeeded` says nothing here; the risk is what detections read.
            event.signIn = SecurityEvent.SignInDetail(
                succeeded: true, riskLevel: fields.text("riskLevel")?.lowercased(), riskState: fields.text("riskState"))
            return event
        }

        /// The higher of the two levels Graph gives (during the sign-in, aggregated for the user).
        static func riskLevel(_ levels: String?...) -> String? {
            let rank = ["none": 0, "hidden": 1, "low": 2, "medium": 3, "high": 4]
            let known = levels.compactMap { $0?.lowercased() }.filter { !$0.isEmpty }
            return known.max { (rank[$0] ?? -1) < (rank[$1] ?? -1) }
        }
    }
}
