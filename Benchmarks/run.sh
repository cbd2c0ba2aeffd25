#!/usr/bin/env bash
# Inboxwatch throughput benchmark: our Swift Kafka client (KafkaThroughput)
# against librdkafka's own rdkafka_performance tool, on the same embedded
# broker (`inboxwatch broker`, librdkafka's mock cluster), in the same run.
#
#   bash Benchmarks/run.sh [-n MESSAGES] [-r RUNS] [-p PARTITIONS] [--skip-build]
#
# Environment (flags win over environment):
#   MESSAGES=200000     messages per measurement (1 KiB each)
#   RUNS=5              repetitions; the table shows the median
#   PARTITIONS=64       partitions per benchmark topic (more partitions allow
#                       more messages: the broker keeps ~5 MiB per partition)
#   SKIP_SWIFT_BUILD=1  use the existing .build/release binaries
#   INBOXWATCH_BIN, KAFKA_THROUGHPUT_BIN  other binaries to use (for testing
#                       this script, or comparing against an older build)
#   MEASURE_TIMEOUT=300 seconds before one measurement is considered hung
#
# Output: a table on stdout and in Benchmarks/results/latest.md; every tool's
# full output in Benchmarks/results/logs/. Exits non-zero if a measurement
# fails or our client reports lost messages.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Recorded in the report as "the exact command" (env overrides included).
COMMAND="bash Benchmarks/run.sh"
for v in MESSAGES RUNS PARTITIONS SKIP_SWIFT_BUILD INBOXWATCH_BIN KAFKA_THROUGHPUT_BIN; do
    if [[ -n "${!v:-}" ]]; then COMMAND="$v=${!v} $COMMAND"; fi
done
if (($# > 0)); then COMMAND+="$(printf ' %q' "$@")"; fi

MESSAGES="${MESSAGES:-200000}"
RUNS="${RUNS:-5}"
PARTITIONS="${PARTITIONS:-64}"
SKIP_SWIFT_BUILD="${SKIP_SWIFT_BUILD:-0}"
MEASURE_TIMEOUT="${MEASURE_TIMEOUT:-300}"

usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"; }

while (($# > 0)); do
    case "$1" in
        -n | --messages) MESSAGES="$2"; shift 2 ;;
        -r | --runs) RUNS="$2"; shift 2 ;;
        -p | --partitions) PARTITIONS="$2"; shift 2 ;;
        --skip-build) SKIP_SWIFT_BUILD=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

die() { echo "run.sh: error: $*" >&2; exit 1; }
log() { echo "==> $*" >&2; }

[[ "$MESSAGES" =~ ^[1-9][0-9]*$ ]] || die "--messages must be a positive integer, got '$MESSAGES'"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer, got '$RUNS'"
[[ "$PARTITIONS" =~ ^[1-9][0-9]*$ ]] || die "--partitions must be a positive integer, got '$PARTITIONS'"

SIZE=1024        # bytes per message (1 KiB), same for every tool
BROKERS=3

# The mock cluster keeps only ~5 MiB per partition and silently drops older
# data (see /work/shared/DESIGN.md "Gotchas"): a topic that overflows would
# show up as lost messages. Messages are spread randomly over the partitions,
# so the fullest one holds a few % more than the average; keep the average
# under 3.5 MiB to stay clear of the limit.
per_partition=$((MESSAGES * SIZE / PARTITIONS))
((per_partition <= 3670016)) ||
    die "$MESSAGES x $SIZE B over $PARTITIONS partitions is $per_partition B per partition;" \
        "the embedded broker keeps only ~5 MiB per partition. Use -n $((3670016 * PARTITIONS / SIZE)) or less."

INBOXWATCH="${INBOXWATCH_BIN:-$ROOT/.build/release/inboxwatch}"
KAFKA_THROUGHPUT="${KAFKA_THROUGHPUT_BIN:-$ROOT/.build/release/KafkaThroughput}"
TOOLS="$ROOT/Benchmarks/tools"
RDPERF="$TOOLS/bin/rdkafka_performance"
RESULTS="$ROOT/Benchmarks/results"
LOGS="$RESULTS/logs"

# ---------------------------------------------------------------------------
# 1. Build our side (release).
# ---------------------------------------------------------------------------
if [[ "$SKIP_SWIFT_BUILD" != 1 ]]; then
    # One product per invocation: `swift build` takes a single --product (a
    # repeated option silently keeps only the last one). The second build is
    # incremental.
    for product in inboxwatch KafkaThroughput; do
        log "swift build -c release --product $product"
        swift build -c release --product "$product"
    done
