#!/bin/sh
# Benchmark (not a test): listing and the closure of every service on a synthetic host of 100, 1,000 and
# 5,000 units (each running one of the ELF programs of /usr/bin, in turn), in an image root with the
# host's /usr bound read-only. Prints the curve; best of 3 for each figure. As root (a private mount).
# Usage: bench-scale.sh [path/to/sdconfine]
S=${1:-./sdconfine}
case "$S" in /*) ;; *) S=$PWD/$S ;; esac
[ "$(id -u)" = 0 ] || { echo "bench-scale: needs root (bind mounts in a private namespace)"; exit 1; }
if [ -z "${IN_NS:-}" ]; then
        IN_NS=1 exec unshare --mount sh "$0" "$S"
fi
mount --make-rprivate /
R=$(mktemp -d)
trap 'umount -R "$R" 2>/dev/null; rm -rf "$R"' EXIT
mount -t tmpfs tmpfs "$R"
mkdir -p "$R/usr" "$R/etc/systemd/system" "$R/var/lib"
mount --bind -o ro /usr "$R/usr"
for d in bin lib lib64 sbin; do ln -s "usr/$d" "$R/$d"; done
cp /etc/ld.so.cache "$R/etc/"
find /usr/bin -maxdepth 1 -type f -perm -u+x | while read -r f; do
        [ "$(head -c 4 "$f" | od -An -c | tr -d ' \n')" = '177ELF' ] && echo "$f"
done > "$R/programs"
n_prog=$(wc -l < "$R/programs")
ms() { date +%s%N; }
best() { # best NAME command...: the best of three, in ms
        b=""
        for k in 1 2 3; do
                t0=$(ms)
                "$@" > /dev/null 2>&1
                t1=$(ms)
                t=$(( (t1 - t0) / 1000000 ))
                [ -z "$b" ] || [ "$t" -lt "$b" ] && b=$t
        done
        echo "$b"
}
printf '%8s %12s %22s %10s\n' units "list (ms)" "closure of all (ms)" "per unit"
made=0
for n in 100 1000 5000; do
        while [ $made -lt $n ]; do
                p=$(sed -n "$(( made % n_prog + 1 ))p" "$R/programs")
                printf '[Unit]\nDescription=synthetic %d\n[Service]\nExecStart=%s --version\n' $made "$p" \
                        > "$R/etc/systemd/system/syn-$made.service"
                made=$((made + 1))
        done
        ls "$R/etc/systemd/system" | grep '^syn-' > "$R/units"
        l=$(best "$S" list --root "$R")
        c=$(best sh -c "xargs -a '$R/units' '$S' closure --root '$R' --list --no-packages")
        printf '%8d %12d %22d %9.2f\n' "$n" "$l" "$c" "$(awk -v c="$c" -v n="$n" 'BEGIN { printf "%.2f", c / n }')"
done
