#!/usr/bin/env bash
# Least-privilege Kafka ACLs for Inboxwatch: each component's principal gets only the
# operations on the topics, consumer groups and transactional ids its code uses.
#
#   deploy/kafka-acls.sh                      # print the kafka-acls.sh commands (review them)
#   deploy/kafka-acls.sh --apply --bootstrap-server kafka-1:9093 --command-config admin.properties
#
# Options (each also as an environment variable):
#   --apply                  run the commands instead of printing them
#   --bootstrap-server HP    BOOTSTRAP_SERVER     (default kafka-1:9092)
#   --command-config FILE    COMMAND_CONFIG       admin client properties (TLS/SASL of an ACL admin)
#   --kafka-acls PATH        KAFKA_ACLS           the Apache Kafka tool (default kafka-acls.sh)
#   --topic-prefix P         TOPIC_PREFIX         kafka.topicPrefix of the workers (default inboxwatch)
#   --collector-principal    COLLECTOR_PRINCIPAL  (default User:inboxwatch-collector)
#   --correlator-principal   CORRELATOR_PRINCIPAL (default User:inboxwatch-correlator)
#   --act-principal          ACT_PRINCIPAL        (default User:inboxwatch-act)
#   --analyst-principal      ANALYST_PRINCIPAL    (default User:inboxwatch-analyst)
#   --admin-principal        ADMIN_PRINCIPAL      (default User:inboxwatch-admin)
#   --siem-principal         SIEM_PRINCIPAL       (default User:siem)
#   --correlator-group G     CORRELATOR_GROUP     correlator.groupId (default inboxwatch-correlator)
#   --act-group G            ACT_GROUP            actionWorker.groupId (default inboxwatch.action-worker)
#   --siem-group-prefix G    SIEM_GROUP_PREFIX    consumer groups of SIEM connectors (default siem.)
# With mTLS the principal is the certificate's subject, e.g. User:CN=inboxwatch-collector.
#
# Where each grant comes from (Sources/): Collector/Publishing/RecordPublisher.swift,
# Collector/Checkpoints/{CollectorLease,PublishedRecordReader}.swift,
# Correlation/Service/{Correlator,CorrelatorRecords,CorrelatorProducer}.swift,
# Actions/Worker/{ActionWorker,ActionWorkerLoop,OutcomeWriter}.swift, Actions/Client/,
# inboxwatch/{Topics,Stories,Story}Command.swift, Kafka/Consumer/Kafka{Topic,Partition}Reader.swift.
set -euo pipefail

apply=false
BOOTSTRAP_SERVER="${BOOTSTRAP_SERVER:-kafka-1:9092}"
COMMAND_CONFIG="${COMMAND_CONFIG:-}"
KAFKA_ACLS="${KAFKA_ACLS:-kafka-acls.sh}"
TOPIC_PREFIX="${TOPIC_PREFIX:-inboxwatch}"
COLLECTOR_PRINCIPAL="${COLLECTOR_PRINCIPAL:-User:inboxwatch-collector}"
CORRELATOR_PRINCIPAL="${CORRELATOR_PRINCIPAL:-User:inboxwatch-correlator}"
ACT_PRINCIPAL="${ACT_PRINCIPAL:-User:inboxwatch-act}"
ANALYST_PRINCIPAL="${ANALYST_PRINCIPAL:-User:inboxwatch-analyst}"
ADMIN_PRINCIPAL="${ADMIN_PRINCIPAL:-User:inboxwatch-admin}"
SIEM_PRINCIPAL="${SIEM_PRINCIPAL:-User:siem}"
CORRELATOR_GROUP="${CORRELATOR_GROUP:-inboxwatch-correlator}"
ACT_GROUP="${ACT_GROUP:-inboxwatch.action-worker}"
SIEM_GROUP_PREFIX="${SIEM_GROUP_PREFIX:-siem.}"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

