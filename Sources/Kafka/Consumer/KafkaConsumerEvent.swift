/// What a consumer hands its caller, in the order it happened.
///
/// Rebalances come in the same stream as messages so a stateful stage handles
/// them in order: on `partitionsAssigned` restore state (and, if needed, choose
/// start offsets with `KafkaConsumer.setStartOffsets`) before any message of those
/// partitions arrives; on `partitionsRevoked` flush state and commit before
/// asking for the next event. The consumer applies the new assignment only
/// when the caller asks for the next event.
public enum KafkaConsumerEvent: Sendable, Hashable {
    case message(KafkaConsumerMessage)
    case partitionsAssigned([KafkaTopicPartition])
    /// `lost` means another member may already own them: commits for them will fail.
    case partitionsRevoked([KafkaTopicPartition], lost: Bool)
}
