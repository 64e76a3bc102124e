#!/bin/sh
# The closure on a synthetic library graph (tests/gen-host): 300 libraries in five levels, found through
# an ld.so.cache made by ldconfig -r (levels 0-2) and DT_RUNPATH $ORIGIN (levels 3-4), each behind its
# soname link, and 60 programs with DT_RUNPATH $ORIGIN/../lib. The generator's own graph is the oracle
# (ldd may not run files that are not the distribution's). As root: ldconfig -r chroots.
. "${top_srcdir:-.}/tests/tap.sh"
S=${SDCONFINE:-./sdconfine}
G=$(dirname "$S")/tests/gen-host
[ "$(id -u)" = 0 ] || skip_all "ldconfig -r needs root"
[ -x "$G" ] || skip_all "tests/gen-host is not built"
R=$(mktemp -d) || exit 1
trap 'rm -rf "$R"' EXIT
NPROGS=60
check "the generator writes a host" "$G" "$R" 300 $NPROGS 10
# the root has the host's ld.so (without it nothing loads) but no libc: level 0's libc.so.6 is missing,
# and named so; the synthetic part is all there
echo /opt/syn/cache > "$R/etc/ld.so.conf"
mkdir -p "$R/lib64" && cp -L /lib64/ld-linux-x86-64.so.2 "$R/lib64/"
check "ldconfig -r puts the cached levels into the root's ld.so.cache" sh -c "ldconfig -X -r '$R' && grep -q libsyn-0.so.1 '$R/etc/ld.so.cache'"

bad=0
for p in $(seq 0 $((NPROGS - 1))); do
        "$S" closure --root "$R" --list --no-packages "/opt/syn/bin/prog-$p" 2> "$R/err" | grep '^/opt/syn/' | LC_ALL=C sort > "$R/got"
        LC_ALL=C sort "$R/opt/syn/expect/prog-$p" > "$R/want"
        cmp -s "$R/got" "$R/want" || { bad=$((bad + 1)); diff "$R/want" "$R/got" | head -5 >&2; }
        grep -v '^missing libc.so.6 ' "$R/err" >&2 && bad=$((bad + 1))
done
check "the closure of each of $NPROGS programs is the generated one, through cache, runpath and links" test $bad -eq 0
progs=$(ls "$R/opt/syn/bin" | sed 's|^|/opt/syn/bin/|')
"$S" closure --root "$R" --list --no-packages $progs 2>/dev/null > "$R/all"
"$S" closure --root "$R" --tree --no-packages $progs 2>/dev/null > "$R/tree"
cat "$R"/opt/syn/expect/prog-* | LC_ALL=C sort -u > "$R/want-all"
check "the closure of all $NPROGS programs at once is the union of theirs" sh -c "grep '^/opt/syn/' '$R/all' | cmp -s - '$R/want-all'"
check "closure --list has no path with .. (a \$ORIGIN/../lib path is normalised)" sh -c "grep -q /opt/syn/lib/ '$R/all' && ! grep -q '/\.\./' '$R/all'"
check "--tree names the loader's path, as ld.so opens it" grep -q '/opt/syn/bin/\.\./lib/libsyn-' "$R/tree"

# take one library of level 3 away: named missing, by whom, and nothing else breaks
victim=$(grep -l 'libsyn-3.so.1.0' "$R"/opt/syn/expect/prog-* | head -1)
if [ -n "$victim" ]; then
        rm "$R/opt/syn/lib/libsyn-3.so.1.0"
        "$S" closure --root "$R" --list --no-packages "/opt/syn/bin/$(basename "$victim")" > /dev/null 2> "$R/err"
        check "a removed library is reported missing by soname" grep -q '^missing libsyn-3.so.1 (needed by ' "$R/err"
else
        check "a program needs libsyn-3 (the generator's seed changed?)" false
fi
done_testing
