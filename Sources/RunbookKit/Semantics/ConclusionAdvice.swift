/// `runbook check`'s advice on plain conclusions: a `conclude "…"` leaves the run's severity
/// to its findings, so cron, CI and alerts learn less than they could. Warnings, never
/// errors, and only from `check`: running such a runbook stays quiet about it.
public enum ConclusionAdvice {
    public static let message =
        "a plain `conclude` lets the findings decide the exit code: say what the run found with `conclude ok` (healthy), `diagnose` (a problem) or `conclude unknown` (could not tell)"

    /// One warning at each plain `conclude` of the runbook (not of the runbooks it calls), in
    /// source order.
    public static func warnings(_ runbook: Runbook) -> [Diagnostic] {
        var found: [Diagnostic] = []
        runbook.forEachStatement { stmt in
            guard case .conclude(_, .unstated) = stmt.kind else { return }
            found.append(Diagnostic(.warning, message, at: runbook.file.location(stmt.span.start), length: "conclude".count))
        }
        return found
    }
}
