import Foundation

/// A flat view of one journal record for assertions: the step as "callee/step" under
/// "step" (and the target under "target"), a command's result fields beside its other
/// fields, and snake_case names alongside the record's own camelCase ones, so a test reads
/// `object["exit_code"]` whatever object the field sits in.
enum JournalRecordView {
    static func flatten(_ object: [String: Any]) -> [String: Any] {
        var flat = object
        if let path = object["path"] as? [String: Any] {
            let calls = path["calls"] as? [String] ?? []
            flat["step"] = (calls + [path["step"] as? String ?? ""]).joined(separator: "/")
            if let target = path["target"] { flat["target"] = target }
        }
        if let result = object["result"] as? [String: Any] {
            for (key, value) in result where flat[key] == nil { flat[key] = value }
        }
        if let script = object["script"] { flat["command"] = script }
        if object["type"] as? String == "decision" {
            flat["choice"] = object["answer"]
            flat["question_id"] = object["id"]
            flat["question"] = object["prompt"]
        }
        for (key, value) in flat {
            let snake = key.reduce(into: "") { out, c in
                if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
            }
            if snake != key && flat[snake] == nil { flat[snake] = value }
        }
        return flat
    }
}
