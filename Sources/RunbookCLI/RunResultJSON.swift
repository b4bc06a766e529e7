import Foundation
import RunbookKit

/// The one object `runbook run --format json` prints on stdout when the run ends: what cron,
/// CI or an alert needs, with every text masked as the terminal shows it.
struct RunResultJSON: Encodable {
    struct FindingJSON: Encodable {
        var severity: FindingSeverity
        var step: String
        var host: String?
        var message: String
    }

    struct TargetJSON: Encodable {
        var host: String?
        var status: RunStatus
        var severity: Severity
        var exit_code: Int32
        var conclusion: String?
        var conclusion_severity: ConclusionSeverity?
        var reason: String?
        var findings: [FindingJSON]
    }

    var runbook: String
    var path: String
    /// How the whole run ended; its fields are written at the top level, next to the others.
    var run: TargetJSON
    /// One entry per host of a fan-out; empty for a run on one target.
    var targets: [TargetJSON]
    var journal: String?

    enum CodingKeys: String, CodingKey { case runbook, path, targets, journal }

    func encode(to encoder: Encoder) throws {
        try run.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runbook, forKey: .runbook)
        try c.encode(path, forKey: .path)
        try c.encode(targets, forKey: .targets)
        try c.encodeIfPresent(journal, forKey: .journal)
    }

    static func make(session: RunSession, outcome: RunSession.Outcome) -> String {
        let redactor = session.redactor
        func mask(_ s: String?) -> String? { s.map(redactor.redact) }
        func findings(_ list: [Finding]) -> [FindingJSON] {
            list.map { FindingJSON(severity: $0.severity, step: $0.path.stepDescription, host: $0.host,
                                   message: redactor.redact($0.message)) }
        }
        let targets = outcome.targets.map { t in
            TargetJSON(host: t.target, status: t.status, severity: t.outcome.severity, exit_code: t.exitCode,
                       conclusion: mask(t.outcome.conclusion), conclusion_severity: t.outcome.conclusionSeverity,
                       reason: mask(t.reason), findings: findings(t.outcome.findings))
        }
        let single = targets.count == 1 ? targets.first : nil
        let run = TargetJSON(
            host: nil, status: outcome.status, severity: outcome.severity, exit_code: outcome.exitCode,
            conclusion: single?.conclusion, conclusion_severity: single?.conclusion_severity, reason: single?.reason,
            findings: outcome.targets.flatMap { findings($0.outcome.findings) })
        let result = RunResultJSON(runbook: session.checked.title, path: session.checked.path, run: run,
                                   targets: session.isFanOut ? targets : [], journal: session.journalPath)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(result), let text = String(data: data, encoding: .utf8) else {
            return "{\"exit_code\":\(outcome.exitCode)}\n"
        }
        return text + "\n"
    }
}
