public import Foundation

/// How late the Management Activity API publishes records and how often it
/// repeats them. Defaults follow Microsoft's description: most records within
/// an hour, some up to 24 hours later.
public struct PublicationProfile: Sendable, Hashable {
    /// Typical delay between an event and its record being listed.
    public var typicalDelay: TimeInterval
    /// Share of records published in the long tail.
    public var lateFraction: Double
    /// The longest tail delay.
    public var maximumDelay: TimeInterval
    /// Share of records that appear a second time in a later blob.
    public var duplicateFraction: Double
    /// Multiplies every delay: 1 is realistic; a demo uses ~0.001 so an hour becomes seconds.
    public var timeScale: Double

    public init(
        typicalDelay: TimeInterval = 20 * 60, lateFraction: Double = 0.03, maximumDelay: TimeInterval = 24 * 3600,
        duplicateFraction: Double = 0.01, timeScale: Double = 1
    ) {
        self.typicalDelay = typicalDelay
        self.lateFraction = lateFraction
        self.maximumDelay = maximumDelay
        self.duplicateFraction = duplicateFraction
        self.timeScale = timeScale
    }

    /// A delay for one record: mostly around `typicalDelay`, sometimes hours.
    func sampleDelay(using generator: inout SeededGenerator) -> TimeInterval {
        let delay: TimeInterval
        if generator.chance(lateFraction) {
            delay = 3600 + generator.unit() * max(0, maximumDelay - 3600)
        } else {
            // Skewed towards short delays: the square of a uniform fraction, times twice the typical delay.
            let fraction = generator.unit()
            delay = 30 + fraction * fraction * 2 * typicalDelay
        }
        return (delay * timeScale * 1000).rounded() / 1000
    }
}
