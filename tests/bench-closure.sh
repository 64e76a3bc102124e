#!/bin/sh
# Benchmark (not a test): the closure of every ELF file in /usr/bin, /usr/sbin and /usr/lib/systemd, in one
# process with package owners, timed in the same run against libtree -vv -p on the same files and an ldd
# loop; owner lookups of 100 packaged files against dpkg-query -S; the closure of every service of the host
# (sdconfine closure UNIT..., --offline) against the ELF-only figure. Prints the times, the ratios and peak
# memory, appends them to HISTORY (a TSV file kept in the source tree: the ratios over time) and prints
# its last rows.
# Usage: bench-closure.sh [path/to/sdconfine [HISTORY]]
set -u
S=${1:-./sdconfine}
H=${2:-}
need=""
command -v libtree >/dev/null 2>&1 || need="$need libtree"
[ -x /usr/bin/time ] || need="$need time"
if [ -n "$need" ]; then
        if [ "$(id -u)" = 0 ]; then
                apt-get install -y -qq $need >/dev/null 2>&1 || { echo "bench: apt-get install$need failed"; exit 1; }
        else
                echo "bench: needs$need (apt-get install$need)"; exit 1
        fi
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

find /usr/bin /usr/sbin /usr/lib/systemd -type f 2>/dev/null | sort | while IFS= read -r f; do
        [ "$(head -c 4 "$f" 2>/dev/null | od -An -c | tr -d ' \n')" = '177ELF' ] && printf '%s\n' "$f"
done > "$tmp/files"
n=$(wc -l < "$tmp/files")
# libtree stops at the first file with a library it cannot find (exit status 28), so a run over all files
# would time only a prefix. Time it, and us, on the files it completes one by one (found untimed here);
# our figure on every file is printed as well.
while IFS= read -r f; do libtree -p "$f" > /dev/null 2>&1 && printf '%s\n' "$f"; done < "$tmp/files" > "$tmp/lt-files"
n_lt=$(wc -l < "$tmp/lt-files")

