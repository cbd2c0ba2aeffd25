public import Foundation
public import _CryptoExtras

/// Client assertions: the signed JWT a confidential client sends instead of a secret when it
/// authenticates with a certificate. `make` is the client side, public so tests and the real client
/// code can be checked against the verifier the token endpoint uses.
public enum ClientAssertion {
    /// The only `client_assertion_type` Entra ID accepts.
    public static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    /// How long past `exp` (and before `nbf`) an assertion is still accepted, for clock skew. Five
    /// minutes is the usual allowance of Microsoft's token validators.
    public static let clockSkew: TimeInterval = 300

    /// The signature algorithms the verifier accepts. Microsoft's certificate credential docs now
    /// recommend PS256; RS256 is what most libraries still send.
    public enum Algorithm: String, Sendable, Hashable {
        /// RSASSA-PKCS1-v1_5 with SHA-256.
        case rs256 = "RS256"
        /// RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt (RFC 7518 §3.5).
        case ps256 = "PS256"

        var padding: _RSA.Signing.Padding {
            switch self {
            case .rs256: .insecurePKCS1v1_5
            case .ps256: .PSS
            }
        }
    }

    /// A compact JWS with header `{"alg","typ":"JWT","x5t"}` and claims `aud`, `iss` = `sub` =
    /// `clientId`, `jti`, `nbf` = `iat` = `issuedAt` and `exp` = `issuedAt + lifetime`, in whole
    /// seconds as JWT NumericDate requires. A nil thumbprint leaves `x5t` out.
    public static func make(
        clientId: String,
        audience: String,
        privateKey: _RSA.Signing.PrivateKey,
        thumbprint: String?,
        issuedAt: Date,
        lifetime: TimeInterval,
        jti: String,
        algorithm: Algorithm = .rs256
    ) throws -> String {
        var header: [OrderedJSON.Member] = [.init("alg", .string(algorithm.rawValue)), .init("typ", .string("JWT"))]
        if let thumbprint { header.append(.init("x5t", .string(thumbprint))) }
        let issued = Int64(issuedAt.timeIntervalSince1970.rounded(.down))
        let expires = Int64((issuedAt.timeIntervalSince1970 + lifetime).rounded(.down))
        let claims = OrderedJSON.object([
            "aud": .string(audience), "iss": .string(clientId), "sub": .string(clientId), "jti": .string(jti),
            "nbf": .integer(issued), "iat": .integer(issued), "exp": .integer(expires),
        ])
        let signingInput =
            EntraBase64URL.encode(OrderedJSON.object(header).serialized()) + "."
            + EntraBase64URL.encode(claims.serialized())
        let signature = try privateKey.signature(for: Data(signingInput.utf8), padding: algorithm.padding)
        return signingInput + "." + EntraBase64URL.encode(signature.rawRepresentation)
    }
}

// MARK: - Verification (used by TokenIssuer)

extension ClientAssertion {
    /// What the issuer needs from an accepted assertion to stop it being replayed.
    struct Verified: Sendable {
        var jti: String
        var expiresAt: Date
    }

    private struct Header: Decodable {
        var alg: String?
        var typ: String?
        var x5t: String?
        var kid: String?
    }

    /// `aud` may legally be a string or an array of strings (RFC 7519 §4.1.3).
    private enum Audience: Decodable {
        case single(String)
        case multiple([String])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let single = try? container.decode(String.self) {
                self = .single(single)
            } else {
                self = .multiple(try container.decode([String].self))
            }
        }
    }

    private struct Claims: Decodable {
        var aud: Audience?
        var iss: String?
        var sub: String?
        var jti: String?
        var exp: Double?
        var nbf: Double?
    }

    /// Verifies everything about an assertion that does not need the issuer's memory of used `jti`
    /// values, in the order Entra appears to: structure, header, key and signature, then claims.
    /// The signature comes before the claims so that nothing an unauthenticated caller controls
    /// shapes the answer beyond "malformed" or "not signed by a registered key".
    static func verify(
        _ assertion: String,
        app: AppRegistration,
        acceptedAudiences: Set<String>,
        now: Date
    ) -> Result<Verified, EntraRejection> {
        let segments = assertion.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3,
            let headerBytes = EntraBase64URL.decode(segments[0]),
            let claimBytes = EntraBase64URL.decode(segments[1]),
            let signatureBytes = EntraBase64URL.decode(segments[2]), !signatureBytes.isEmpty,
            let header = try? JSONDecoder().decode(Header.self, from: headerBytes),
            let claims = try? JSONDecoder().decode(Claims.self, from: claimBytes)
        else { return .failure(.malformedAssertion) }

        if let typ = header.typ, typ.lowercased() != "jwt", typ != "http://openid.net/specs/jwt/1.0" {
            return .failure(.invalidHeaderType(typ))
        }
        guard let algorithmName = header.alg else { return .failure(.malformedAssertion) }
        guard let algorithm = Algorithm(rawValue: algorithmName) else {
            return .failure(.unsupportedAlgorithm(algorithmName))
        }

        let presented = [header.x5t, header.kid].compactMap { $0 }
        let shownThumbprint = presented.first ?? ""
        let candidates = app.certificates.filter { $0.matches(anyOf: presented) }
        guard !candidates.isEmpty else {
            return .failure(.keyNotFound(thumbprint: shownThumbprint, clientId: app.clientId))
        }
        let signingInput = Data(assertion.utf8.prefix(segments[0].utf8.count + 1 + segments[1].utf8.count))
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signatureBytes)
        guard
            candidates.contains(where: {
                $0.publicKey.isValidSignature(signature, for: signingInput, padding: algorithm.padding)
            })
        else { return .failure(.badSignature(thumbprint: shownThumbprint)) }

        guard let issuer = claims.iss, let subject = claims.sub, let expiry = claims.exp, let jti = claims.jti,
            !jti.isEmpty
        else { return .failure(.malformedAssertion) }
        guard issuer == subject else { return .failure(.subjectIsNotIssuer) }
        guard issuer.lowercased() == app.clientId.lowercased() else { return .failure(.issuerIsNotClient) }

        switch claims.aud {
        case .none:
            return .failure(.malformedAssertion)
        case .multiple:
            // Entra refuses an array `aud`, even one holding the right value, with AADSTS50027.
            return .failure(.malformedAssertion)
        case .single(let audience):
            guard acceptedAudiences.contains(normalizedAudience(audience)) else { return .failure(.wrongAudience) }
        }

        let expiresAt = Date(timeIntervalSince1970: expiry)
        let validFrom = Date(timeIntervalSince1970: claims.nbf ?? 0)
        if now.timeIntervalSince(expiresAt) > clockSkew || validFrom.timeIntervalSince(now) > clockSkew {
            return .failure(.outsideValidTime(now: now, validFrom: validFrom, expiresAt: expiresAt))
        }
        return .success(Verified(jti: jti, expiresAt: expiresAt))
    }

    /// Token endpoint URLs compare without case or trailing slash: Microsoft's own documentation has
    /// shown `oauth2/V2.0/token`, and clients built from it work.
    static func normalizedAudience(_ audience: String) -> String {
        var text = audience.lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}

extension EntraRejection: Error {}