fi
[[ -x "$INBOXWATCH" ]] || die "missing $INBOXWATCH (build failed?)"
[[ -x "$KAFKA_THROUGHPUT" ]] || die "missing $KAFKA_THROUGHPUT (build failed?)"

# ---------------------------------------------------------------------------
# 2. Build the reference: librdkafka's rdkafka_performance example.
# ---------------------------------------------------------------------------
# The example is written to be built inside librdkafka's source tree: it
# includes "../src/rd.h", "rd.h" and "rdtime.h", which librdkafka-dev does not
# ship. We do not copy librdkafka's sources; Benchmarks/tools/compat/src/ holds
# our own small rd.h/rdtime.h with the few helpers the tool uses (rd_ts_t,
# rd_clock, rd_snprintf, RD_MIN/RD_MAX). With `-iquote compat/src`, GCC looks
# up each quoted include in that directory after the .c file's own directory,
# so "../src/rd.h" becomes compat/src/../src/rd.h == compat/src/rd.h, and
# "rd.h"/"rdtime.h" resolve there too. "rdkafka.h" comes from the -dev package.
build_rdkafka_performance() {
    local examples=/usr/share/doc/librdkafka-dev/examples
    local cflags libs
    cflags="$(pkg-config --cflags rdkafka 2>/dev/null || true) -I/usr/include/librdkafka"
    libs="$(pkg-config --libs rdkafka 2>/dev/null || echo -lrdkafka) -lpthread"
    mkdir -p "$TOOLS/bin"
    local cc=(cc -O2 -Wall -Werror=implicit-function-declaration -iquote "$TOOLS/compat/src")
    if [[ -f "$examples/rdkafka_performance.c" ]]; then
        # shellcheck disable=SC2086 # word splitting of flags is intended
        "${cc[@]}" $cflags "$examples/rdkafka_performance.c" -o "$RDPERF" $libs
    elif [[ -f "$examples/rdkafka_performance.c.gz" ]]; then
        # Some layouts gzip the examples: compile from stdin. The file's own
        # directory is then the working directory, which has no ../src/rd.h.
        # shellcheck disable=SC2086
        gzip -dc "$examples/rdkafka_performance.c.gz" |
            "${cc[@]}" $cflags -x c - -o "$RDPERF" $libs
    else
        die "rdkafka_performance.c not found under $examples (apt-get install librdkafka-dev)"
    fi
}
log "building rdkafka_performance -> ${RDPERF#"$ROOT"/}"
build_rdkafka_performance ||
    die "could not compile rdkafka_performance; if this librdkafka version needs more internal" \
        "helpers, add them to Benchmarks/tools/compat/src/rd.h"
# (-h exits non-zero after printing its usage, which names the runtime version)
RDKAFKA_VERSION="$({ "$RDPERF" -h 2>&1 || true; } | sed -n 's/^librdkafka version \([^ ]*\).*/\1/p')"

# ---------------------------------------------------------------------------
# 3. Start the embedded broker, with fresh topics for every measurement
#    (the mock cannot hold two runs' worth of data in one topic).
# ---------------------------------------------------------------------------
rm -rf "$LOGS"
mkdir -p "$LOGS"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/inboxwatch-bench.XXXXXX")"
BOOTSTRAP_FILE="$WORK/bootstrap"
BROKER_PID=""

