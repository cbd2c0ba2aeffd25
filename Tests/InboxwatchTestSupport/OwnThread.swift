import Foundation

/// Long CPU-bound work of a test (building a world of hundreds of users, feeding 100,000
/// records through an engine) run on a thread of its own.
///
/// Swift Testing runs every test at once on the cooperative pool, which has one thread per
/// core. A test that computes synchronously for a minute holds one of only two threads here, so
/// two such tests stall every other test's awaits — servers in the same process stop answering
/// and loopback requests time out. On its own thread the work shares the cores through the
/// kernel's scheduler instead.
public enum OwnThread {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            // Deep engine and parser recursion was written for the main thread's 8 MiB.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
