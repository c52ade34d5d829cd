extension String {
    /// The text with terminal controls removed: escape sequences (CSI such as colours
    /// and cursor moves, OSC such as window titles, and two- or three-character ones),
    /// bells and carriage returns.
    ///
    /// What remains is roughly what a person reads, with lines ending in `\n`, which
    /// lets tests match output without depending on how the line editor redraws. An
    /// escape sequence cut off at the end (the rest not yet read) is dropped, so the
    /// result of a longer prefix of the same output only ever grows.
    var removingTerminalControls: String {
        let escape: Unicode.Scalar = "\u{1B}"
        let scalars = Array(unicodeScalars)
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case escape:
                index = Self.endOfEscapeSequence(in: scalars, from: index)
            case "\u{9B}":  // the 8-bit CSI introducer
                index = Self.endOfControlSequence(in: scalars, from: index + 1)
            case "\u{07}", "\r":
                index += 1
            default:
                result.append(scalar)
                index += 1
            }
        }
        return String(result)
    }

    /// The index just past the escape sequence starting at `start` (an ESC).
    private static func endOfEscapeSequence(in scalars: [Unicode.Scalar], from start: Int) -> Int {
        let next = start + 1
        guard next < scalars.count else { return scalars.count }
        switch scalars[next] {
        case "[":
            return endOfControlSequence(in: scalars, from: next + 1)
        case "]", "P", "_", "^":
            // OSC and the string commands end with BEL or ESC \.
            var index = next + 1
            while index < scalars.count {
                if scalars[index] == "\u{07}" { return index + 1 }
                if scalars[index] == "\u{1B}" { return Swift.min(index + 2, scalars.count) }
                index += 1
            }
            return scalars.count
        case "(", ")", "*", "+", "#", "%":
            // Character set and line attribute selections take one more character.
            return Swift.min(next + 2, scalars.count)
        default:
            return next + 1
        }
    }

    /// The index just past a control sequence whose parameters start at `start`: it
    /// ends with its first character in `@`…`~`.
    private static func endOfControlSequence(in scalars: [Unicode.Scalar], from start: Int) -> Int {
        var index = start
        while index < scalars.count {
            if (0x40...0x7E).contains(scalars[index].value) { return index + 1 }
            index += 1
        }
        return scalars.count
    }
}