# value OPTION ARGS...: the option's value, or stop with a usage error.
value() {
    [ $# -ge 2 ] || { echo "kafka-acls: $1 needs a value (--help)" >&2; exit 2; }
    printf '%s' "$2"
}
while [ $# -gt 0 ]; do
    case "$1" in
        --apply) apply=true; shift; continue ;;
        -h | --help) usage; exit 0 ;;
        --bootstrap-server) BOOTSTRAP_SERVER="$(value "$@")" ;;
        --command-config) COMMAND_CONFIG="$(value "$@")" ;;
        --kafka-acls) KAFKA_ACLS="$(value "$@")" ;;
        --topic-prefix) TOPIC_PREFIX="$(value "$@")" ;;
        --collector-principal) COLLECTOR_PRINCIPAL="$(value "$@")" ;;
        --correlator-principal) CORRELATOR_PRINCIPAL="$(value "$@")" ;;
        --act-principal) ACT_PRINCIPAL="$(value "$@")" ;;
        --analyst-principal) ANALYST_PRINCIPAL="$(value "$@")" ;;
        --admin-principal) ADMIN_PRINCIPAL="$(value "$@")" ;;
        --siem-principal) SIEM_PRINCIPAL="$(value "$@")" ;;
        --correlator-group) CORRELATOR_GROUP="$(value "$@")" ;;
        --act-group) ACT_GROUP="$(value "$@")" ;;
        --siem-group-prefix) SIEM_GROUP_PREFIX="$(value "$@")" ;;
        *) echo "kafka-acls: unknown option $1 (--help)" >&2; exit 2 ;;
    esac
    shift 2
done

# The topic catalog (Sources/Events/TopicCatalog.swift), as suffixes of the prefix.
# .ci/check-deploy fails when this list and the catalog differ.
TOPICS=(
    raw.audit
    raw.mail
    stories
    findings.ocsf
    remediation.commands
    remediation.outcomes
    story.verdicts
    correlator.state
    correlator.forwarding
    collector.checkpoints
    deadletter
)

# known SUFFIX: fail on a grant for a topic the catalog does not have.
known() {
    local topic
    for topic in "${TOPICS[@]}"; do [ "$topic" = "$1" ] && return 0; done
    echo "kafka-acls: $1 is not in the topic catalog" >&2
    exit 1
}

base=("$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP_SERVER")
if [ -n "$COMMAND_CONFIG" ]; then base+=(--command-config "$COMMAND_CONFIG"); fi

# acl PRINCIPAL OPERATION RESOURCE-ARGS...: one kafka-acls.sh --add, printed or run.
acl() {
    local principal="$1" operation="$2"
    shift 2
    local command=("${base[@]}" --add --allow-principal "$principal" --operation "$operation" "$@")
    if $apply; then
        "${command[@]}"
    else
        printf '%q ' "${command[@]}"
        printf '\n'
    fi
}

# topics PRINCIPAL OPERATION SUFFIX...: the operation on each catalog topic.
topics() {
    local principal="$1" operation="$2" suffix
    shift 2
    for suffix in "$@"; do
        known "$suffix"
        acl "$principal" "$operation" --topic "$TOPIC_PREFIX.$suffix"
    done
}

# Consumer group names built into the code (inboxwatch.reader.<uuid>, inboxwatch.collector.<kind>.
# <tenant>, ...) do not follow --topic-prefix: they always start with "inboxwatch.".
group() { acl "$1" Read --group "$2"; }
group_prefix() { acl "$1" Read --group "$2" --resource-pattern-type prefixed; }
# Idempotent producers (every Inboxwatch producer): needed on brokers before Kafka 2.8 / 3.0,
# where Write on a topic does not yet imply it.
idempotent() { acl "$1" IdempotentWrite --cluster; }

section() { $apply || printf '\n# %s\n' "$1"; }

section "collectors ($COLLECTOR_PRINCIPAL): publish raw records, dead letters and checkpoints;
# read the checkpoint topic (the lease per tenant and the restore) and the tail of the raw
# topics (ids already published, so a restart does not publish them again)"
topics "$COLLECTOR_PRINCIPAL" Write raw.audit raw.mail collector.checkpoints deadletter
topics "$COLLECTOR_PRINCIPAL" Read raw.audit raw.mail collector.checkpoints
# Topic configs (cleanup policies) of the topics it uses, for inboxwatch doctor run in its pod.
topics "$COLLECTOR_PRINCIPAL" DescribeConfigs raw.audit raw.mail collector.checkpoints deadletter
group_prefix "$COLLECTOR_PRINCIPAL" "inboxwatch.collector." # lease groups: inboxwatch.collector.<kind>.<tenant>
group_prefix "$COLLECTOR_PRINCIPAL" "inboxwatch.reader."    # read-back: a fresh group per read, nothing committed
idempotent "$COLLECTOR_PRINCIPAL"

