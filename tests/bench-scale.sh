#!/bin/sh
# Benchmark (not a test): a synthetic host of 100, 1,000 and 5,000 units over a library graph of 2,000
# shared objects and 500 programs (tests/gen-host), in an image root with the host's /usr bound read-only
# and an ld.so.cache made by ldconfig -r. First checks that the closure of every synthetic program is
# exactly the one the generator built; then prints, per size: list against `systemctl --root list-unit-files`
# (the peer, as a ratio), the closure of every service in one process, and the TUI's first frame on an
# 80x24 pty (tests/first-frame, no terminal emulator in between). Best of three (one run of systemctl), the
# median of five frames; peak memory of the closure of all with /usr/bin/time when installed.
# As root (a private mount namespace).
# Usage: bench-scale.sh BUILDDIR
B=${1:-.}
B=$(cd "$B" && pwd)
S=$B/sdconfine
[ "$(id -u)" = 0 ] || { echo "bench-scale: needs root (bind mounts in a private namespace)"; exit 1; }
for h in gen-host first-frame; do
        [ -x "$B/tests/$h" ] || { echo "bench-scale: $B/tests/$h is missing: run make bench-scale"; exit 1; }
done
if [ -z "${IN_NS:-}" ]; then
        IN_NS=1 exec unshare --mount sh "$0" "$B"
fi
NLIBS=2000 NPROGS=500
mount --make-rprivate /
R=$(mktemp -d)
trap 'umount -R "$R" 2>/dev/null; rm -rf "$R"' EXIT
mount -t tmpfs tmpfs "$R"
mkdir -p "$R/usr" "$R/etc"
mount --bind -o ro /usr "$R/usr"
for d in bin lib lib64 sbin; do ln -s "usr/$d" "$R/$d"; done
cp -r /etc/ld.so.conf /etc/ld.so.conf.d "$R/etc/"
"$B/tests/gen-host" "$R" $NLIBS $NPROGS 0 || exit 1
# ldconfig reads the objects (never runs them); -X: the generator made the soname links
ldconfig -X -r "$R" 2>/dev/null
grep -q libsyn-0.so.1 "$R/etc/ld.so.cache" || { echo "bench-scale: ldconfig -r left libsyn out of the cache"; exit 1; }

ms() { date +%s%N; }
best() { # best [-1] command...: the best of three (-1: one run), in ms
        runs=3
        [ "$1" = -1 ] && { runs=1; shift; }
        b=""
        for k in $(seq $runs); do
                t0=$(ms)
                "$@" > /dev/null 2>&1
                t1=$(ms)
                t=$(( (t1 - t0) / 1000000 ))
                [ -z "$b" ] || [ "$t" -lt "$b" ] && b=$t
        done
        echo "$b"
}

# the figures mean nothing unless the closures are right: each program against the generator's own graph
bad=0 libs=""
for p in $(seq 0 $((NPROGS - 1))); do
        "$S" closure --root "$R" --list --no-packages "/opt/syn/bin/prog-$p" | grep '^/opt/syn/' | LC_ALL=C sort > "$R/got"
        LC_ALL=C sort "$R/opt/syn/expect/prog-$p" > "$R/want"
        if ! cmp -s "$R/got" "$R/want"; then
                bad=$((bad + 1))
                [ $bad -le 3 ] && { echo "prog-$p differs (- expected, + sdconfine):"; diff "$R/want" "$R/got" | head -5; }
        fi
        libs="$libs $(( ($(wc -l < "$R/want") - 1) / 2 ))"
done
echo "$libs" | tr ' ' '\n' | sed '/^$/d' | sort -n > "$R/sizes"
printf 'closure check: %d of %d programs exactly as generated (%d libraries; libsyn per program: min %d, median %d, max %d)\n' \
        $((NPROGS - bad)) $NPROGS $NLIBS "$(head -1 "$R/sizes")" "$(sed -n "$((NPROGS / 2))p" "$R/sizes")" "$(tail -1 "$R/sizes")"
[ $bad -eq 0 ] || exit 1

frame() { # median of five first frames, in ms
        for k in 1 2 3 4 5; do
                TERM=xterm "$B/tests/first-frame" 'q Quit' "$S" --root "$R" || return 1
        done | sort -n | sed -n 3p
}

printf '%6s %10s %15s %8s %17s %9s %8s %14s\n' units "list" "systemctl --root" ratio "closure of all" "per unit" "peak" "TUI 1st frame"
for n in 100 1000 5000; do
        "$B/tests/gen-host" "$R" $NLIBS $NPROGS $n || exit 1
        ls "$R/etc/systemd/system" | grep '^syn-.*\.service$' > "$R/units"
        [ "$(wc -l < "$R/units")" -eq $n ] || { echo "bench-scale: expected $n units"; exit 1; }
        l=$(best "$S" list --root "$R")
        # one run: it takes seconds to a minute, far beyond the noise
        sc=$(best -1 systemctl --root="$R" list-unit-files --type=service --no-pager)
        c=$(best sh -c "xargs -a '$R/units' '$S' closure --root '$R' --list --no-packages")
        m=-
        [ -x /usr/bin/time ] && m=$(/usr/bin/time -f %M sh -c "xargs -a '$R/units' '$S' closure --root '$R' --list --no-packages > /dev/null" 2>&1 | tail -1)
        f=$(frame) || { echo "bench-scale: the TUI's first frame never came"; exit 1; }
        printf '%6d %8d ms %12d ms %8.1f %14d ms %6.2f ms %8s %11.0f ms\n' "$n" "$l" "$sc" \
                "$(awk -v a="$sc" -v b="$l" 'BEGIN { printf "%.1f", a / (b ? b : 1) }')" "$c" \
                "$(awk -v c="$c" -v n="$n" 'BEGIN { printf "%.2f", c / n }')" \
                "$(awk -v m="$m" 'BEGIN { if (m == "-") print "-"; else printf "%.1f MiB", m / 1024 }')" "$f"
done
echo "ratio: systemctl --root list-unit-files time (one run) / sdconfine list time (above 1: sdconfine is faster)"
echo "peak: the closure of all services, maximum resident set (/usr/bin/time)"
