import Foundation
import XCTest
@testable import RunbookKit

/// Every built-in function, with the cases troubleshooting output throws at them.
final class LanguageBuiltinsTests: XCTestCase {
    private func show(_ source: String, _ variables: [String: Value] = [:],
                      file: StaticString = #filePath, line: UInt = #line) -> String {
        Lang.show(source, variables, file: file, line: line)
    }

    private func call(_ name: String, _ args: Value...) throws -> Value {
        guard let builtin = Builtins.table[name] else { throw RuntimeError("no \(name)") }
        return try builtin.apply(args)
    }

    func testEveryBuiltinIsInTheTableWithASignature() {
        XCTAssertEqual(Builtins.table.count, Builtins.all.count, "names are unique")
        for b in Builtins.all {
            XCTAssertTrue(b.signature.hasPrefix(b.name + "("), b.name)
            XCTAssertLessThanOrEqual(b.minArgs, b.maxArgs, b.name)
            XCTAssertFalse(b.summary.isEmpty, b.name)
        }
    }

    func testEveryBuiltinIsDocumented() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        let doc = try String(contentsOf: url.appendingPathComponent("docs/LANGUAGE.md"), encoding: .utf8)
        for b in Builtins.all {
            XCTAssertTrue(doc.contains("`\(b.name)("), "docs/LANGUAGE.md does not describe \(b.name)()")
        }
    }

    // MARK: Text

    func testTrimLinesWords() {
        XCTAssertEqual(show("trim(\"  a b \\n\")"), "a b")
        XCTAssertEqual(show("lines(\"a\\n\\nb\\n\")"), "a, b")
        XCTAssertEqual(show("count(lines(\"\"))"), "0")
        XCTAssertEqual(show("words(\" p  q\\tr\\ns \")"), "p, q, r, s")
    }

    /// BUG: in Swift "\r\n" is one Character, so splitting on the Character "\n" (lines,
    /// words, count, table) and trimming the Characters "\n"/"\r" (a result's stdout) leave
    /// CRLF output (curl -i, ssh with a pty, Windows tools) in one piece.
    func testCRLFOutput() {
        let crlf = ["t": Value.string("a\r\nb\r\n"), "r": Lang.result("ok\r\n")]
        XCTAssertEqual(show("lines(t)", crlf), "a, b")
        XCTAssertEqual(show("count(t)", crlf), "2")
        XCTAssertEqual(show("words(t)", crlf), "a, b")
        XCTAssertEqual(show("r.stdout == \"ok\"", crlf), "true")
        XCTAssertEqual(show("count(table(x))", ["x": .string("NAME  AGE\r\nweb   5d\r\n")]), "1")
    }

    func testField() {
        XCTAssertEqual(show("field(\"a b  c\", 1)"), "a")
        XCTAssertEqual(show("field(\"a b  c\", 3)"), "c")
        XCTAssertEqual(show("field(\"a b c\", -1)"), "c", "negative counts from the end")
        XCTAssertEqual(show("field(\"a\", 5) == null"), "true")
        XCTAssertEqual(show("field(\"a\", 0) == null"), "true")
        XCTAssertEqual(show("field(\"0.42 0.30 0.10 1/99 123\", 1)"), "0.42")
        XCTAssertEqual(show("field(\"a\", \"x\")"), "ERROR: field(): n must be a number")
    }

    func testCountAndLength() {
        XCTAssertEqual(show("count([1, 2, 3])"), "3")
        XCTAssertEqual(show("count(\"a\\nb\\n\\n\")"), "2", "text counts its non-empty lines")
        XCTAssertEqual(show("count(\"\")"), "0")
        XCTAssertEqual(show("count(null)"), "0")
        XCTAssertEqual(show("count(json(\"\\{\\\"a\\\":1,\\\"b\\\":2\\}\"))"), "2")
        XCTAssertEqual(show("length(\"héllo\")"), "5", "characters, not bytes")
        XCTAssertEqual(show("length(\"\")"), "0")
    }

    func testNumberAndInt() {
        XCTAssertEqual(show("number(\"42\")"), "42")
        XCTAssertEqual(show("number(\" 3.5\\n\")"), "3.5")
        XCTAssertEqual(show("number(\"85%\")"), "85")
        XCTAssertEqual(show("number(true)"), "1")
        XCTAssertEqual(show("number(\"12 MB\")"), "ERROR: number(): '12 MB' is not a number")
        XCTAssertEqual(show("number(\"\")"), "ERROR: number(): '' is not a number")
        XCTAssertEqual(show("int(3.9)"), "3")
        XCTAssertEqual(show("int(-3.5)"), "-4", "rounded down")
        XCTAssertEqual(show("int(\"7.2\")"), "7")
        XCTAssertEqual(show("int(\"x\")"), "ERROR: int(): 'x' is not a number")
    }

    func testQuantity() {
        XCTAssertEqual(show("quantity(\"128Mi\")"), "134217728")
        XCTAssertEqual(show("quantity(\"2Gi\")"), "2147483648")
        XCTAssertEqual(show("quantity(\"1Ki\")"), "1024")
        XCTAssertEqual(show("quantity(\"1Ti\")"), "1099511627776")
        XCTAssertEqual(show("quantity(\"500m\")"), "0.5", "milli-CPU")
        XCTAssertEqual(show("quantity(\"250m\") + quantity(\"1\")"), "1.25")
        XCTAssertEqual(show("quantity(\"1.5G\")"), "1500000000")
        XCTAssertEqual(show("quantity(\"1k\")"), "1000")
        XCTAssertEqual(show("quantity(\"3M\")"), "3000000")
        XCTAssertEqual(show("quantity(\" 64 \")"), "64")
        XCTAssertEqual(show("quantity(\"1Gi\") > quantity(\"1000Mi\")"), "true")
        XCTAssertEqual(show("quantity(\"lots\")"), "ERROR: quantity(): 'lots' is not a quantity")
        XCTAssertEqual(show("quantity(\"Mi\")"), "ERROR: quantity(): 'Mi' is not a quantity")
    }

    func testCaseSplitJoinReplace() {
        XCTAssertEqual(show("lower(\"AbC\")"), "abc")
        XCTAssertEqual(show("upper(\"abc\")"), "ABC")
        XCTAssertEqual(show("count(split(\"a,b,,c\", \",\"))"), "4", "empty pieces are kept")
        XCTAssertEqual(show("split(\"a::b\", \"::\")[1]"), "b")
        XCTAssertEqual(show("split(\"a\", \"\")"), "ERROR: split(): the separator is empty")
        XCTAssertEqual(show("join([\"a\", 1, true], \"-\")"), "a-1-true")
        XCTAssertEqual(show("join(\"not a list\", \",\")"), "not a list")
        XCTAssertEqual(show("replace(\"a.b.c\", \".\", \"/\")"), "a/b/c")
    }

    func testMatchAndGrep() {
        XCTAssertEqual(show("match(\"v1.22.3\", \"v(\\\\d+)\\\\.(\\\\d+)\")"), "1", "the first group")
        XCTAssertEqual(show("match(\"abc\", \"b.\")"), "bc", "the whole match without groups")
        XCTAssertEqual(show("match(\"abc\", \"z\") == null"), "true")
        XCTAssertEqual(show("match(\"ab\", \"a(x)?\")"), "a", "an unmatched group gives the whole match")
        XCTAssertEqual(show("grep(\"a1\\nb2\\na3\", \"^a\")"), "a1, a3")
        XCTAssertEqual(show("grep([\"x\", \"yx\", \"z\"], \"x\")"), "x, yx")
        XCTAssertEqual(show("count(grep(\"\", \"x\"))"), "0")
        XCTAssertEqual(show("match(\"a\", p)", ["p": .string("[")]), "ERROR: invalid regular expression '['")
    }

    // MARK: Lists

    func testFirstLastUniqueSort() {
        XCTAssertEqual(show("first([3, 4])"), "3")
        XCTAssertEqual(show("last(\"x\\ny\\n\")"), "y", "text is taken line by line")
        XCTAssertEqual(show("first([]) == null"), "true")
        XCTAssertEqual(show("last(null) == null"), "true")
        XCTAssertEqual(show("unique([\"b\", \"a\", \"b\", \"c\", \"a\"])"), "b, a, c")
        XCTAssertEqual(show("sort([10, 9, 100])"), "9, 10, 100", "numbers sort as numbers")
        XCTAssertEqual(show("sort([\"10\", \"9\"])"), "9, 10", "numeric text too")
        XCTAssertEqual(show("sort([\"b\", \"C\", \"a\"])"), "C, a, b")
        XCTAssertEqual(show("sort(\"z\\ny\")"), "y, z")
    }

    func testSumMaxMinAbsRound() {
        XCTAssertEqual(show("sum([1, 2, \"3\"])"), "6")
        XCTAssertEqual(show("sum([])"), "0")
        XCTAssertEqual(show("sum(\"1\\n2\\n\")"), "3")
        XCTAssertEqual(show("sum([1, \"x\"])"), "ERROR: sum(): 'x' is not a number")
        XCTAssertEqual(show("max([1, 5, 3])"), "5")
        XCTAssertEqual(show("max(2, 7)"), "7")
        XCTAssertEqual(show("min([4, 2, 8])"), "2")
        XCTAssertEqual(show("min(\"4\", \"-1\")"), "-1")
        XCTAssertEqual(show("max([]) == null"), "true")
        XCTAssertEqual(show("max([\"a\"])"), "ERROR: max(): 'a' is not a number")
        XCTAssertEqual(show("abs(-2.5)"), "2.5")
        XCTAssertEqual(show("round(2.567, 2)"), "2.57")
        XCTAssertEqual(show("round(2.5)"), "3")
        XCTAssertEqual(show("round(1234, -2)"), "1200")
        XCTAssertEqual(show("abs(\"x\")"), "ERROR: abs(): 'x' is not a number")
    }

    func testDefault() {
        XCTAssertEqual(show("default(null, \"d\")"), "d")
        XCTAssertEqual(show("default(\"\", \"e\")"), "e")
        XCTAssertEqual(show("default(\"x\", \"y\")"), "x")
        XCTAssertEqual(show("default(0, 5)"), "0", "zero is a value, not a missing one")
        XCTAssertEqual(show("default([], \"z\")"), "z")
        XCTAssertEqual(show("default([1], \"z\")"), "1")
        XCTAssertEqual(show("default(match(\"abc\", \"q\"), \"-\")"), "-")
    }

    func testEnvKeysString() {
        XCTAssertEqual(show("env(\"PATH\") == null"), "false")
        XCTAssertEqual(show("env(\"RUNBOOK_SURELY_UNSET_VARIABLE_42\") == null"), "true")
        XCTAssertEqual(show("keys(json(\"\\{\\\"b\\\":1,\\\"a\\\":2\\}\"))"), "b, a", "keys keep their order")
        XCTAssertEqual(show("keys(\"text\")"), "")
        XCTAssertEqual(show("string(1.0) + \"x\""), "1x")
        XCTAssertEqual(show("string([1, 2])"), "1, 2")
    }

    // MARK: JSON

    private let pods = """
    {"items": [
      {"metadata": {"name": "web-1", "labels": {"app": "web"}}, "status": {"phase": "Running", "restarts": 0}},
      {"metadata": {"name": "web-2"}, "status": {"phase": "Pending", "ready": false, "node": null}}
    ], "kind": "List", "count": 2.5e1, "text": "a\\"b\\u00e9\\n"}
    """

    func testJSONParseAndPaths() throws {
        let vars = ["j": Value.string(pods)]
        XCTAssertEqual(show("json(j).kind", vars), "List")
        XCTAssertEqual(show("json(j).items[1].metadata.name", vars), "web-2")
        XCTAssertEqual(show("json(j, \"items[0].status.phase\")", vars), "Running")
        XCTAssertEqual(show("json(j, \".items[0].status.phase\")", vars), "Running")
        XCTAssertEqual(show("json(j, \"\\{.items[1].status.phase\\}\")", vars), "Pending", "kubectl jsonpath braces")
        XCTAssertEqual(show("json(j, \"items.metadata.name\")", vars), "web-1, web-2", "a key maps over a list")
        XCTAssertEqual(show("json(j, \"items[*].metadata.name\")", vars), "web-1, web-2")
        XCTAssertEqual(show("json(j, \"items[-1].metadata.name\")", vars), "web-2")
        XCTAssertEqual(show("json(j, \"items[0].metadata.labels['app']\")", vars), "web")
        XCTAssertEqual(show("json(j, \"items[5].metadata.name\") == null", vars), "true")
        XCTAssertEqual(show("json(j, \"nothing.here\") == null", vars), "true")
        XCTAssertEqual(show("json(j, \"count\")", vars), "25")
        XCTAssertEqual(show("json(j, \"items[0].status.restarts\") == 0", vars), "true")
        XCTAssertEqual(show("json(j, \"items[1].status.ready\")", vars), "false")
        XCTAssertEqual(show("json(j, \"items[1].status.node\") == null", vars), "true")
        XCTAssertEqual(show("json(j, \"text\")", vars), "a\"bé\n")
        XCTAssertEqual(show("count(json(j).items)", vars), "2")
        XCTAssertEqual(show("json(j, \"items[0\")", vars), "ERROR: json(): unclosed '[' in path 'items[0'")
    }

    func testJSONScalarsAndArrays() {
        XCTAssertEqual(show("json(\"[1, 2, 3]\")[2]"), "3")
        XCTAssertEqual(show("json(\"true\")"), "true")
        XCTAssertEqual(show("json(\" 42 \")"), "42")
        XCTAssertEqual(show("json(\"null\") == null"), "true")
        XCTAssertEqual(show("json(\"\\\"\\\\u2713\\\"\")"), "✓")
    }

    func testInvalidJSON() {
        XCTAssertTrue(show("json(\"\")").hasPrefix("ERROR: json(): no JSON to parse"))
        XCTAssertTrue(show("json(\"\\{\\\"a\\\": \")").hasPrefix("ERROR: json(): the text is not valid JSON"))
        XCTAssertTrue(show("json(\"[1, 2] x\")").contains("unexpected text after the JSON value"))
        XCTAssertTrue(show("json(\"[1,]\")").hasPrefix("ERROR: json(): the text is not valid JSON"))
        XCTAssertTrue(show("json(\"\\{a: 1\\}\")").hasPrefix("ERROR: json(): the text is not valid JSON"))
        // Deep nesting is refused, not a crash.
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        XCTAssertThrowsError(try call("json", .string(deep)))
    }

    // MARK: Networks

    func testCIDR() {
        XCTAssertEqual(show("cidr_overlaps(\"10.244.0.0/16\", \"10.244.3.0/24\")"), "true")
        XCTAssertEqual(show("cidr_overlaps(\"10.244.3.0/24\", \"10.244.0.0/16\")"), "true")
        XCTAssertEqual(show("cidr_overlaps(\"10.0.0.0/8\", \"192.168.0.0/16\")"), "false")
        XCTAssertEqual(show("cidr_overlaps(\"10.244.0.0/16\", \"10.245.0.1\")"), "false", "a bare address is a /32")
        XCTAssertEqual(show("cidr_overlaps(\"10.244.0.0/16\", \"10.244.255.255\")"), "true")
        XCTAssertEqual(show("cidr_overlaps(\"0.0.0.0/0\", \"1.2.3.4\")"), "true")
        XCTAssertEqual(show("cidr_overlaps(\"192.168.1.7/24\", \"192.168.1.200/32\")"), "true", "host bits are ignored")
        XCTAssertEqual(show("cidr_overlaps(\"10.0.0.0/33\", \"10.0.0.0/8\")"), "ERROR: cidr_overlaps(): '10.0.0.0/33' is not an IPv4 network")
        XCTAssertEqual(show("cidr_overlaps(\"10.0.0.0/8\", \"default\")"), "ERROR: cidr_overlaps(): 'default' is not an IPv4 network")
        XCTAssertEqual(show("is_cidr(\"1.2.3.4\")"), "true")
        XCTAssertEqual(show("is_cidr(\"10.244.0.0/16\")"), "true")
        XCTAssertEqual(show("is_cidr(\"1.2.3\")"), "false")
        XCTAssertEqual(show("is_cidr(\"256.1.1.1\")"), "false")
        XCTAssertEqual(show("is_cidr(\"fe80::1/64\")"), "false")
        XCTAssertEqual(show("is_cidr(\"default\")"), "false")
    }

    // MARK: Tables

    private let kubectl = """
    NAME    READY   STATUS             RESTARTS   AGE
    web-1   1/1     Running            0          5d
    web-2   0/1     CrashLoopBackOff   12         5d
    job-3   0/1     Completed                     3h

    """

    func testTableOfKubectlOutput() {
        let vars = ["t": Value.string(kubectl)]
        XCTAssertEqual(show("count(table(t))", vars), "3")
        XCTAssertEqual(show("table(t)[1].STATUS", vars), "CrashLoopBackOff")
        XCTAssertEqual(show("table(t)[1][\"RESTARTS\"]", vars), "12")
        XCTAssertEqual(show("table(t)[2].RESTARTS == \"\"", vars), "true", "an empty cell stays empty")
        XCTAssertEqual(show("table(t)[2].AGE", vars), "3h")
        XCTAssertEqual(show("keys(table(t)[0])", vars), "NAME, READY, STATUS, RESTARTS, AGE")
        XCTAssertEqual(show("column(t, \"NAME\")", vars), "web-1, web-2, job-3")
        XCTAssertEqual(show("column(t, \"age\")", vars),
                       "ERROR: column(): no column 'age' (columns: NAME, READY, STATUS, RESTARTS, AGE)")
    }

    func testTableOfDfWithRightAlignedNumbersAndAHeaderWithASpace() {
        let df = """
        Filesystem     1024-blocks     Used Available Capacity Mounted on
        /dev/vda         264212084 15744560  83321052      16% /
        tmpfs                65536        0     65536       0% /dev/shm

        """
        let vars = ["d": Value.string(df)]
        XCTAssertEqual(show("keys(table(d)[0])", vars), "Filesystem, 1024-blocks, Used, Available, Capacity, Mounted on")
        XCTAssertEqual(show("column(d, \"Capacity\")", vars), "16%, 0%")
        XCTAssertEqual(show("column(d, \"Mounted on\")", vars), "/, /dev/shm")
        XCTAssertEqual(show("number(column(d, \"Capacity\")[0]) < 90", vars), "true")
        XCTAssertEqual(show("column(d, \"Used\")", vars), "15744560, 0")
    }

    func testTableLastColumnKeepsSpaces() {
        let events = """
        TYPE      REASON    MESSAGE
        Warning   BackOff   Back-off restarting failed container
        Normal    Pulled    Container image "nginx:1.25" already present

        """
        let vars = ["e": Value.string(events)]
        XCTAssertEqual(show("column(e, \"MESSAGE\")[0]", vars), "Back-off restarting failed container")
        XCTAssertEqual(show("table(e)[1].MESSAGE", vars), "Container image \"nginx:1.25\" already present")
        XCTAssertEqual(show("column(e, \"REASON\")", vars), "BackOff, Pulled")
    }

    func testTableEdgeCases() {
        XCTAssertEqual(show("count(table(\"\"))"), "0")
        XCTAssertEqual(show("count(table(\"NAME   AGE\"))"), "0", "a header alone has no rows")
        XCTAssertEqual(show("count(column(\"\", \"X\"))"), "0")
        XCTAssertEqual(show("table(\"A\\tB\\n1\\t2\")[0].B"), "2", "tabs separate like spaces")
    }

    func testTableOfACommandResult() {
        let vars = ["r": Lang.result(kubectl)]
        XCTAssertEqual(show("column(r, \"READY\")", vars), "1/1, 0/1, 0/1")
        XCTAssertEqual(show("count(grep(column(r, \"STATUS\"), \"^Running$\"))", vars), "1")
    }
}
