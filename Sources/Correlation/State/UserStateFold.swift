import Foundation

extension UserState {
    /// Folds one event into the state: what later events are compared with. The engine calls it
    /// after the detections have seen the state as it was before the event.
    public mutating func apply(
        _ event: SecurityEvent, assessment: SignInAssessment?, context: TenantContext,
        configuration: DetectionConfiguration, limits: StateLimits
    ) {
        switch event.kind {
        case .signIn:
            applySignIn(event, assessment: assessment, limits: limits)
        case .userProfile:
            profile = event.profile
        default:
            if let summary = PhishingActivity.describe(event, context: context, configuration: configuration) {
                phishing.append(EventFact(event, summary: summary))
                phishing.sort(by: EventFact.byTime)
                phishing = Array(phishing.suffix(limits.phishing))
            }
            // Judged before this event's own deletions count, as the detection judged it.
            if let step = AccountTakeover.persistence(
                event, context: context, configuration: configuration, state: self)
            {
                persistence.append(step)
                persistence.sort { EventFact.byTime($0.fact, $1.fact) }
                persistence = Array(persistence.suffix(limits.persistence))
            }
            if event.kind == .mailDeleted, event.actorType.isPerson, let items = Int(event.parameters["count"] ?? ""),
                items > 0
            {
                deletions.append(Deletion(id: event.id, time: event.time, items: items))
                deletions.sort { ($0.time, $0.id) < ($1.time, $1.id) }
                deletions = Array(deletions.suffix(limits.deletions))
            }
        }
        lastEventTime = max(lastEventTime ?? event.time, event.time)
        expire(limits: limits)
    }

    /// Remembers that a record was applied, so a duplicate (or a replay) is recognised.
    public mutating func markApplied(_ event: SecurityEvent, limits: StateLimits) {
        applied.append(Applied(id: event.id, time: event.time))
        appliedIDs.insert(event.id)
        if applied.count > limits.applied {
            // The first applied go first: processing order is the same on every instance.
            for old in applied.prefix(applied.count - limits.applied) { appliedIDs.remove(old.id) }
            applied.removeFirst(applied.count - limits.applied)
        }
    }

    private mutating func applySignIn(_ event: SecurityEvent, assessment: SignInAssessment?, limits: StateLimits) {
        guard let detail = event.signIn else { return }
        if detail.succeeded, let ip = event.ipAddress {
            networks[Network.of(ip)] = max(networks[Network.of(ip)] ?? event.time, event.time)
        }
        // Audit-log sign-ins duplicate the Graph ones without location: counting both would
        // double every failure burst.
        guard !detail.fromAuditLog else { return }
        // An MFA prompt or a consent interrupt is the sign-in asking for more, not a wrong password.
        guard detail.succeeded || !SignInAssessment.isInterrupt(detail.errorCode) else { return }
        signIns.append(
            SignIn(
                id: event.id, time: event.time, succeeded: detail.succeeded, ipAddress: event.ipAddress,
                country: event.country, latitude: detail.latitude, longitude: detail.longitude))
        signIns.sort { ($0.time, $0.id) < ($1.time, $1.id) }
        signIns = Array(signIns.suffix(limits.signIns))
        if detail.succeeded {
            successfulSignIns += 1
            if let country = event.country {
                countries[country] = max(countries[country] ?? event.time, event.time)
            }
        }
        if let assessment, assessment.isSuspicious {
            let fact = EventFact(event, summary: SignInAssessment.summary(event, assessment))
            suspiciousSignIns.append(SuspiciousSignIn(fact: fact, reasons: assessment.reasons))
            suspiciousSignIns.sort { EventFact.byTime($0.fact, $1.fact) }
            suspiciousSignIns = Array(suspiciousSignIns.suffix(limits.suspiciousSignIns))
        }
    }

    /// Forgets what is older than the retention behind the latest event, and trims maps to their caps.
    mutating func expire(limits: StateLimits) {
        guard let latest = lastEventTime else { return }
        let horizon = latest.addingTimeInterval(-limits.retention.seconds)
        signIns.removeAll { $0.time < horizon }
        suspiciousSignIns.removeAll { $0.fact.time < horizon }
        phishing.removeAll { $0.time < horizon }
        persistence.removeAll { $0.fact.time < horizon }
        deletions.removeAll { $0.time < horizon }
        if let first = applied.first, first.time < horizon {
            applied.removeAll { $0.time < horizon }
            appliedIDs = Set(applied.map(\.id))
        }
        stories.removeAll { $0.view.status == .closed && $0.lastEvidenceAt < horizon }
        countries = Self.newest(countries, keeping: limits.countries)
        networks = Self.newest(networks, keeping: limits.networks)
        if stories.count > limits.stories {
            stories.sort { ($0.lastEvidenceAt, $0.view.id) < ($1.lastEvidenceAt, $1.view.id) }
            stories.removeFirst(stories.count - limits.stories)
        }
    }

    private static func newest(_ map: [String: Date], keeping cap: Int) -> [String: Date] {
        guard map.count > cap else { return map }
        let kept = map.sorted { ($0.value, $0.key) > ($1.value, $1.key) }.prefix(cap)
        return Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
    }
}
