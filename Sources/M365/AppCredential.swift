import Crypto
import Events
public import Foundation
public import _CryptoExtras

/// How an app registration proves who it is to Entra ID. Microsoft recommends a
/// certificate over a secret in production; both are supported.
///
/// The descriptions never print the secret or the key, so a credential that ends up in
/// a log line or an error message leaks nothing.
public enum AppCredential: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A client secret's value (not its ID).
    case secret(String)
    /// A certificate's RSA private key and the thumbprint Entra ID knows it by: base64url of the
    /// SHA-1 of the certificate's DER, sent as the assertion's `x5t` header. The portal shows
    /// the thumbprint in hex; ``x5t(hexThumbprint:)`` converts it.
    case certificate(privateKey: _RSA.Signing.PrivateKey, thumbprint: String)

    public var description: String {
        switch self {
        case .secret: "AppCredential.secret(<redacted>)"
        case .certificate(_, let thumbprint): "AppCredential.certificate(thumbprint: \(thumbprint), key: <redacted>)"
        }
    }

    public var debugDescription: String { description }

    /// `secret` or `certificate`, for logs.
    var kind: String {
        switch self {
        case .secret: "secret"
        case .certificate: "certificate"
        }
    }

    /// A certificate credential from the private key in PEM (PKCS#1 or PKCS#8) and the `x5t` thumbprint.
    public static func certificate(pem: String, thumbprint: String) throws -> AppCredential {
        .certificate(privateKey: try _RSA.Signing.PrivateKey(pemRepresentation: pem), thumbprint: thumbprint)
    }

    /// The `x5t` value for a thumbprint as the Azure portal shows it (40 hex digits, any case,
    /// spaces or colons allowed); nil when it is not one.
    public static func x5t(hexThumbprint: String) -> String? {
        let digits = hexThumbprint.filter { $0.isHexDigit }
        guard digits.count == 40, hexThumbprint.allSatisfy({ $0.isHexDigit || $0 == " " || $0 == ":" }) else {
            return nil
        }
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return Base64URL.encode(bytes)
    }

    /// The `x5t` of a certificate given as DER: base64url of its SHA-1.
    public static func x5t(certificateDER: some DataProtocol) -> String {
        Base64URL.encode(Insecure.SHA1.hash(data: certificateDER))
    }
}

/// The identity one ``TokenProvider`` signs in as: an app registration and its credential.
public struct AppIdentity: Sendable, CustomStringConvertible {
    /// The application (client) ID.
    public var clientId: String
    public var credential: AppCredential

    public init(clientId: String, credential: AppCredential) {
        self.clientId = clientId
        self.credential = credential
    }

    public var description: String { "AppIdentity(clientId: \(clientId), credential: \(credential))" }
}

/// Base64url without padding (RFC 4648 §5), the alphabet of every JWS segment.
enum Base64URL {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }
}

/// The signed JWT a client sends instead of a secret when it authenticates with a
/// certificate (RFC 7523, Microsoft's "certificate credentials"): RS256, header
/// `{"alg":"RS256","typ":"JWT","x5t":…}`, claims `aud` = the token endpoint, `iss` = `sub` =
/// the client id, a random `jti`, `nbf` = `iat` = now and `exp` = now + lifetime.
public enum ClientAssertionBuilder {
    /// The `client_assertion_type` that goes with it.
    public static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    /// Ten minutes at most keeps a leaked assertion short-lived; Entra accepts up to that. Five
    /// minutes of headroom over the request's own time is plenty.
    public static let defaultLifetime: TimeInterval = 600

    /// Builds and signs an assertion. `jti` defaults to a random UUID so an assertion is never
    /// reused; a fixed one is for tests that compare bytes.
    public static func make(
        clientId: String, audience: String, privateKey: _RSA.Signing.PrivateKey, thumbprint: String?,
        issuedAt: Date, lifetime: TimeInterval = defaultLifetime, jti: String = UUID().uuidString.lowercased()
    ) throws -> String {
        var header: [(String, String)] = [("alg", "\"RS256\""), ("typ", "\"JWT\"")]
        if let thumbprint { header.append(("x5t", JSONValue.quoted(thumbprint))) }
        // JWT NumericDate is whole seconds.
        let issued = Int64(issuedAt.timeIntervalSince1970.rounded(.down))
        let expires = Int64((issuedAt.timeIntervalSince1970 + lifetime).rounded(.down))
        let claims: [(String, String)] = [
            ("aud", JSONValue.quoted(audience)), ("iss", JSONValue.quoted(clientId)),
            ("sub", JSONValue.quoted(clientId)), ("jti", JSONValue.quoted(jti)),
            ("nbf", String(issued)), ("iat", String(issued)), ("exp", String(expires)),
        ]
        let signingInput =
            Base64URL.encode(Data(object(header).utf8)) + "." + Base64URL.encode(Data(object(claims).utf8))
        let signature = try privateKey.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5)
        return signingInput + "." + Base64URL.encode(signature.rawRepresentation)
    }

    // Members in a fixed order, so the same inputs always give the same bytes (and tests can
    // compare them with another implementation).
    private static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { JSONValue.quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

}
