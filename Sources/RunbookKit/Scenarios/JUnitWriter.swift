import Foundation

/// JUnit XML for CI systems: one `<testcase>` per scenario; a difference is a `<failure>`,
/// a malformed scenario an `<error>`.
public enum JUnitWriter {
    public static func xml(_ results: [ScenarioResult], suiteName: String = "runbook scenarios") -> String {
        let failures = results.filter { !$0.passed && !$0.isMalformed }.count
        let errors = results.filter(\.isMalformed).count
        let time = seconds(results.reduce(0) { $0 + $1.duration })
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(time)\">\n"
        xml += "  <testsuite name=\"\(escape(suiteName))\" tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(time)\">\n"
        for result in results {
            let name = result.title.isEmpty ? result.scenarioPath : result.title
            xml += "    <testcase classname=\"\(escape(result.scenarioPath))\" name=\"\(escape(name))\" time=\"\(seconds(result.duration))\""
            if result.passed {
                xml += "/>\n"
                continue
            }
            xml += ">\n"
            if result.isMalformed {
                let message = result.errors.first?.description ?? "malformed scenario"
                let body = result.errors.map(\.description).joined(separator: "\n")
                xml += "      <error message=\"\(escape(message))\">\(escape(body))</error>\n"
            } else {
                let body = ScenarioReport.text(for: result)
                xml += "      <failure message=\"\(escape(result.differences.first ?? "failed"))\">\(escape(body))</failure>\n"
            }
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    private static func seconds(_ t: Double) -> String { String(format: "%.3f", t) }

    /// Escapes text for attributes and element content; drops characters XML 1.0 forbids.
    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t", "\r": out += "&#\(scalar.value);"
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
