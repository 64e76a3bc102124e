#!/bin/sh
# What confinement buys, for real services under a real systemd 252 (tests/lib-systemd.sh): for each, started
# unconfined, then confined with `sdconfine apply --suggested UNIT` and started again (as tests/services.sh
# does), the exposure falls on both measures:
#   - systemd's own, `systemd-analyze security UNIT` asked of the running manager, before and after;
#   - the exposure report (tests/exposure-probe: systemd-analyze offline on the unit files without and with
#     the drop-in, and the files the service can see on the host and in its root), after < before, the
#     visible files a small share of the host's, and no secret of the host's left visible.
# Environment: SERVICES (units, default "nginx.service redis-server.service"), START_TIMEOUT (15).
. "${top_srcdir:-.}/tests/tap.sh"
. "${top_srcdir:-.}/tests/lib-systemd.sh"
S=$NS_BUILD/sdconfine
PROBE=$NS_BUILD/tests/exposure-probe
START_TIMEOUT=${START_TIMEOUT:-15}
require_systemd
[ -x "$build/tests/exposure-probe" ] || skip_all "tests/exposure-probe is not built (make check builds it)"

tmp=$(mktemp -d) || exit 1
trap 'systemd_stop; rm -rf "$tmp"' EXIT INT TERM
# not through check: systemd_start sets SYSTEMD_PID and holds the lock in this shell
started=1
systemd_start "$tmp" "$build" "$src" > "$tmp/start.log" 2>&1 && started=0
check "systemd starts in its own namespaces" test "$started" = 0
[ -n "$SYSTEMD_PID" ] || { done_testing; exit 0; }

active() { [ "$(in_ns systemctl show -p ActiveState --value "$1" 2>/dev/null)" = active ]; }
start() { in_ns timeout "$START_TIMEOUT" systemctl restart "$1" > /dev/null 2>&1; sleep 1; active "$1"; }
# the running manager's figure for UNIT
live_score() {
        in_ns systemd-analyze security --no-pager "$1" 2>/dev/null |
                awk '/Overall exposure level for/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]$/) s = $i } END { print s }'
}
lower() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && b != "" && a + 0 < b + 0) }'; }
# a field of the probe's JSON, by a small path: files.host, score.after...
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d=d[k]
print(len(d) if isinstance(d, list) else d)' "$1" "$2"; }

for unit in ${SERVICES:-nginx.service redis-server.service}; do
        if ! [ -f "/lib/systemd/system/$unit" ] && ! [ -f "/etc/systemd/system/$unit" ]; then
                skip_check "$unit: exposure falls when confined" "$unit is not installed"
                continue
        fi
        in_ns "$S" revert "$unit" > /dev/null 2>&1
        check "$unit: starts unconfined" start "$unit"
        before=$(live_score "$unit")
        in_ns "$S" apply --suggested "$unit" > "$tmp/apply" 2>&1
        check "$unit: applies --suggested" test $? = 0
        check "$unit: starts confined" start "$unit"
        after=$(live_score "$unit")
        echo "# $unit: systemd-analyze security (the running manager): $before -> $after"
        check "$unit: systemd's exposure is lower confined ($before -> $after)" lower "$after" "$before"

        # the report, as preview computes it (the installed drop-in is ours: left out of "before")
        in_ns "$PROBE" --suggested --no-cache "$unit" > "$tmp/report" 2> "$tmp/probe.err"
        in_ns "$PROBE" --suggested --no-cache --json "$unit" > "$tmp/report.json" 2>> "$tmp/probe.err"
        check "$unit: the exposure report is computed" test -s "$tmp/report.json"
        sed 's/^/# /' "$tmp/report" "$tmp/probe.err"
        [ -s "$tmp/report.json" ] || continue
        sb=$(field "$tmp/report.json" score.before) sa=$(field "$tmp/report.json" score.after)
        fh=$(field "$tmp/report.json" files.host) fc=$(field "$tmp/report.json" files.confined)
        check "$unit: systemd-analyze offline, without and with the drop-in, falls ($sb -> $sa)" lower "$sa" "$sb"
        check "$unit: offline 'after' is the running manager's figure ($sa, $after)" test "$sa" = "$after"
        check "$unit: visible files fall ($fh -> $fc)" lower "$fc" "$fh"
        check "$unit: fewer than 1% of the host's files are visible" lower "$((fc * 100))" "$fh"
        check "$unit: the host's secrets are visible before ($(field "$tmp/report.json" sensitive.before))" \
                lower 0 "$(field "$tmp/report.json" sensitive.before)"
        check "$unit: none is visible confined" test "$(field "$tmp/report.json" sensitive.after)" = 0
        in_ns "$S" revert "$unit" > /dev/null 2>&1
        in_ns systemctl stop "$unit" > /dev/null 2>&1
done
done_testing
