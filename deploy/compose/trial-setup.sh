#!/usr/bin/env bash
# compose --profile trial: writes the workers' configuration for the simulated tenant.
#
# The simulator derives its tenant id, app ids and demo secrets from its seed and announces them
# at /sim/info; this reads them and writes, into the "trial" volume (mounted read-only at
# /etc/inboxwatch in the trial workers): one file per role, the two demo secrets, a dry-run
# action policy, an auto-response policy and the correlator's signing key pair.
# It runs in the inboxwatch image (bash, curl, sed and the inboxwatch binary; no JSON tool), and
# /sim/info is one line of compact JSON whose top-level clientId/clientSecret are the collector
# app's, before the "apps" object that repeats them for both apps.
set -euo pipefail

sim="${SIMULATOR_URL:-http://simulate:8080}"
out="${TRIAL_DIR:-/var/lib/inboxwatch}" # where this container writes the volume
etc=/etc/inboxwatch                     # where the workers see it

info="$(curl -fsS --retry 30 --retry-connrefused --retry-delay 2 "$sim/sim/info")"

# The first "NAME":"VALUE" string member in $2.
field() {
    printf '%s' "$2" | grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | sed 's/^"[^"]*":"\(.*\)"$/\1/'
}
tenant_id="$(field tenantId "$info")"
domain="$(field tenantDomain "$info")"
report_mailbox="$(field reportMailbox "$info")"
collector_id="$(field clientId "$info")"
collector_secret="$(field clientSecret "$info")"
actions_app="$(printf '%s' "$info" | grep -o '"actions":{[^}]*}' | head -n 1)"
actions_id="$(field clientId "$actions_app")"
actions_secret="$(field clientSecret "$actions_app")"
for name in tenant_id domain collector_id collector_secret actions_id actions_secret; do
    if [ -z "${!name}" ]; then
        echo "trial-setup: $name not found in $sim/sim/info" >&2
        exit 1
    fi
done

umask 077
printf '%s' "$collector_secret" >"$out/collector-client-secret"
printf '%s' "$actions_secret" >"$out/actions-client-secret"

# The correlator signs its auto-response commands; the action worker trusts the public half.
# Kept across restarts (keys generate never overwrites), made again if half is missing.
if [ ! -s "$out/correlator.key" ] || [ ! -s "$out/correlator.pub" ]; then
    rm -f "$out/correlator.key" "$out/correlator.pub"
    inboxwatch keys generate --out "$out/correlator.key" >"$out/correlator.pub"
fi

# Dry run: the worker decides and records every outcome, and changes nothing in the tenant.
cat >"$out/action-policy.json" <<EOF
{
  "mode": "dryRun",
  "tenants": ["$tenant_id"],
  "allowedActions": ["removeInboxRule", "revokeSessions", "disableAccount", "moveMessageToJunk"]
}
EOF

cat >"$out/auto-response.json" <<EOF
{"rules": [{"name": "takeover-containment", "detections": ["accountTakeover"],
            "minimumCriticality": "critical", "actions": ["revokeSessions", "disableAccount"],
            "dryRun": true}]}
EOF

common() {
    cat <<EOF
kafka:
  bootstrapServers: kafka:9092
logging:
  format: json
  level: info
metrics:
  port: 9464
EOF
}

{
    common
    cat <<EOF
tenants:
  trial:
    id: $tenant_id
    clientId: $collector_id
    clientSecretFile: $etc/collector-client-secret
    simulator: $sim
    mailDomains: [$domain]
EOF
    if [ -n "$report_mailbox" ]; then echo "    reportMailbox: $report_mailbox"; fi
    cat <<EOF
collector:
  pollInterval: 10s
  audit:
    since: 1d
  mail:
    since: 1d
EOF
} >"$out/collectors.yaml"

{
    common
    cat <<EOF
correlator:
  autoResponsePolicy: $etc/auto-response.json
  signingKeyFile: $etc/correlator.key
  signingKeyId: inboxwatch-correlator
EOF
} >"$out/correlator.yaml"

# The action worker's tenant entry carries the action app's credential only: it never sees the
# collector app's secret.
{
    common
    cat <<EOF
tenants:
  trial:
    id: $tenant_id
    clientId: $actions_id
    clientSecretFile: $etc/actions-client-secret
    simulator: $sim
actionWorker:
  policy: $etc/action-policy.json
  trustedKeys:
    inboxwatch-correlator: $etc/correlator.pub
EOF
} >"$out/act.yaml"

# Readable by the workers (same uid), by no one else.
chmod 0600 "$out"/*
echo "trial-setup: tenant $tenant_id ($domain) at $sim; configuration written" >&2
