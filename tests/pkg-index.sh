#!/bin/sh
# The package index follows dpkg on the real host: a tiny package built here with dpkg-deb is installed,
# diverted, undiverted and purged, and after each step sdconfine names the owner dpkg would name, from an
# index it rebuilt (a new file in its cache directory).
. "${top_srcdir:-.}/tests/tap.sh"
S=${SDCONFINE:-./sdconfine}
[ "$(id -u)" = 0 ] || skip_all "needs root: it installs and removes a package"
for c in dpkg-deb dpkg-divert apt-get; do
        command -v $c > /dev/null 2>&1 || skip_all "needs $c (a Debian host)"
done
pkg=sdconfine-index-test
f=/usr/lib/$pkg/tool
dpkg-query -W $pkg > /dev/null 2>&1 && skip_all "$pkg is installed already (left by an earlier run?)"
tmp=$(mktemp -d)
export SDCONFINE_CACHE_DIR="$tmp/cache"
apt() { apt-get -o DPkg::Lock::Timeout=900 -qq "$@" > "$tmp/apt.log" 2>&1; }
# dpkg-divert does not wait for the dpkg lock another installation may hold
divert() {
        i=0
        until dpkg-divert --local --rename "$@" > "$tmp/divert.log" 2>&1; do
                i=$((i + 1))
                [ $i -lt 300 ] || return 1
                sleep 1
        done
}
cleanup() {
        [ -e "$f.real" ] && divert --divert "$f.real" --remove "$f"
        dpkg-query -W $pkg > /dev/null 2>&1 && apt purge -y $pkg
        rm -rf "$tmp" "/usr/lib/$pkg"
}
trap cleanup EXIT INT TERM

mkdir -p "$tmp/deb/DEBIAN" "$tmp/deb/usr/lib/$pkg"
printf 'Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: sdconfine tests <root@localhost>\nDescription: test package of tests/pkg-index.sh\n' \
        $pkg > "$tmp/deb/DEBIAN/control"
printf '#!/bin/sh\ntrue\n' > "$tmp/deb$f"
chmod 755 "$tmp/deb$f"
dpkg-deb --root-owner-group --build "$tmp/deb" "$tmp/$pkg.deb" > /dev/null 2>&1 || skip_all "dpkg-deb could not build the test package"

# the owner of a file as closure --json says (its first file is the root), "null" for none
owner() { "$S" closure --json "$1" 2> /dev/null | sed -n 's/^ *"package": \(.*\),$/\1/p' | head -n 1; }
index_id() { stat -c %i "$SDCONFINE_CACHE_DIR/pkg-index" 2> /dev/null; }
# a change younger than the file system's timestamp granularity is not trusted to show: wait it out
settle() { sleep 0.3; }

settle
check "the first run builds the index" test "$(owner /bin/sh)" = '"dash"'
before=$(index_id)
check "and saves it in the cache directory" test -n "$before"
# (unless another installation on this host changed dpkg's database meanwhile)
db_state() { stat -c '%i %Y' /var/lib/dpkg/status /var/lib/dpkg/info /var/lib/dpkg/diversions 2> /dev/null; }
reused() {
        state=$(db_state)
        [ "$(owner /bin/sh)" = '"dash"' ] && { [ "$(index_id)" = "$before" ] || [ "$(db_state)" != "$state" ]; }
}
check "the next run reads it as it is" reused

check "the test package installs" apt install -y "$tmp/$pkg.deb"
settle
check "after an install, its file has its owner" test "$(owner $f)" = "\"$pkg\""
id=$(index_id)
check "from a rebuilt index" test "$id" != "$before"

check "dpkg-divert --add moves the file" divert --divert "$f.real" --add "$f"
settle
check "after a diversion, the diverted-to path has the package's owner" test "$(owner $f.real)" = "\"$pkg\""
check "from a rebuilt index" test "$(index_id)" != "$id"
id=$(index_id)
check "dpkg-divert --remove puts it back" divert --divert "$f.real" --remove "$f"
settle
check "after the diversion is removed, the path has its owner again" test "$(owner $f)" = "\"$pkg\""
check "from a rebuilt index" test "$(index_id)" != "$id"
id=$(index_id)

check "the test package purges" apt purge -y $pkg
settle
mkdir -p "/usr/lib/$pkg" && printf 'x\n' > "$f"
check "after a removal, a file at its old path has no owner" test "$(owner $f)" = null
check "from a rebuilt index" test "$(index_id)" != "$id"
rm -rf "/usr/lib/$pkg"

# a corrupt file is rebuilt, never trusted
id=$(index_id)
printf 'garbage' | dd of="$SDCONFINE_CACHE_DIR/pkg-index" bs=1 seek=0 conv=notrunc 2> /dev/null
check "a corrupt index is not used" test "$(owner /bin/sh)" = '"dash"'
check "but rebuilt" sh -c 'head -c 7 "$SDCONFINE_CACHE_DIR/pkg-index" | grep -q SDCPKIX'
done_testing
