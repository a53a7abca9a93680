/// Splits a command line on spaces, keeping quoted strings ('a b' or "a b") together, as a shell
/// would for the kubectl and etcdctl strings people type. Returns nil for an unterminated quote,
/// which each command reports in its own tool's words.
enum ShellWords {
    static func split(_ text: String) -> [String]? {
        var tokens: [String] = []
        var current = ""
        var quote: Character?
        var inToken = false
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                inToken = true
            } else if character.isWhitespace {
                if inToken { tokens.append(current) }
                current = ""
                inToken = false
            } else {
                current.append(character)
                inToken = true
            }
        }
        if quote != nil { return nil }
        if inToken { tokens.append(current) }
        return tokens
    }
}
