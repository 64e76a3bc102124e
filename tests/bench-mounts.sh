#!/bin/sh
# Benchmark (not a test): start-up time of a confined oneshot service as a function of its bind mounts,
# under the real systemd of the tests (as root), then before and after directory coalescing for a
# service with --package tzdata (every file and link bound one by one, against sdconfine's plan). Each
# figure is the median of 5 starts, in one run.
# Usage: bench-mounts.sh [builddir] [srcdir]
. "${2:-.}/tests/lib-systemd.sh"
build=$(cd "${1:-.}" && pwd)
src=$(cd "${2:-.}" && pwd)
why=$(systemd_can_run) || { echo "bench-mounts: needs a real systemd: $why"; exit 1; }
tmp=$(mktemp -d)
trap 'systemd_stop; rm -rf "$tmp"' EXIT INT TERM
systemd_start "$tmp" "$build" "$src" || { echo "bench-mounts: systemd did not start"; exit 1; }
in_ns sh -c 'mkdir -p /var/tmp/bench && i=0; while [ $i -lt 1000 ]; do : > /var/tmp/bench/f$i; i=$((i+1)); done'
ms() { date +%s%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# start UNITFILE: install it as bench.service, print the median of 5 starts in ms
start() {
        put_unit bench < "$1"
        for k in 1 2 3 4 5; do
                t0=$(ms)
                in_ns systemctl start bench.service
                t1=$(ms)
                echo $(( (t1 - t0) / 1000000 ))
        done | median
}
# the host views the drop-ins bind from (their .mount units): apply installs them; its drop-in goes again,
# each unit below states the whole service
in_ns sh -c "printf '[Service]\nType=oneshot\nExecStart=/usr/bin/true\n' > /run/systemd/system/bench.service; systemctl daemon-reload"
in_ns "$NS_BUILD/sdconfine" apply --no-reload --no-bin-sh --package tzdata bench.service > /dev/null 2>&1
in_ns sh -c 'rm -rf /etc/systemd/system/bench.service.d; systemctl daemon-reload'
printf '%-32s %10s\n' "bind mounts" "start (ms)"
for confined in no yes; do
        for n in 0 10 100 300 1000; do
                [ $confined = no ] && [ $n -gt 0 ] && continue
                # the probe unit first, to let preview see it
                in_ns sh -c "printf '[Service]\nType=oneshot\nExecStart=/usr/bin/true\n' > /run/systemd/system/bench.service; systemctl daemon-reload"
                {
                        printf '[Service]\nType=oneshot\nExecStart=/usr/bin/true\n'
                        if [ $confined = yes ]; then
                                in_ns "$NS_BUILD/sdconfine" preview --offline --no-exposure --no-bin-sh bench.service 2>/dev/null | sed -n '/^\[\(Unit\|Service\)\]/,$p'
                                i=0
                                while [ $i -lt $n ]; do echo "BindReadOnlyPaths=/var/tmp/bench/f$i"; i=$((i + 1)); done
                        fi
                } > "$tmp/unit"
                label=$([ $confined = yes ] && echo "confined, $n extra" || echo "unconfined")
                printf '%-32s %10s\n' "$label" "$(start "$tmp/unit")"
        done
done

# the same extra binds made from a read-only view of their file system (core/host-view.h), as sdconfine
# writes them on the host: BindPaths= from a read-only mount needs no remount of each
in_ns sh -c 'mkdir -p -m 0700 /run/sdconfine/bench-view && mount -o bind,ro,private /var/tmp /run/sdconfine/bench-view'
for n in 10 100 300 1000; do
        in_ns sh -c "printf '[Service]\nType=oneshot\nExecStart=/usr/bin/true\n' > /run/systemd/system/bench.service; systemctl daemon-reload"
        {
                printf '[Service]\nType=oneshot\nExecStart=/usr/bin/true\n'
                in_ns "$NS_BUILD/sdconfine" preview --offline --no-exposure --no-bin-sh bench.service 2>/dev/null | sed -n '/^\[\(Unit\|Service\)\]/,$p'
                i=0
                while [ $i -lt $n ]; do echo "BindPaths=/run/sdconfine/bench-view/bench/f$i:/var/tmp/bench/f$i"; i=$((i + 1)); done
        } > "$tmp/unit"
        printf '%-32s %10s\n' "confined, $n extra, from a view" "$(start "$tmp/unit")"
done

# before and after coalescing: --package tzdata
if dpkg -L tzdata > "$tmp/tz" 2>/dev/null; then
        in_ns sh -c "printf '[Service]\nType=oneshot\nExecStart=/usr/bin/true\n' > /run/systemd/system/bench.service; systemctl daemon-reload"
        in_ns "$NS_BUILD/sdconfine" preview --offline --no-exposure --no-bin-sh --package tzdata bench.service 2>/dev/null | sed -n '/^\[\(Unit\|Service\)\]/,$p' > "$tmp/after"
        # the same plan with every file and link bound one by one: the closure's binds, then the package's
        in_ns "$NS_BUILD/sdconfine" preview --offline --no-exposure --no-bin-sh bench.service 2>/dev/null | sed -n '/^\[\(Unit\|Service\)\]/,$p' > "$tmp/before"
        while IFS= read -r f; do
                if [ -L "$f" ]; then
                        r=$(readlink -f "$f") && [ -f "$r" ] && echo "BindReadOnlyPaths=$r:$f"
                elif [ -f "$f" ]; then
                        echo "BindReadOnlyPaths=$f"
                fi
        done < "$tmp/tz" >> "$tmp/before"
        for v in before after; do
                { printf '[Service]\nType=oneshot\nExecStart=/usr/bin/true\n'; cat "$tmp/$v"; } > "$tmp/unit"
                n=$(grep -c '^Bind' "$tmp/$v")
                start "$tmp/unit" > "$tmp/$v.ms"
                printf '%-32s %10s\n' "tzdata, $v coalescing ($n)" "$(cat "$tmp/$v.ms")"
        done
        awk -v b="$(cat "$tmp/before.ms")" -v a="$(cat "$tmp/after.ms")" \
                'BEGIN { printf "ratio: start-up before / after coalescing = %.1f\n", b / (a ? a : 1) }'
fi
