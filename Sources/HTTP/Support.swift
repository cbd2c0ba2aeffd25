extension Duration {
    /// The duration in seconds, as a floating-point number.
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole milliseconds, rounded up, clamped to what `long` options take.
    var wholeMilliseconds: Int {
        let milliseconds = (inSeconds * 1000).rounded(.up)
        guard milliseconds > 0 else { return 0 }
        return milliseconds >= Double(Int32.max) ? Int(Int32.max) : Int(milliseconds)
    }

    /// `250 ms`, `3 s`, `1.5 s`.
    var readable: String {
        let seconds = inSeconds
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds == seconds.rounded() { return "\(Int(seconds)) s" }
        return "\((seconds * 10).rounded() / 10) s"
    }
}
