import Foundation

/// Makes the people and domains of a simulated tenant from a seed.
enum DirectoryGenerator {
    static let firstNames = [
        "Alice", "Bob", "Carol", "Dan", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Karl", "Lena", "Mallory",
        "Nina", "Oscar", "Peggy", "Quinn", "Rupert", "Sybil", "Trent", "Uma", "Victor", "Wendy", "Xavier", "Yara",
        "Zoe", "Amir", "Beatriz", "Chen", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Ines", "Jonas", "Keiko",
        "Luis", "Maja", "Noor",
    ]
    static let lastNames = [
        "Adams", "Baker", "Clark", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Khan", "Lopez",
        "Meyer", "Novak", "Olsen", "Patel", "Quinn", "Rossi", "Silva", "Tanaka", "Umar", "Vogel", "Weber", "Young",
        "Zhang", "Moreau", "Kowalski", "Nakamura", "Okafor", "Larsen",
    ]
    static let departments = ["Sales", "Engineering", "Finance", "Marketing", "Support", "Legal", "Operations", "HR"]

    /// Offices and homes of the tenant's people: mostly the US, some in Europe.
    static let homePlaces = [
        Place(city: "Seattle", state: "Washington", countryOrRegion: "US", latitude: "47.6062", longitude: "-122.3321"),
        Place(city: "Chicago", state: "Illinois", countryOrRegion: "US", latitude: "41.8781", longitude: "-87.6298"),
        Place(city: "New York", state: "New York", countryOrRegion: "US", latitude: "40.7128", longitude: "-74.0060"),
        Place(city: "London", state: "England", countryOrRegion: "GB", latitude: "51.5072", longitude: "-0.1276"),
        Place(city: "Berlin", state: "Berlin", countryOrRegion: "DE", latitude: "52.5200", longitude: "13.4050"),
    ]

    static func make(userCount: Int, random: inout SeededGenerator) -> TenantDirectory {
        let tenantId = random.guid()
        let domains = [
            AcceptedDomain(name: "contoso.com", isDefault: true),
            AcceptedDomain(name: "contoso.onmicrosoft.com", isInitial: true),
            AcceptedDomain(name: "contoso-labs.com"),
        ]
        let created = Date(timeIntervalSince1970: 1_577_836_800)  // 2020-01-01
        var users: [SimulatedUser] = []
        var taken: Set<String> = []
        // Fixed people first: executives (VIP) and accounts the action worker must never touch.
        let fixed: [(String, String, String, String, Bool, Bool)] = [
            ("Megan", "Bowen", "Executive", "Chief Executive Officer", true, false),
            ("Adele", "Vance", "Finance", "Chief Financial Officer", true, false),
            ("Break", "Glass", "IT", "Emergency access account", false, true),
        ]
        for (first, last, department, title, isVIP, isProtected) in fixed {
            users.append(
                makeUser(
                    first: first, last: last, department: department, title: title, isVIP: isVIP,
                    isProtected: isProtected, taken: &taken, created: created, random: &random))
        }
        while users.count < userCount {
            let first = random.pick(firstNames)
            let last = random.pick(lastNames)
            let department = random.pick(departments)
            let title =
                department == "Finance" && random.chance(0.2) ? "Accounts Payable Manager" : "\(department) Specialist"
            users.append(
                makeUser(
                    first: first, last: last, department: department, title: title, isVIP: false, isProtected: false,
                    taken: &taken, created: created, random: &random))
        }
        assignManagers(&users)
        // The shared mailbox comes last, from a stream of its own, so every person (and
        // every draw after the directory) is what it was before the mailbox existed.
        var mailboxRandom = random.derived("report-mailbox")
        let mailbox = reportMailbox(domain: domains[0].name, created: created, random: &mailboxRandom)
        users.append(mailbox)
        return TenantDirectory(
            tenantId: tenantId, displayName: "Contoso (simulated)", domains: domains, users: users,
            reportMailbox: mailbox.userPrincipalName)
    }

    /// The organisation chart, without a random draw: the CEO and the break-glass account
    /// have no manager; the CFO and Finance report to the CFO's line (CFO → CEO); in every
    /// other department the first person (in directory order) becomes its manager,
    /// reporting to the CEO, and the others report to them.
    static func assignManagers(_ users: inout [SimulatedUser]) {
        guard let ceo = users.firstIndex(where: { $0.jobTitle == "Chief Executive Officer" }) else { return }
        let cfo = users.firstIndex { $0.jobTitle == "Chief Financial Officer" }
        if let cfo { users[cfo].managerId = users[ceo].id }
        var heads: [String: String] = [:]
        if let cfo { heads["Finance"] = users[cfo].id }
        for index in users.indices where index != ceo && index != cfo && !users[index].isProtected {
            let department = users[index].department
            if let head = heads[department] {
                users[index].managerId = head
            } else {
                heads[department] = users[index].id
                users[index].jobTitle = "\(department) Manager"
                users[index].managerId = users[ceo].id
            }
        }
    }

    /// `phishreports@<default domain>`: a shared mailbox, not a person.
    static func reportMailbox(domain: String, created: Date, random: inout SeededGenerator) -> SimulatedUser {
        SimulatedUser(
            id: random.guid(), userPrincipalName: "phishreports@\(domain)", displayName: "Phishing Reports",
            department: "", jobTitle: "", isVIP: false, isProtected: false, home: homePlaces[0],
            usualIPs: ["203.0.113.10"], createdAt: created, isSharedMailbox: true)
    }

    private static func makeUser(
        first: String, last: String, department: String, title: String, isVIP: Bool, isProtected: Bool,
        taken: inout Set<String>, created: Date, random: inout SeededGenerator
    ) -> SimulatedUser {
        var local = (first + "." + last).lowercased()
        var suffix = 2
        while taken.contains(local) {
            local = (first + "." + last).lowercased() + String(suffix)
            suffix += 1
        }
        taken.insert(local)
        let home =
            random.chance(0.8) ? random.pick(Array(homePlaces.prefix(3))) : random.pick(Array(homePlaces.suffix(2)))
        let officeIP =
            home.countryOrRegion == "US"
            ? "203.0.113.\(10 + homePlaces.firstIndex(of: home)!)"
            : "198.51.100.\(10 + homePlaces.firstIndex(of: home)!)"
        let homeIP =
            "\(random.between(60...90)).\(random.between(1...254)).\(random.between(1...254)).\(random.between(1...254))"
        return SimulatedUser(
            id: random.guid(), userPrincipalName: "\(local)@contoso.com", displayName: "\(first) \(last)",
            department: department, jobTitle: title, isVIP: isVIP, isProtected: isProtected, home: home,
            usualIPs: [officeIP, homeIP], createdAt: created)
    }
}
