extension String {
    /// The first range of `text` at or after `start` whose lower bound `accept` takes.
    func firstRange(
        of text: String, from start: Index, where accept: (Index) -> Bool
    ) -> Range<Index>? {
        var searchStart = start
        while let range = self[searchStart...].firstRange(of: text) {
            if accept(range.lowerBound) { return range }
            searchStart = index(after: range.lowerBound)
        }
        return nil
    }
}
