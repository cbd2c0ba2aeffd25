import Foundation

/// A whole simulated tenant: who is in it, everything that happens in it, and
/// what a correct pipeline must conclude. A pure function of the configuration.
public struct SimulatedWorld: Sendable {
    public var configuration: SimulatorConfiguration
    public var directory: TenantDirectory
    public var timeline: TenantTimeline
    public var groundTruth: GroundTruth

    public init(configuration: SimulatorConfiguration) {
        self.configuration = configuration
        let root = SeededGenerator(seed: configuration.seed)
        var directoryRandom = root.derived("directory")
        let directory = DirectoryGenerator.make(userCount: configuration.userCount, random: &directoryRandom)
        let start = configuration.start
        let end = start.addingTimeInterval(configuration.duration)
        var builder = ScenarioBuilder(
            directory: directory, timeline: TenantTimeline(start: start, end: end),
            groundTruth: GroundTruth(
                scenario: configuration.scenarios.joined(separator: ","), seed: configuration.seed,
                tenantId: directory.tenantId),
            random: root.derived("background"), publication: configuration.publication,
            quirkRate: configuration.quirkRate)

        // Victims are ordinary staff: not VIP, not protected, so each attack's
        // criticality is exactly what its ground truth says.
        var victimPool = directory.users.filter { !$0.isVIP && !$0.isProtected && !$0.isSharedMailbox }
        var victimRandom = root.derived("victims")
        victimRandom.shuffle(&victimPool)
        let attackers = configuration.scenarios.compactMap(ScenarioCatalog.named).filter(\.isAttack)
        let perAttack = max(1, min(8, victimPool.count / max(1, attackers.count + 1)))
        var claimed: Set<String> = []
        var contexts: [(Scenario, ScenarioContext)] = []
        // Users after every even share, for scenarios that need more than one share.
        var spare = attackers.count * perAttack
        for (index, scenario) in attackers.enumerated() {
            var victims = Array(victimPool.dropFirst(index * perAttack).prefix(perAttack))
            if victims.count < scenario.victimsNeeded, spare < victimPool.count {
                let extra = victimPool[spare..<min(victimPool.count, spare + scenario.victimsNeeded - victims.count)]
                victims += extra
                spare += extra.count
            }
            claimed.formUnion(victims.map(\.id))
            contexts.append(
                (
                    scenario,
                    ScenarioContext(
                        start: start, end: end, victims: victims, backgroundRate: configuration.backgroundRate)
                ))
        }
        // The background runs for everybody but the attack victims: each attack gives
        // its victims the ordinary history it needs (a sign-in from home before the
        // attacker's), so no background event can blur an attack's ground truth. Nobody
        // signs in to the shared report mailbox; it only receives reports.
        let background = ScenarioContext(
            start: start, end: end,
            victims: directory.users.filter { !claimed.contains($0.id) && !$0.isSharedMailbox },
            backgroundRate: configuration.backgroundRate)
        ScenarioCatalog.benign.play(&builder, background)
        // Newsletters reported by mistake, on a stream of their own so the background and
        // every attack stay what they were without them.
        builder.random = root.derived("user-reports")
        BenignActivity.reportNewsletters(&builder, background)
        for (scenario, context) in contexts {
            builder.random = root.derived("scenario:" + scenario.name)
            scenario.play(&builder, context)
        }
        builder.random = root.derived("faults")
        for index in 0..<configuration.malformedRecords {
            let fraction = Double(index + 1) / Double(configuration.malformedRecords + 1)
            let time = start.addingTimeInterval(configuration.duration * fraction)
            builder.malformedRecord(
                Self.malformedSamples[index % Self.malformedSamples.count],
                contentType: index % 2 == 0 ? .exchange : .azureActiveDirectory, at: time)
        }
        (self.directory, self.timeline, self.groundTruth) = builder.finish()
        self.directory.groups = DirectoryGroups.make(
            directory: self.directory, victims: claimed, random: root.derived("groups"))
        self.configuration = configuration
    }

    /// Elements a blob can hold that are not audit records: valid JSON, so the blob
    /// still parses and only these elements must be dead-lettered.
    static let malformedSamples = [
        #"{"Id":12345,"CreationTime":"yesterday","Operation":null}"#,
        #""this element is a string, not a record""#,
        #"{"CreationTime":"2020-02-30T25:61:00","RecordType":"fifteen","Operation":"UserLoggedIn"}"#,
        #"[1,2,3]"#,
    ]
}
