extension StringProtocol where UTF8View: BidirectionalCollection {
    /// Without leading and trailing whitespace (newlines included). Foundation's
    /// `trimmingCharacters(in:)` goes through NSString on Linux and was a tenth of the
    /// normalizer's time; most values have nothing to trim, which this sees at once.
    func trimmed() -> String {
        let bytes = utf8
        if let first = bytes.first, let last = bytes.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return String(self)
        }
        guard let start = firstIndex(where: { !$0.isWhitespace }), let end = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[start...end])
    }

    /// Without the leading and trailing characters that `strip` names.
    func trimmed(where strip: (Character) -> Bool) -> String {
        guard let start = firstIndex(where: { !strip($0) }), let end = lastIndex(where: { !strip($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