cleanup() {
    local status=$?
    if [[ -n "$BROKER_PID" ]] && kill -0 "$BROKER_PID" 2>/dev/null; then
        kill -TERM "$BROKER_PID" 2>/dev/null || true
        # Give it a moment to stop cleanly, then insist.
        for _ in $(seq 50); do kill -0 "$BROKER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$BROKER_PID" 2>/dev/null || true
        wait "$BROKER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

topic_args=()
for ((i = 1; i <= RUNS; i++)); do
    topic_args+=(--topic "bench.raw.$i:$PARTITIONS" --topic "bench.ours.$i:$PARTITIONS")
done
BROKER_CMD=("$INBOXWATCH" broker --brokers "$BROKERS" --bootstrap-file "$BOOTSTRAP_FILE" "${topic_args[@]}")
log "starting embedded broker: ${BROKER_CMD[*]}"
"${BROKER_CMD[@]}" >"$LOGS/broker.log" 2>&1 &
BROKER_PID=$!

# The broker writes "host:port,host:port,..." to the file once it serves.
BOOTSTRAP=""
for _ in $(seq 300); do # 300 x 0.1 s = 30 s
    kill -0 "$BROKER_PID" 2>/dev/null ||
        { cat "$LOGS/broker.log" >&2; die "the embedded broker exited during startup (log above)"; }
    if [[ -s "$BOOTSTRAP_FILE" ]]; then
        BOOTSTRAP="$(tr -d '[:space:]' <"$BOOTSTRAP_FILE")"
        # Guard against a half-written file: expect one address per broker.
        if [[ "$BOOTSTRAP" =~ ^[^,:]+:[0-9]+(,[^,:]+:[0-9]+){$((BROKERS - 1))}$ ]]; then break; fi
        BOOTSTRAP=""
    fi
    sleep 0.1
done
[[ -n "$BOOTSTRAP" ]] ||
    { cat "$LOGS/broker.log" >&2; die "the embedded broker wrote no bootstrap address to $BOOTSTRAP_FILE within 30 s"; }
log "broker ready at $BOOTSTRAP"
# Other work on the machine skews the figures (client and broker share the
# CPUs); the report records the load when we started.
LOADAVG="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------
# 4. Measure.
# ---------------------------------------------------------------------------
# rdkafka_performance overrides some librdkafka defaults for itself
# (linger.ms=1000, message.send.max.retries=3, retry.backoff.ms=500,
# queued.min.messages=1000000); put them back so that both sides run a
# default-configured client. On top of the defaults, like our producer:
#  - enable.idempotence=true, acks=all: our producer's guarantees;
#  - partitioner=murmur2_random: the project-wide partitioner;
#  - sticky.partitioning.linger.ms=0: the tool sends unkeyed messages, and it
#    enqueues 100k messages in a few ms, so with the default sticky
#    partitioning (10 ms) all of them land in ONE partition, which overflows
#    the mock's ~5 MiB and is not what a keyed workload does. 0 spreads them
#    randomly over all partitions.
RAW_PRODUCER_PROPS=(
    -X enable.idempotence=true -X acks=all -X partitioner=murmur2_random
    -X sticky.partitioning.linger.ms=0
    -X linger.ms=5 -X message.send.max.retries=2147483647 -X retry.backoff.ms=100
)
# -G is the high-level (group) consumer, like ours. The tool starts its clock
# at the first message, so the group join (~3 s on the mock) is not counted.
#
# Both consumers get the same larger prefetch limits: librdkafka 2.0.2 stops
# fetching once a consumer's prefetch queue holds queued.min.messages
# (100000) or queued.max.messages.kbytes (64 MiB), and looks again only on its
# next wake-up, up to 1 s later. Whichever client falls behind the fetcher
# for a moment then loses most of a second, which would measure that pause
# rather than the client. (It is real for users too: README.md, "Known limits".)
PREFETCH_MESSAGES=10000000
PREFETCH_KB=2097151
RAW_CONSUMER_PROPS=(-X queued.min.messages=$PREFETCH_MESSAGES -X queued.max.messages.kbytes=$PREFETCH_KB)

# One line per measurement: tool role run msgs_per_sec reported_figures...
RAW_TSV="$WORK/results.tsv"
: >"$RAW_TSV"
declare -A COMMANDS=() # role/tool -> command line (of run 1), for the report
LOST=0

# run_logged NAME CMD...: run with a time limit, output to $LOGS/NAME.log.
run_logged() {
    local name="$1"; shift
    local status=0
    timeout --foreground "$MEASURE_TIMEOUT" "$@" >"$LOGS/$name.log" 2>&1 || status=$?
    if ((status != 0)); then
        tail -n 20 "$LOGS/$name.log" >&2
        if ((status == 124)); then die "$name: timed out after ${MEASURE_TIMEOUT}s (log: $LOGS/$name.log)"; fi
        die "$name: exit status $status (log: $LOGS/$name.log)"
    fi
}

raw_produce() {
    local run="$1" topic="bench.raw.$1" name="raw-produce-$1"
    local cmd=("$RDPERF" -P -b "$BOOTSTRAP" -t "$topic" -s "$SIZE" -c "$MESSAGES" "${RAW_PRODUCER_PROPS[@]}")
    COMMANDS[raw/produce]="${COMMANDS[raw/produce]:-${cmd[*]}}" # keep run 1's
    log "run $run: rdkafka_performance produce -> $topic"
    run_logged "$name" "${cmd[@]}"
    # Last summary line, e.g.:
    # % 100000 messages produced (102400000 bytes), 100000 delivered (offset 3124, 0 failed)
    #   in 193ms: 517322 msgs/s and 529.74 MB/s, 0 produce failures, 0 in queue, no compression
    local line
    line="$(grep -E '^% [0-9]+ messages produced' "$LOGS/$name.log" | tail -n 1)" ||
        die "$name: no summary line in $LOGS/$name.log"
    [[ "$line" =~ \ ([0-9]+)\ delivered\ \(offset\ -?[0-9]+,\ ([0-9]+)\ failed\)\ in\ ([0-9]+)ms:\ ([0-9]+)\ msgs/s\ and\ ([0-9.]+)\ MB/s ]] ||
        die "$name: cannot parse: $line"
    local delivered="${BASH_REMATCH[1]}" failed="${BASH_REMATCH[2]}" ms="${BASH_REMATCH[3]}"
    local rate="${BASH_REMATCH[4]}" mbs="${BASH_REMATCH[5]}"
    ((delivered == MESSAGES && failed == 0)) ||
        die "$name: delivered $delivered of $MESSAGES, $failed failed: $line"
    printf 'raw\tproduce\t%s\t%s\t%s ms, %s MB/s\n' "$run" "$rate" "$ms" "$mbs" >>"$RAW_TSV"
}

raw_consume() {
    local run="$1" topic="bench.raw.$1" name="raw-consume-$1"
    local cmd=("$RDPERF" -G "bench-raw-$1-$$" -b "$BOOTSTRAP" -t "$topic" -c "$MESSAGES" "${RAW_CONSUMER_PROPS[@]}")
    COMMANDS[raw/consume]="${COMMANDS[raw/consume]:-${cmd[*]}}" # keep run 1's
    log "run $run: rdkafka_performance consume <- $topic"
    run_logged "$name" "${cmd[@]}"
    # % 100000 messages (102400000 bytes) consumed in 158ms: 632227 msgs/s (647.40 MB/s)
    local line
    line="$(grep -E '^% [0-9]+ messages \([0-9]+ bytes\) consumed' "$LOGS/$name.log" | tail -n 1)" ||
        die "$name: no summary line in $LOGS/$name.log"
    [[ "$line" =~ ^%\ ([0-9]+)\ messages\ \(([0-9]+)\ bytes\)\ consumed\ in\ ([0-9]+)ms:\ ([0-9]+)\ msgs/s\ \(([0-9.]+)\ MB/s\) ]] ||
        die "$name: cannot parse: $line"
    local count="${BASH_REMATCH[1]}" ms="${BASH_REMATCH[3]}" rate="${BASH_REMATCH[4]}" mbs="${BASH_REMATCH[5]}"
    ((count == MESSAGES)) || die "$name: consumed $count of $MESSAGES: $line"
    printf 'raw\tconsume\t%s\t%s\t%s ms, %s MB/s\n' "$run" "$rate" "$ms" "$mbs" >>"$RAW_TSV"
}

# ours ROLE RUN: KafkaThroughput prints exactly one line like
# RESULT role=produce messages=100000 seconds=0.812 msgs_per_sec=123152 mb_per_sec=120.3 lost=0
ours() {
    local role="$1" run="$2" topic="bench.ours.$2" name="ours-$1-$2"
    local cmd=("$KAFKA_THROUGHPUT" "$role" --bootstrap "$BOOTSTRAP" --topic "$topic" --messages "$MESSAGES")
    if [[ "$role" == produce ]]; then cmd+=(--size "$SIZE"); fi
    if [[ "$role" == consume ]]; then
        cmd+=(--property "queued.min.messages=$PREFETCH_MESSAGES" --property "queued.max.messages.kbytes=$PREFETCH_KB")
    fi
    COMMANDS[ours/$role]="${COMMANDS[ours/$role]:-${cmd[*]}}" # keep run 1's
    log "run $run: KafkaThroughput $role $([[ $role == produce ]] && echo '->' || echo '<-') $topic"
    run_logged "$name" "${cmd[@]}"
    local line
    line="$(grep -E "^RESULT role=$role " "$LOGS/$name.log" | tail -n 1)" ||
        die "$name: no 'RESULT role=$role' line in $LOGS/$name.log"
    local -A f=()
    local kv
    for kv in ${line#RESULT }; do f["${kv%%=*}"]="${kv#*=}"; done
    [[ "${f[msgs_per_sec]:-}" =~ ^[0-9]+(\.[0-9]+)?$ && "${f[lost]:-}" =~ ^[0-9]+$ ]] ||
        die "$name: cannot parse: $line"
    # Each run must cover all the messages; lost ones are counted below.
    [[ "${f[messages]:-$MESSAGES}" == "$MESSAGES" ]] ||
        die "$name: reports messages=${f[messages]}, expected $MESSAGES: $line"
    if ((f[lost] > 0)); then
        echo "run.sh: $name: our client reports lost=${f[lost]}: $line" >&2
        LOST=$((LOST + f[lost]))
    fi
    printf 'ours\t%s\t%s\t%s\t%s s, %s mb/s, messages=%s, lost=%s\n' "$role" "$run" "${f[msgs_per_sec]}" \
        "${f[seconds]:-?}" "${f[mb_per_sec]:-?}" "${f[messages]:-?}" "${f[lost]}" >>"$RAW_TSV"
}

# Alternate who goes first, so that neither side always gets the
# fresher broker.
for ((i = 1; i <= RUNS; i++)); do
    if ((i % 2 == 1)); then
        raw_produce "$i"; ours produce "$i"; raw_consume "$i"; ours consume "$i"
    else
        ours produce "$i"; raw_produce "$i"; ours consume "$i"; raw_consume "$i"
    fi
done

# ---------------------------------------------------------------------------
# 5. Report.
# ---------------------------------------------------------------------------
# median TOOL ROLE: median msgs/s over the runs.
median() {
    awk -F'\t' -v t="$1" -v r="$2" '$1 == t && $2 == r { print $4 }' "$RAW_TSV" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.0f\n", m }'
}
runs_of() { awk -F'\t' -v t="$1" -v r="$2" '$1 == t && $2 == r { printf "%s%.0f", (n++ ? ", " : ""), $4 }' "$RAW_TSV"; }
mb() { awk -v m="$1" -v s="$SIZE" 'BEGIN { printf "%.1f", m * s / 1e6 }'; }
pct() { awk -v o="$1" -v r="$2" 'BEGIN { if (r > 0) printf "%.0f%%", 100 * o / r; else print "n/a" }'; }

mem_gib="$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
cpu_model="$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"

REPORT="$WORK/latest.md"
{
    echo "# Kafka client throughput: Inboxwatch vs librdkafka"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "- command: \`$COMMAND\`"
    echo "- machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}, $mem_gib RAM, $(uname -sr), load average $LOADAVG at start"
    echo "- librdkafka $RDKAFKA_VERSION; embedded broker: \`inboxwatch broker\` (mock cluster), $BROKERS brokers," \
        "$PARTITIONS partitions per topic, a fresh topic per measurement"
    echo "- $MESSAGES messages of $SIZE B per measurement; median of $RUNS run(s)"
    echo
    echo "| tool | role | msgs/s | MB/s | ours % of raw | msgs/s per run |"
    echo "|---|---|---:|---:|---:|---|"
    for role in produce consume; do
        raw_m="$(median raw "$role")"
        ours_m="$(median ours "$role")"
        echo "| rdkafka_performance | $role | $raw_m | $(mb "$raw_m") | | $(runs_of raw "$role") |"
        echo "| KafkaThroughput (ours) | $role | $ours_m | $(mb "$ours_m") | $(pct "$ours_m" "$raw_m") | $(runs_of ours "$role") |"
    done
    echo
    echo "MB/s = msgs/s x $SIZE B / 10^6 (rdkafka_performance's own MB/s unit), payload only."
    echo "Producers run until every message is acknowledged (acks=all, idempotent)."
    echo "rdkafka_performance's consumer clock starts at the first message (the group join is not counted)."
    echo
    echo "Commands (run 1):"
    echo
    echo '```'
    echo "${BROKER_CMD[*]}"
    echo "${COMMANDS[raw/produce]}"
    echo "${COMMANDS[raw/consume]}"
    echo "${COMMANDS[ours/produce]}"
    echo "${COMMANDS[ours/consume]}"
    echo '```'
    echo
    echo "Per run, as reported by each tool:"
    echo
    echo '```'
    awk -F'\t' '{ printf "%-4s %-7s run %s: %.0f msgs/s (%s)\n", $1, $2, $3, $4, $5 }' "$RAW_TSV"
    echo '```'
    if ((LOST > 0)); then
        echo
        echo "**FAILED: our client reported $LOST lost message(s).**"
    fi
} >"$REPORT"

mkdir -p "$RESULTS"
cp "$REPORT" "$RESULTS/latest.md"
echo
cat "$REPORT"
echo
log "written to Benchmarks/results/latest.md; tool logs in Benchmarks/results/logs/"

if ((LOST > 0)); then
    die "our client reported $LOST lost message(s)"
fi
