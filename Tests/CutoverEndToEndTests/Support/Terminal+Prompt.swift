extension Terminal {
    /// The prompt Cutover shows when it waits for a new chunk.
    static let prompt = "> "
    /// The prompt Cutover shows when the chunk so far is incomplete.
    static let continuationPrompt = ">> "

    /// Waits for the primary prompt and for the line editor to take the keyboard, then
    /// returns the consumed text (what the previous input printed, and the prompt).
    /// A `> ` that ends a continuation prompt `>> ` does not count.
    @discardableResult
    func waitForPrompt(timeout: Duration = Deadline.defaultTimeout) throws -> String {
        try waitForPrompt(Self.prompt, timeout: timeout)
    }

    /// Waits for the continuation prompt, then for the line editor to take the keyboard.
    @discardableResult
    func waitForContinuationPrompt(timeout: Duration = Deadline.defaultTimeout) throws -> String {
        try waitForPrompt(Self.continuationPrompt, timeout: timeout)
    }

    private func waitForPrompt(_ prompt: String, timeout: Duration) throws -> String {
        let consumed = try expect("the prompt “\(prompt)”", timeout: timeout) { screen, start in
            screen.firstRange(of: prompt, from: start) { index in
                index == screen.startIndex || screen[screen.index(before: index)] != ">"
            }
        }
        // libedit prints the prompt before it switches to raw mode.
        try waitForRawMode(timeout: timeout)
        return consumed
    }

    /// Types `line` and Enter, then consumes the echo up to the newline that ends the
    /// line, so that later expectations only see what handling the line printed.
    func enter(_ line: String) throws {
        try send(line + "\r")
        try expect("\n")
    }
}
