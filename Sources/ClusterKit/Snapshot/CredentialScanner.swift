import Foundation
import RunbookKit

/// Which kind of credential a redaction masked: named in `snapshot.redactions`, never the value.
public enum CredentialPattern: String, CaseIterable, Codable, Sendable {
    case pemPrivateKey = "pem-private-key"
    case jwt = "jwt"
    case bearerToken = "bearer-token"
    case urlCredentials = "url-credentials"
    case awsAccessKey = "aws-access-key"
    case keyValuePair = "credential-pair"
    /// The value of an environment variable whose name looks like a credential (DB_PASSWORD).
    case credentialEnvironmentName = "credential-named-env"
    /// A Secret's data, string data or last-applied-configuration (never stored at all).
    case secretValue = "secret-value"
}

/// Finds credentials in free text (log lines, environment values, annotations) and masks
/// them with `SecretRedactor.mask`, as the journal masks secret parameters. The patterns are
/// deliberately broad: masking a harmless `token=abc` costs less than shipping a real one.
/// Thread-safe (NSRegularExpression matching is).
public struct CredentialScanner: @unchecked Sendable {
    public struct Match: Sendable {
        public var pattern: CredentialPattern
        /// 1-based line of the text the match starts on.
        public var line: Int
    }

    private struct Rule {
        let pattern: CredentialPattern
        let expression: NSRegularExpression
        /// The capture group that holds the secret part (0: the whole match).
        let group: Int
    }

    private let rules: [Rule]

    public init() {
        func rule(_ pattern: CredentialPattern, _ regex: String, group: Int = 0) -> Rule {
            // The expressions are constants: a failure here is a bug, caught by every test.
            Rule(pattern: pattern, expression: try! NSRegularExpression(pattern: regex), group: group)
        }
        rules = [
            rule(.pemPrivateKey, #"-----BEGIN[A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END[A-Z ]*PRIVATE KEY-----|\z)"#),
            rule(.jwt, #"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"#),
            rule(.bearerToken, #"(?i)\bbearer\s+([A-Za-z0-9\-._~+/]{8,}=*)"#, group: 1),
            rule(.urlCredentials, #"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@"']+:([^/\s@"']+)@"#, group: 1),
            rule(.awsAccessKey, #"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b"#, group: 1),
            rule(.keyValuePair,
                 #"(?i)\b[a-z0-9_.-]*(?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key)[a-z0-9_.-]*"?\s*[=:]\s*"?([^\s"'&,;]+)"#,
                 group: 1),
        ]
    }

    /// Words one of which every pattern's match contains (lower-cased): text without any of
    /// them is not run through the expressions at all, which keeps a 10,000-pod list cheap.
    private static let triggers = ["private key", "eyj", "bearer", "://", "akia", "asia", "password", "passwd", "pwd",
                                   "token", "secret", "key"]

    /// The text with every credential masked, and what was masked where.
    public func redact(_ text: String) -> (text: String, matches: [Match]) {
        guard !text.isEmpty else { return (text, []) }
        let lower = text.lowercased()
        guard CredentialScanner.triggers.contains(where: { lower.contains($0) }) else { return (text, []) }
        var current = text as NSString
        var found: [Match] = []
        for rule in rules {
            let results = rule.expression.matches(in: current as String, range: NSRange(location: 0, length: current.length))
            var ranges: [NSRange] = []
            for result in results {
                let range = result.range(at: rule.group)
                guard range.location != NSNotFound, range.length > 0,
                      current.substring(with: range) != SecretRedactor.mask else { continue }
                ranges.append(range)
                found.append(Match(pattern: rule.pattern, line: CredentialScanner.line(of: range.location, in: current)))
            }
            guard !ranges.isEmpty else { continue }
            let mutable = NSMutableString(string: current as String)
            for range in ranges.reversed() { mutable.replaceCharacters(in: range, with: SecretRedactor.mask) }
            current = mutable
        }
        return (current as String, found)
    }

    /// Whether an environment variable of this name holds a credential, whatever its value.
    public static func isCredentialName(_ name: String) -> Bool {
        let upper = name.uppercased()
        return ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY", "ACCESS_KEY", "ACCESSKEY",
                "PRIVATE_KEY", "CREDENTIAL", "AUTH"].contains { upper.contains($0) }
    }

    private static func line(of location: Int, in text: NSString) -> Int {
        var line = 1
        var index = 0
        let newline = unichar(10)
        while index < location {
            if text.character(at: index) == newline { line += 1 }
            index += 1
        }
        return line
    }
}
