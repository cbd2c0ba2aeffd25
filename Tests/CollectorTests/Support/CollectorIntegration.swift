import Testing

/// The collector tests that run a simulator, a broker and collectors (some as child processes)
/// run one at a time: side by side they kept both CI cores busy for over a minute and starved
/// other targets' tests of their cooperative threads.
@Suite(.serialized) enum CollectorIntegration {}