section "correlator ($CORRELATOR_PRINCIPAL): reads the raw topics in its group, commands,
# outcomes, verdicts and forwarding whole, its state partitions on assignment; writes stories,
# findings, auto-response commands, state snapshots, forwarding observations and dead letters"
topics "$CORRELATOR_PRINCIPAL" Read raw.audit raw.mail remediation.commands remediation.outcomes \
    story.verdicts correlator.forwarding correlator.state
topics "$CORRELATOR_PRINCIPAL" Write stories findings.ocsf remediation.commands correlator.state \
    correlator.forwarding deadletter
topics "$CORRELATOR_PRINCIPAL" DescribeConfigs raw.audit raw.mail stories findings.ocsf \
    remediation.commands remediation.outcomes story.verdicts correlator.state correlator.forwarding deadletter
# The group (correlator.groupId) and the feedback readers' groups <groupId>.feedback.<uuid>.
group_prefix "$CORRELATOR_PRINCIPAL" "$CORRELATOR_GROUP"
group "$CORRELATOR_PRINCIPAL" "inboxwatch.partition-reader" # state restore (assign only, nothing committed)
# correlator.transactionalId (optional): one id per instance, e.g. inboxwatch-correlator-0.
acl "$CORRELATOR_PRINCIPAL" Write --transactional-id "$CORRELATOR_GROUP" --resource-pattern-type prefixed
acl "$CORRELATOR_PRINCIPAL" Describe --transactional-id "$CORRELATOR_GROUP" --resource-pattern-type prefixed
idempotent "$CORRELATOR_PRINCIPAL"

section "action worker ($ACT_PRINCIPAL): the only reader of commands that acts on them and the
# only writer of outcomes; reads the outcomes whole on every assignment"
topics "$ACT_PRINCIPAL" Read remediation.commands remediation.outcomes
topics "$ACT_PRINCIPAL" Write remediation.outcomes deadletter
topics "$ACT_PRINCIPAL" DescribeConfigs remediation.commands remediation.outcomes deadletter
group "$ACT_PRINCIPAL" "$ACT_GROUP"
group_prefix "$ACT_PRINCIPAL" "inboxwatch.reader."
idempotent "$ACT_PRINCIPAL"

section "analysts ($ANALYST_PRINCIPAL): inboxwatch remediate / outcomes / stories / story --verdict"
topics "$ANALYST_PRINCIPAL" Write remediation.commands story.verdicts
topics "$ANALYST_PRINCIPAL" Read stories remediation.outcomes
group_prefix "$ANALYST_PRINCIPAL" "inboxwatch.reader."
group_prefix "$ANALYST_PRINCIPAL" "inboxwatch.outcomes."
group_prefix "$ANALYST_PRINCIPAL" "inboxwatch.stories."
idempotent "$ANALYST_PRINCIPAL"

section "SIEM consumers ($SIEM_PRINCIPAL): stories and OCSF findings, read only"
topics "$SIEM_PRINCIPAL" Read stories findings.ocsf
group_prefix "$SIEM_PRINCIPAL" "$SIEM_GROUP_PREFIX"

section "admin ($ADMIN_PRINCIPAL): inboxwatch topics create / topics list / doctor"
acl "$ADMIN_PRINCIPAL" Create --topic "$TOPIC_PREFIX." --resource-pattern-type prefixed
acl "$ADMIN_PRINCIPAL" Describe --topic "$TOPIC_PREFIX." --resource-pattern-type prefixed
acl "$ADMIN_PRINCIPAL" DescribeConfigs --topic "$TOPIC_PREFIX." --resource-pattern-type prefixed
