/// Trimming for answers read as text (error bodies, header lines).
extension String {
    func trimmingLeadingWhitespace() -> String {
        String(drop { $0.isWhitespace || $0 == "\u{FEFF}" })
    }

    func trimmingTrailingWhitespace() -> String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
