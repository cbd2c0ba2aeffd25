public import Foundation

/// One sign-in, the single source of both its Graph `signIn` resource and its
/// `UserLoggedIn` / `UserLoginFailed` audit record, so the two always agree.
public struct SignInEvent: Sendable, Hashable {
    public var id: String
    public var time: Date
    public var userId: String
    public var userPrincipalName: String
    public var appId: String
    public var appDisplayName: String
    public var ipAddress: String
    public var place: Place
    public var clientAppUsed: String
    public var isInteractive: Bool
    public var userAgent: String
    /// `singleFactorAuthentication` or `multiFactorAuthentication`.
    public var authenticationRequirement: String
    /// Empty for an unmanaged device; `Azure AD joined` / `Hybrid Azure AD joined` otherwise.
    public var deviceTrustType: String
    public var riskLevel: RiskLevel
    public var riskEventTypes: [String]
    /// 0 for success; an AADSTS number otherwise (50126 bad password, 50057 disabled).
    public var errorCode: Int
    public var failureReason: String

    public enum RiskLevel: String, Sendable, Hashable, CaseIterable {
        case none, low, medium, high, hidden
    }

    public init(
        id: String, time: Date, userId: String, userPrincipalName: String, appId: String, appDisplayName: String,
        ipAddress: String, place: Place, clientAppUsed: String, isInteractive: Bool, userAgent: String,
        authenticationRequirement: String, deviceTrustType: String, riskLevel: RiskLevel, riskEventTypes: [String],
        errorCode: Int, failureReason: String
    ) {
        self.id = id
        self.time = time
        self.userId = userId
        self.userPrincipalName = userPrincipalName
        self.appId = appId
        self.appDisplayName = appDisplayName
        self.ipAddress = ipAddress
        self.place = place
        self.clientAppUsed = clientAppUsed
        self.isInteractive = isInteractive
        self.userAgent = userAgent
        self.authenticationRequirement = authenticationRequirement
        self.deviceTrustType = deviceTrustType
        self.riskLevel = riskLevel
        self.riskEventTypes = riskEventTypes
        self.errorCode = errorCode
        self.failureReason = failureReason
    }

    public var succeeded: Bool { errorCode == 0 }

    /// How this sign-in reads once the account was disabled before it happened:
    /// Entra ID refuses it with AADSTS50057.
    public func refusedAsDisabled() -> SignInEvent {
        var copy = self
        copy.errorCode = 50057
        copy.failureReason = "User account is disabled. The account has been disabled by an administrator."
        return copy
    }
}
