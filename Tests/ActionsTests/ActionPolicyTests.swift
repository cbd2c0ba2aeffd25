import Actions
import Events
import Foundation
import Testing

@Suite struct ActionPolicyTests {
    func parse(_ json: String) throws(ActionPolicyError) -> ActionPolicy {
        try ActionPolicy(json: Array(json.utf8))
    }

    @Test func aCompletePolicyIsRead() throws {
        let policy = try parse(
            """
            {"mode": "enforce", "tenants": ["T1"], "allowedActions": ["revokeSessions", "disableAccount", "warnUser"],
             "protectedUsers": ["CEO@contoso.com"], "protectedGroups": ["Break Glass Accounts"],
             "capsPerHour": {"disableAccount": 2}, "killSwitchFile": "/run/inboxwatch/stop",
             "maximumCommandLifetimeSeconds": 7200, "clockSkewSeconds": 60,
             "warningMail": {"sender": "Security@contoso.com", "subject": "Heads up"}}
            """)
        #expect(policy.mode == .enforce)
        #expect(policy.tenants == ["t1"])
        #expect(policy.allowedActions == [.revokeSessions, .disableAccount, .warnUser])
        #expect(policy.isProtected(user: "ceo@CONTOSO.com"))
        #expect(policy.protectedGroups == ["break glass accounts"])
        #expect(policy.cap(of: .disableAccount) == 2)
        #expect(policy.cap(of: .revokeSessions) == ActionPolicy.defaultCaps[.revokeSessions])
        #expect(policy.maximumCommandLifetime == 7200)
        #expect(policy.warningMail.sender == "security@contoso.com")
        #expect(policy.warningMail.subject == "Heads up")
    }

    @Test func aNewDeploymentIsADryRunUnlessThePolicySaysEnforce() throws {
        let policy = try parse(#"{"tenants": ["t1"], "allowedActions": ["revokeSessions"]}"#)
        #expect(policy.mode == .dryRun)
    }

    @Test func everyMistakeIsNamedWithWhatWouldBeRight() {
        let json = """
            {"mode": "yes", "allowedActions": ["disableAcount", "approve", "warnUser"], "capsPerHour": {"disableAccount": -1, "nuke": 1},
             "killSwitchFile": "relative/path", "maximumCommandLifetimeSeconds": 10, "protectedUser": ["x"]}
            """
        let error = #expect(throws: ActionPolicyError.self) { try parse(json) }
        let text = error?.description ?? ""
        for expected in [
            "mode: expected \"dryRun\" or \"enforce\"", "\"disableAcount\" is not an action",
            "\"approve\" is not an action", "capsPerHour.disableAccount: expected a whole number from 0",
            "capsPerHour: \"nuke\" is not an action", "killSwitchFile: expected an absolute file path",
            "maximumCommandLifetimeSeconds: expected a whole number from 60", "unknown key \"protectedUser\"",
            "tenants: list the tenant ids", "warningMail.sender: warnUser is allowed",
        ] {
            #expect(text.contains(expected), "missing: \(expected)")
        }
    }

    @Test func theKillSwitchIsTheFlagOrTheFile() throws {
        var policy = try parse(
            #"{"tenants": ["t1"], "allowedActions": ["revokeSessions"], "killSwitchFile": "/tmp/stop"}"#)
        #expect(!policy.isKillSwitchEngaged(fileExists: { _ in false }))
        #expect(policy.isKillSwitchEngaged(fileExists: { $0 == "/tmp/stop" }))
        policy.killSwitch = true
        #expect(policy.isKillSwitchEngaged(fileExists: { _ in false }))
    }

    @Test func aFileThatIsNotThereOrNotJSONSaysSo() {
        let missing = #expect(throws: ActionPolicyError.self) { try ActionPolicy(file: "/nonexistent/policy.json") }
        #expect(missing?.description.contains("cannot read /nonexistent/policy.json") == true)
        let garbage = #expect(throws: ActionPolicyError.self) { try parse("{not json") }
        #expect(garbage?.description.contains("not JSON") == true)
    }
}
