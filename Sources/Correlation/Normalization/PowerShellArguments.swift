extension Normalizer {
    /// Reads `Parameters` written as one PowerShell-style string
    /// (`-ForwardTo "a@b.com" -Name 'x' -DeliverToMailboxAndForward $false`): quoted values
    /// with doubled or backtick-escaped quotes, `-Name:value`, switches without a value,
    /// `a,b` and `@("a","b")` lists (joined with `;`, as Exchange joins lists), `$true`,
    /// `$false` and `$null` (an empty value: the parameter was cleared).
    enum PowerShellArguments {
        static func parse(_ text: String) -> [(name: String, value: String)] {
            var scanner = Scanner(Array(text))
            var arguments: [(name: String, value: String)] = []
            while let name = scanner.nextParameterName() {
                arguments.append((name, scanner.value() ?? "True"))
            }
            return arguments
        }

        private struct Scanner {
            let characters: [Character]
            var position = 0

            init(_ characters: [Character]) { self.characters = characters }

            private var current: Character? { position < characters.count ? characters[position] : nil }

            private func character(at offset: Int) -> Character? {
                position + offset < characters.count ? characters[position + offset] : nil
            }

            /// `-Name` with a letter after the dash; a dash before a digit is a negative number.
            private var atParameter: Bool {
                current == "-" && (character(at: 1)?.isLetter ?? false)
            }

            private mutating func skipSpaces() {
                while let character = current, character.isWhitespace { position += 1 }
            }

            /// Skips anything before the next parameter (the cmdlet's own name, stray words).
            mutating func nextParameterName() -> String? {
                while current != nil {
                    skipSpaces()
                    if atParameter {
                        position += 1
                        var name = ""
                        while let character = current, character.isLetter || character.isNumber || character == "_" {
                            name.append(character)
                            position += 1
                        }
                        return name
                    }
                    while let character = current, !character.isWhitespace { position += 1 }
                }
                return nil
            }

            /// The value after a name; nil for a switch (the next thing is a parameter, or nothing).
            mutating func value() -> String? {
                if current == ":" {
                    position += 1
                    skipSpaces()
                } else {
                    skipSpaces()
                    if current == nil || atParameter { return nil }
                }
                var items = [item()]
                while true {
                    let mark = position
                    skipSpaces()
                    guard current == "," else {
                        position = mark
                        break
                    }
                    position += 1
                    skipSpaces()
                    items.append(item())
                }
                return items.filter { !$0.isEmpty }.joined(separator: ";")
            }

            private mutating func item() -> String {
                switch current {
                case "\"", "'": return quoted()
                case "@" where character(at: 1) == "(": return list()
                case "@" where character(at: 1) == "{": return enclosed(open: "{", close: "}")
                default: return bare()
                }
            }

            private mutating func quoted() -> String {
                guard let quote = current else { return "" }
                position += 1
                var text = ""
                while let character = current {
                    position += 1
                    if character == "`", quote == "\"", let escaped = current {
                        text.append(escaped)
                        position += 1
                    } else if character == quote {
                        guard current == quote else { break }
                        text.append(quote)
                        position += 1
                    } else {
                        text.append(character)
                    }
                }
                return text
            }

            private mutating func list() -> String {
                position += 2
                var items: [String] = []
                while current != nil {
                    skipSpaces()
                    if current == ")" {
                        position += 1
                        break
                    }
                    if current == "," {
                        position += 1
                        continue
                    }
                    let before = position
                    let text = current == "\"" || current == "'" ? quoted() : word(stoppingAt: [",", ")"])
                    if position == before { position += 1 }
                    if !text.isEmpty { items.append(text) }
                }
                return items.joined(separator: ";")
            }

            /// A hashtable (`@{Add="bob@x.com"}`) is kept as written; the address reader finds what is inside.
            private mutating func enclosed(open: Character, close: Character) -> String {
                var depth = 0
                var text = ""
                while let character = current {
                    position += 1
                    text.append(character)
                    if character == open { depth += 1 }
                    if character == close {
                        depth -= 1
                        if depth == 0 { break }
                    }
                }
                return text
            }

            /// Unquoted words run up to the next parameter, so `-Name My Rule -From x` keeps `My Rule`.
            private mutating func bare() -> String {
                var words: [String] = []
                while current != nil, !atParameter {
                    let text = word(stoppingAt: [","])
                    if text.isEmpty { break }
                    words.append(text)
                    let mark = position
                    skipSpaces()
                    if current == "," {
                        position = mark
                        break
                    }
                }
                return Self.literal(words.joined(separator: " "))
            }

            private mutating func word(stoppingAt stops: Set<Character>) -> String {
                var text = ""
                while let character = current, !character.isWhitespace, !stops.contains(character) {
                    text.append(character)
                    position += 1
                }
                return Self.literal(text)
            }

            private static func literal(_ text: String) -> String {
                switch text.lowercased() {
                case "$true": "True"
                case "$false": "False"
                case "$null": ""
                default: text
                }
            }
        }
    }
}
