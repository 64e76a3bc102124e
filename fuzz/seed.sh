#!/bin/sh
# Seed corpora from this machine's real files: fuzz/out/corpus-TARGET/
set -eu
src=$1 build=$2 sdconfine=$3
out=$build/fuzz/out
for t in $(cat "$src/fuzz/targets"); do mkdir -p "$out/corpus-$t"; done
for f in /usr/bin/ls /usr/bin/dash /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 \
         /usr/lib/x86_64-linux-gnu/libz.so.1; do
        head -c 65536 "$(readlink -f "$f")" > "$out/corpus-elf/$(basename "$f")" 2>/dev/null || true
done
cp /etc/ld.so.cache "$out/corpus-ld-cache/system" 2>/dev/null || true
[ -f "$build/tests/fixtures/out/root/etc/ld.so.cache" ] && cp "$build/tests/fixtures/out/root/etc/ld.so.cache" "$out/corpus-ld-cache/hwcaps"
for f in /lib/systemd/system/*.service "$src"/tests/units/*.service; do cp "$f" "$out/corpus-unit-file/"; done 2>/dev/null || true
i=0
for u in systemd-timesyncd.service systemd-journald.service cron.service; do
        "$sdconfine" preview --offline --suggested "$u" > "$out/corpus-dropin-header/$i" 2>/dev/null || true
        sed -n 's/^# sdconfine-settings: //p' "$out/corpus-dropin-header/$i" > "$out/corpus-import/$i"
        i=$((i + 1))
done
for f in /etc/default/* /etc/environment; do [ -f "$f" ] && cp "$f" "$out/corpus-env-file/$(basename "$f")"; done 2>/dev/null || true
printf '%s\n' 'A="x \" \$ \\ \` y"' "B='lit \\n'" 'C=one\' 'two' '# c \' 'D=1' > "$out/corpus-env-file/tricky"
# a small package index: a database of two packages below a scratch root
r=$(mktemp -d)
mkdir -p "$r/var/lib/dpkg/info" "$r/usr/bin" && ln -s usr/lib "$r/lib"
printf '/.\n/usr/bin/tool\n/etc/tool.conf\n' > "$r/var/lib/dpkg/info/tool.list"
printf '/lib/x86_64-linux-gnu/libfoo.so.1\n' > "$r/var/lib/dpkg/info/libfoo1:amd64.list"
printf 'Package: tool\nStatus: install ok installed\nArchitecture: amd64\nDepends: libfoo1\nConffiles:\n /etc/tool.conf 01\n\n' > "$r/var/lib/dpkg/status"
printf '/usr/bin/tool\n/usr/bin/tool.real\n:\n' > "$r/var/lib/dpkg/diversions"
: > "$r/usr/bin/tool"
sleep 0.2 # younger changes are not trusted to show in the index's key: it would not be saved
SDCONFINE_CACHE_DIR="$r/cache" "$sdconfine" closure --root "$r" --json /usr/bin/tool > /dev/null 2>&1 || true
cp "$r"/cache/pkg-index-* "$out/corpus-pkg-index/" 2>/dev/null || true
rm -rf "$r"
