/// What the journal keeps of an event: secrets masked in every value — never in keys, record
/// types or step paths, so a short secret cannot damage the record's structure — and long
/// outputs cut to a bounded start (the reader is told, through the `…Cut` flags).
extension RunEvent {
    /// Bytes of a captured value kept for `resume`; a longer value is marked `cut` and is not
    /// restored.
    static let journaledValueLimit = 65_536

    /// Bytes of a spilled output that an observer is shown when no cut was asked for: the
    /// whole may be hundreds of megabytes, and no observer shows more than its start.
    static let spilledViewLimit = 1 << 20

    func forJournal(redactor: SecretRedactor, outputLimit: Int) -> RunEvent {
        masked(by: redactor, cutAt: outputLimit)
    }

    /// The event with every secret masked in its values (and, with `limit`, outputs cut to
    /// that many bytes). What observers see: the session masks each event once, for all.
    public func masked(by r: SecretRedactor, cutAt limit: Int? = nil) -> RunEvent {
        if r.isEmpty && limit == nil { return self }
        let outputLimit = limit ?? Int.max
        switch self {
        case .runStarted(var h):
            h.parameters = h.parameters.mapValues(r.redact)
            return .runStarted(h)
        case .resumed, .stepStarted, .stepEnded, .cursor, .runEnded:
            return self
        case .commandOutput(var line):
            line.line = r.redact(line.line)
            return .commandOutput(line)
        case .commandStarted(var c):
            c.script = r.redact(c.script)
            return .commandStarted(c)
        case .commandEnded(var c):
            c.script = r.redact(c.script)
            let out = Self.masked(c.result.stdoutText, r, outputLimit)
            let err = Self.masked(c.result.stderrText, r, outputLimit)
            // `…Cut` says what the record keeps; observers (no limit) get a spilled output's
            // start only to keep secrets from them, and the run itself kept it whole.
            c.stdoutCut = c.stdoutCut || limit != nil && out.cut
            c.stderrCut = c.stderrCut || limit != nil && err.cut
            c.result.stdout = out.text
            c.result.stderr = err.text
            return .commandEnded(c)
        case .finding(var f):
            f.message = r.redact(f.message)
            f.evidence = JournalOutputCut.head(of: r.redact(f.evidence), limit: outputLimit).text
            f.host = f.host.map(r.redact)
            return .finding(f)
        case .branch(var b):
            b.description = r.redact(b.description)
            b.loop = b.loop?.redacted(by: r)
            return .branch(b)
        case .decision(var d):
            d.prompt = r.redact(d.prompt)
            d.answer = d.answer.map(r.redact)
            return .decision(d)
        case .message(var m):
            m.text = r.redact(m.text)
            return .message(m)
        case .note(var n):
            n.text = r.redact(n.text)
            return .note(n)
        case .mark(var m):
            m.remark = r.redact(m.remark)
            return .mark(m)
        case .variable(var v):
            // A capture the executor already cut is incomplete whatever happens next.
            if case .result(let result) = v.value, result.stdoutTruncated || result.stderrTruncated { v.cut = true }
            // A spilled output is never whole in a record: its masked start is, cut.
            if case .result(let result) = v.value, result.stdoutText.isSpilled || result.stderrText.isSpilled { v.cut = true }
            let masked = v.value.redacted(by: r)
            v.redacted = v.redacted || RunEvent.secretsMasked(in: v.value, giving: masked)
            if limit != nil {
                let kept = masked.cut(to: RunEvent.journaledValueLimit)
                v.cut = v.cut || kept.cut
                v.value = kept.value
            } else {
                v.value = masked
            }
            return .variable(v)
        case .concluded(var c):
            c.message = r.redact(c.message)
            return .concluded(c)
        case .failed(var f):
            f.message = r.redact(f.message)
            return .failed(f)
        case .targetEnded(var t):
            t.conclusion = t.conclusion.map(r.redact)
            t.reason = t.reason.map(r.redact)
            return .targetEnded(t)
        }
    }
}

extension RunEvent {
    /// Whether masking changed the value. A spilled output comes back as its masked start, so
    /// that start is what it is compared with.
    static func secretsMasked(in value: Value, giving masked: Value) -> Bool {
        guard case .result(let plain) = value, case .result(let hidden) = masked,
              plain.stdoutText.isSpilled || plain.stderrText.isSpilled else { return masked != value }
        func seen(_ text: CapturedText) -> String { text.isSpilled ? text.head(limit: spilledViewLimit).text : text.string }
        return hidden.stdout != seen(plain.stdoutText) || hidden.stderr != seen(plain.stderrText)
    }

    /// An output with its secrets masked, cut to `limit`; a spilled one is read only as far
    /// as that needs (and never further than `spilledViewLimit`).
    static func masked(_ text: CapturedText, _ r: SecretRedactor, _ limit: Int) -> (text: String, cut: Bool) {
        text.masked(by: r, limit: text.isSpilled ? min(limit, spilledViewLimit) : limit)
    }
}

extension Value {
    /// Secrets masked in every string inside, keys included only as values never are.
    func redacted(by r: SecretRedactor) -> Value {
        if r.isEmpty { return self }
        switch self {
        case .null, .bool, .number: return self
        case .string(let s): return .string(r.redact(s))
        case .list(let items): return .list(items.map { $0.redacted(by: r) })
        case .map(let keys, let values): return .map(keys, values.mapValues { $0.redacted(by: r) })
        case .row: return materialized.redacted(by: r)
        case .result(var result):
            result.stdout = RunEvent.masked(result.stdoutText, r, Int.max).text
            result.stderr = RunEvent.masked(result.stderrText, r, Int.max).text
            return .result(result)
        }
    }

    /// The value with its strings cut to `limit` bytes each; `cut` says whether any was.
    func cut(to limit: Int) -> (value: Value, cut: Bool) {
        switch self {
        case .null, .bool, .number: return (self, false)
        case .string(let s):
            let kept = JournalOutputCut.head(of: s, limit: limit)
            return (.string(kept.text), kept.cut)
        case .list(let items):
            var any = false
            let kept = items.map { item -> Value in
                let k = item.cut(to: limit)
                any = any || k.cut
                return k.value
            }
            return (.list(kept), any)
        case .map(let keys, let values):
            var any = false
            let kept = values.mapValues { item -> Value in
                let k = item.cut(to: limit)
                any = any || k.cut
                return k.value
            }
            return (.map(keys, kept), any)
        case .row:
            return materialized.cut(to: limit)
        case .result(var result):
            let out = result.stdoutText.head(limit: limit)
            let err = result.stderrText.head(limit: limit)
            let wasCut = out.cut || err.cut
            result.stdout = out.text
            result.stderr = err.text
            return (.result(result), wasCut)
        }
    }
}
