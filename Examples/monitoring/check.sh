#!/usr/bin/env bash
# Checks the monitoring bundle: Prometheus config, alert rules, their unit tests, and the
# Grafana dashboard's JSON. Needs promtool (Debian: prometheus) and python3.
# Usage: bash Examples/monitoring/check.sh   (from anywhere); exits non-zero on any failure.
set -euo pipefail

cd "$(dirname "$0")"

PROMTOOL="${PROMTOOL:-promtool}"
if ! command -v "$PROMTOOL" >/dev/null 2>&1; then
    echo "check.sh: $PROMTOOL not found (apt-get install prometheus, or set PROMTOOL)" >&2
    exit 2
fi

failed=0
# step LABEL COMMAND...: runs COMMAND, records a failure instead of stopping at it.
step() {
    local label=$1
    shift
    echo "== $label"
    if ! "$@"; then
        echo "FAILED: $label" >&2
        failed=1
    fi
}

# The dashboard check: valid JSON, the two template variables, every panel with at least one
# target whose expr is set and free of Grafana's $__interval/$__rate_interval/$__range.
DASHBOARD_CHECK=$(cat <<'PY'
import json, re, sys
path = sys.argv[1]
with open(path) as f:
    d = json.load(f)
problems = []
panels = d.get("panels") or []
if not panels:
    problems.append("no panels")
names = [v.get("name") for v in d.get("templating", {}).get("list", [])]
for name in ("DS_PROMETHEUS", "network"):
    if name not in names:
        problems.append("no template variable " + name)
for p in panels:
    title = p.get("title") or "panel %s" % p.get("id")
    targets = p.get("targets") or []
    if not targets:
        problems.append(title + ": no target")
    for t in targets:
        expr = (t.get("expr") or "").strip()
        if not expr:
            problems.append(title + ": target " + str(t.get("refId")) + " has no expr")
        elif re.search(r"\$__(rate_)?(interval|range)", expr):
            problems.append(title + ": uses a Grafana interval variable: " + expr)
n = sum(len(p.get("targets") or []) for p in panels)
for m in problems:
    print("  " + m, file=sys.stderr)
if problems:
    sys.exit(1)
print("  %s: valid JSON, %d panels, %d targets, every panel has a target" % (path, len(panels), n))
PY
)

step "promtool check config prometheus.yml" "$PROMTOOL" check config prometheus.yml
step "promtool check rules alerts.yml" "$PROMTOOL" check rules alerts.yml
step "promtool test rules alerts.test.yml" "$PROMTOOL" test rules alerts.test.yml
step "grafana-dashboard.json" python3 -c "$DASHBOARD_CHECK" grafana-dashboard.json

if [ "$failed" -ne 0 ]; then
    echo "check.sh: FAILED" >&2
    exit 1
fi
echo "check.sh: all checks passed"