# 100 packaged regular files, spread over the database (what dpkg-query -S answers for them, we do too)
cat /var/lib/dpkg/info/*.list 2>/dev/null | sort -u | awk 'NR % 97 == 0' | while IFS= read -r f; do
        [ -f "$f" ] && [ ! -L "$f" ] && printf '%s\n' "$f"
done | head -n 100 > "$tmp/owned"
n_owned=$(wc -l < "$tmp/owned")
# every service of the host that is not a template
ls /lib/systemd/system /etc/systemd/system 2>/dev/null | grep '\.service$' | grep -v @ | sort -u > "$tmp/services"
n_services=$(wc -l < "$tmp/services")

now() { date +%s%N; }
# best of 11 wall-clock runs, in milliseconds; peak RSS of the last run in KiB
run() { # run NAME command...
        name=$1
        shift
        best=""
        for i in $(seq "${RUNS:-11}"); do # the best of 11: this machine is shared
                t0=$(now)
                /usr/bin/time -f %M -o "$tmp/rss" "$@" > /dev/null 2>&1
                t1=$(now)
                ms=$(( (t1 - t0) / 1000000 ))
                [ -z "$best" ] || [ "$ms" -lt "$best" ] && best=$ms
        done
        # a tool that reports missing libraries exits non-zero; time then prints a note before the figure
        echo "$best $(tail -n 1 "$tmp/rss")" > "$tmp/$name"
}
# every tool gets all files on one command line (xargs -a: stdin stays free for the timing loop)
X="xargs -a $tmp/files -d \n"
L="xargs -a $tmp/lt-files -d \n"
$X sh -c 'exec "$0" closure --json "$@"' "$S" > /dev/null 2>&1 # warm the page cache (and the package index)
run ours $X sh -c 'exec "$0" closure --json "$@"' "$S"
run ours_nopkg $X sh -c 'exec "$0" closure --json --no-packages "$@"' "$S"
run ours_lt $L sh -c 'exec "$0" closure --json "$@"' "$S"
# libtree through the same sh -c exec as sdconfine: neither pays for a shell the other does not
run libtree $L sh -c 'exec libtree -vv -p "$@"' libtree
O="xargs -a $tmp/owned -d \n"
run owners $O sh -c 'exec "$0" closure --json "$@"' "$S"
run dpkg_query $O dpkg-query -S
V="xargs -a $tmp/services -d \n"
RUNS=1 # the services take seconds: once
run services $V sh -c 'exec "$0" closure --json --offline "$@"' "$S"
t0=$(now)
[ -n "${SKIP_LDD:-}" ] || while IFS= read -r f; do ldd "$f"; done < "$tmp/files" > /dev/null 2>&1
t1=$(now)
ldd_ms=$(( (t1 - t0) / 1000000 ))

read ours_ms ours_kb < "$tmp/ours"
read nopkg_ms nopkg_kb < "$tmp/ours_nopkg"
read lt_ms lt_kb < "$tmp/libtree"
read ourslt_ms ourslt_kb < "$tmp/ours_lt"
read owners_ms owners_kb < "$tmp/owners"
read dq_ms dq_kb < "$tmp/dpkg_query"
read svc_ms svc_kb < "$tmp/services"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) b = 1; printf "%.2f", a / b }'; }
echo "closure of ELF files in /usr/bin, /usr/sbin, /usr/lib/systemd; best of 11 runs of each, one session:"
echo " all $n files:"
printf '  %-44s %6d ms  %7d KiB peak\n' "sdconfine closure --json (with packages)" "$ours_ms" "$ours_kb"
printf '  %-44s %6d ms  %7d KiB peak\n' "sdconfine closure --json --no-packages" "$nopkg_ms" "$nopkg_kb"
printf '  %-44s %6d ms\n' "ldd, one file at a time" "$ldd_ms"
echo " the $n_lt files libtree completes:"
printf '  %-44s %6d ms  %7d KiB peak\n' "sdconfine closure --json (with packages)" "$ourslt_ms" "$ourslt_kb"
printf '  %-44s %6d ms  %7d KiB peak\n' "libtree -vv -p (no packages)" "$lt_ms" "$lt_kb"
echo " owners of $n_owned packaged files:"
printf '  %-44s %6d ms  %7d KiB peak\n' "sdconfine closure --json" "$owners_ms" "$owners_kb"
printf '  %-44s %6d ms\n' "dpkg-query -S" "$dq_ms"
echo " every service of the host ($n_services, one run):"
printf '  %-44s %6d ms  %7d KiB peak\n' "sdconfine closure --json --offline UNIT..." "$svc_ms" "$svc_kb"
echo "ratios (below 1: sdconfine is faster):"
echo "  sdconfine / libtree     = $(ratio "$ourslt_ms" "$lt_ms")   (same $n_lt files, with package owners)"
echo "  sdconfine / dpkg-query  = $(ratio "$owners_ms" "$dq_ms")   (owners of $n_owned files)"
echo "  sdconfine / ldd loop    = $(ratio "$ours_ms" "$ldd_ms")   (all $n files)"
echo "  services / ELF files    = $(ratio "$svc_ms" "$ours_ms")   (every service's closure against the $n ELF files')"
echo "peak memory: $ourslt_kb KiB (libtree $lt_kb KiB)"

[ -n "$H" ] || exit 0
# one row per run: the ratios over time, with what they were measured on
cols='date\tcommit\tfiles\tsdconfine_ms\tnopkg_ms\tlibtree_files\tsdconfine_lt_ms\tlibtree_ms\tlibtree_ratio\tldd_ms\tldd_ratio\tpeak_kib\tlibtree_peak_kib\tsdconfine_over_libtree\towners_n\towners_ms\tdpkg_query_ms\towners_over_dpkg_query\tservices\tservices_ms\tservices_over_elf\tservices_peak_kib'
[ -s "$H" ] || printf "$cols\n" > "$H"
# rows from before the owner and service figures keep their 13 columns; the header grows once
head -n 1 "$H" | grep -q sdconfine_over_libtree || sed -i "1s/.*/$cols/" "$H"
top=$(git -C "$(dirname "$H")" rev-parse --show-toplevel 2>/dev/null || echo .)
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo -)
git -C "$top" diff --quiet HEAD -- core tui cli 2>/dev/null || commit="$commit+"
printf '%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%d\t%s\t%d\t%d\t%s\t%d\t%d\t%d\t%s\t%d\t%d\t%s\t%d\n' "$(date -u +%Y-%m-%dT%H:%MZ)" \
        "$commit" "$n" "$ours_ms" "$nopkg_ms" "$n_lt" "$ourslt_ms" "$lt_ms" "$(ratio "$lt_ms" "$ourslt_ms")" "$ldd_ms" \
        "$(ratio "$ldd_ms" "$ours_ms")" "$ourslt_kb" "$lt_kb" "$(ratio "$ourslt_ms" "$lt_ms")" "$n_owned" "$owners_ms" \
        "$dq_ms" "$(ratio "$owners_ms" "$dq_ms")" "$n_services" "$svc_ms" "$(ratio "$svc_ms" "$ours_ms")" "$svc_kb" >> "$H"
echo "history ($H, last 5 runs; + marks uncommitted changes in core/, cli/ or tui/):"
{ head -n 1 "$H"; tail -n +2 "$H" | tail -n 5; } | if command -v column > /dev/null; then column -t -s "$(printf '\t')"; else cat; fi
