/// Command output is untrusted text: a compromised or merely odd host can print escape
/// sequences that move the cursor over earlier lines, retitle the window, or write the
/// operator's clipboard (OSC 52), and all of that happens the moment the bytes reach a
/// terminal. These functions make a line safe to show.
///
/// Controls are the C0 range (U+0000–U+001F) but tab, DEL (U+007F) and the C1 range
/// (U+0080–U+009F, which some terminals obey like ESC sequences).
public enum VisibleText {
    /// The line with every control shown instead of obeyed: C0 and DEL as their Unicode
    /// control pictures (ESC reads `␛`, BEL `␇`), C1 as `\x9B`. Tab stays a tab. What an
    /// escape sequence says stays readable (`␛]52;c;…␇`), and nothing of it acts.
    public static func forTerminal(_ line: String) -> String {
        guard hasControls(line) else { return line }
        var out = String.UnicodeScalarView()
        for scalar in line.unicodeScalars {
            switch scalar.value {
            case 0x09:
                out.append(scalar)
            case 0x00...0x1F:
                out.append(Unicode.Scalar(0x2400 + scalar.value)!)
            case 0x7F:
                out.append("\u{2421}")
            case 0x80...0x9F:
                out.append(contentsOf: "\\x\(String(scalar.value, radix: 16, uppercase: true))".unicodeScalars)
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// The line without controls, for reports and other plain text: whole escape sequences
    /// go (CSI like `ESC[31m`; OSC, DCS, APC, PM and SOS strings up to their BEL or ST, or
    /// to the end of the line when unterminated; two-character escapes), then any control
    /// left. Tab stays.
    public static func forReport(_ line: String) -> String {
        guard hasControls(line) else { return line }
        let scalars = Array(line.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            let value = scalars[i].value
            if value == 0x1B, i + 1 < scalars.count {
                i = endOfEscape(scalars, introducer: scalars[i + 1].value, from: i + 2)
            } else if let kind = c1Introducer(value) {
                i = endOfEscape(scalars, introducer: kind, from: i + 1)
            } else {
                if !isControl(value) { out.append(scalars[i]) }
                i += 1
            }
        }
        return String(out)
    }

    static func isControl(_ value: UInt32) -> Bool {
        (value < 0x20 && value != 0x09) || (0x7F...0x9F).contains(value)
    }

    /// Whether any control is there, looking at UTF-8 bytes: the common line has none and is
    /// returned as it is.
    private static func hasControls(_ line: String) -> Bool {
        var previous: UInt8 = 0
        for byte in line.utf8 {
            if (byte < 0x20 && byte != 0x09) || byte == 0x7F || (previous == 0xC2 && byte >= 0x80 && byte <= 0x9F) {
                return true
            }
            previous = byte
        }
        return false
    }

    /// The ESC-sequence introducer a C1 control stands for (CSI, OSC, DCS, SOS, PM, APC).
    private static func c1Introducer(_ value: UInt32) -> UInt32? {
        switch value {
        case 0x9B: return 0x5B   // [
        case 0x9D: return 0x5D   // ]
        case 0x90: return 0x50   // P
        case 0x98: return 0x58   // X
        case 0x9E: return 0x5E   // ^
        case 0x9F: return 0x5F   // _
        default: return nil
        }
    }

    /// Where the sequence that `introducer` starts (its body beginning at `start`) ends.
    private static func endOfEscape(_ s: [Unicode.Scalar], introducer: UInt32, from start: Int) -> Int {
        var i = start
        switch introducer {
        case 0x5B:   // CSI: parameters and intermediates, then one final character
            while i < s.count, (0x20...0x3F).contains(s[i].value) { i += 1 }
            return i < s.count && (0x40...0x7E).contains(s[i].value) ? i + 1 : i
        case 0x5D, 0x50, 0x58, 0x5E, 0x5F:   // strings: up to BEL, ESC \ or ST
            while i < s.count {
                let value = s[i].value
                if value == 0x07 || value == 0x9C { return i + 1 }
                // ESC \ is ST; any other ESC ends the string and starts a sequence of its own.
                if value == 0x1B { return i + 1 < s.count && s[i + 1].value == 0x5C ? i + 2 : i }
                i += 1
            }
            return i
        default:   // ESC, intermediates, one final character (ESC 7, ESC ( B, ESC c)
            i = start - 1
            while i < s.count, (0x20...0x2F).contains(s[i].value) { i += 1 }
            return i < s.count && (0x30...0x7E).contains(s[i].value) ? i + 1 : i
        }
    }
}
