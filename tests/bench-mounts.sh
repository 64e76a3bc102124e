#!/bin/sh
# Benchmark (not a test): start-up time of a confined oneshot service as a function of its bind mounts,
# under the real systemd of the tests (as root). Each figure is the median of 5 starts, in one run.
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
printf '%-32s %10s\n' "bind mounts" "start (ms)"
for confined in no yes; do
        for n in 0 10 100 300 1000; do
                [ $confined = no ] && [ $n -gt 0 ] && continue
                # the probe unit first, to let preview see it
                in_ns sh -c "printf '[Service]\nType=oneshot\nExecStart=/usr/bin/true\n' > /run/systemd/system/bench.service; systemctl daemon-reload"
                {
                        printf '[Service]\nType=oneshot\nExecStart=/usr/bin/true\n'
                        if [ $confined = yes ]; then
                                in_ns "$NS_BUILD/sdconfine" preview --offline --no-bin-sh bench.service 2>/dev/null | sed -n '/^\[Service\]/,$p' | sed 1d
                                i=0
                                while [ $i -lt $n ]; do echo "BindReadOnlyPaths=/var/tmp/bench/f$i"; i=$((i + 1)); done
                        fi
                } > "$tmp/unit"
                in_ns sh -c "cat > /run/systemd/system/bench.service; systemctl daemon-reload" < "$tmp/unit"
                for k in 1 2 3 4 5; do
                        t0=$(ms)
                        in_ns systemctl start bench.service
                        t1=$(ms)
                        echo $(( (t1 - t0) / 1000000 ))
                done | median > "$tmp/m"
                label=$([ $confined = yes ] && echo "confined, $n extra" || echo "unconfined")
                printf '%-32s %10s\n' "$label" "$(cat "$tmp/m")"
        done
done
