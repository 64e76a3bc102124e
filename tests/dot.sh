#!/bin/sh
# Graphviz accepts the closure of every service on this host as DOT: `sdconfine closure --all --dot UNIT`
# (and --dot-collapse) piped into `dot -Tsvg`, for every *.service that `systemctl list-unit-files` lists
# (a template with the instance "test"), read offline from the unit files. Then --svg writes an SVG file,
# and without Graphviz on PATH it fails naming the package to install.
. "${top_srcdir:-.}/tests/tap.sh"
S=${SDCONFINE:-./sdconfine}
command -v dot >/dev/null 2>&1 || skip_all "Graphviz's dot is not installed (apt-get install graphviz)"
command -v systemctl >/dev/null 2>&1 || skip_all "no systemctl to list the unit files"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

systemctl list-unit-files --type=service --no-legend --no-pager 2>/dev/null | awk '{print $1}' |
        sed 's/@\.service$/@test.service/' > "$tmp/units"
[ -s "$tmp/units" ] || skip_all "systemctl lists no service unit files"

# the DOT is written even for a unit with nothing to inspect (its exit status says so): dot must take it
renders() { # renders UNIT [OPTION]
        "$S" closure --offline --all --dot ${2:-} "$1" > "$tmp/g.dot" 2>/dev/null
        [ -s "$tmp/g.dot" ] && dot -Tsvg "$tmp/g.dot" -o "$tmp/g.svg" 2> "$tmp/dot.err" || {
                sed 's/^/# /' "$tmp/dot.err" | head -n 5 >&3
                return 1
        }
        # graphviz's own layout warnings are its business; a complaint about the input is ours
        ! grep -Eqi 'syntax error|invalid|non-ascii|utf' "$tmp/dot.err" && grep -q '</svg>' "$tmp/g.svg"
}
exec 3>&1
n=0
while read -r unit; do
        check "dot -Tsvg accepts the closure of $unit" renders "$unit"
        check "dot -Tsvg accepts the collapsed closure of $unit" renders "$unit" --dot-collapse
        n=$((n + 1))
done < "$tmp/units"
echo "# $n units rendered"

svg_written() {
        "$S" closure --offline --svg "$tmp/cron.svg" /usr/sbin/cron && grep -q '</svg>' "$tmp/cron.svg"
}
check "--svg FILE writes an SVG through dot" svg_written
no_graphviz() {
        # a PATH without dot: the message names the package
        ! PATH=/nonexistent "$S" closure --svg "$tmp/x.svg" /usr/sbin/cron 2> "$tmp/err" &&
                grep -q 'install the package graphviz' "$tmp/err" && ! [ -e "$tmp/x.svg" ]
}
check "--svg without Graphviz names the package graphviz" no_graphviz
refused() {
        "$S" closure --dot-collapse /usr/sbin/cron 2> "$tmp/err"
        [ $? -eq 2 ] && grep -q 'goes with --dot' "$tmp/err"
}
check "--dot-collapse alone is refused (exit 2)" refused
done_testing
