#!/bin/sh
# libsystemd and ncurses are opened with dlopen() when a verb needs them, not by the loader at start: the
# program does not link them, a batch verb never loads them, the verbs that need them do, and when one
# cannot be loaded the operator reads which library and what to install. The locale's files likewise: only
# output that draws or measures text loads them, and numbers keep the C locale's decimal point.
. "${top_srcdir:-.}/tests/tap.sh"
S=${SDCONFINE:-./sdconfine}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# loaded: the libraries the loader opened for a run of "$@" (LD_DEBUG=files names each once)
loaded() {
        LD_DEBUG=files LD_DEBUG_OUTPUT="$tmp/ld" "$@" > /dev/null 2>&1 < /dev/null
        cat "$tmp"/ld.* 2>/dev/null | sed -n 's/.*file=\([^ ]*\) .*/\1/p' | sort -u
        rm -f "$tmp"/ld.*
}
has() { # has LIBRARY: the list on stdin names it
        grep -q "^$1" 
}

readelf -d "$S" > "$tmp/dynamic"
check "readelf sees the dynamic section" grep -q 'NEEDED.*libc.so.6' "$tmp/dynamic"
check "libsystemd is not linked" sh -c "! grep -q 'NEEDED.*libsystemd' '$tmp/dynamic'"
check "ncurses is not linked" sh -c "! grep -Eq 'NEEDED.*lib(ncursesw|tinfo)' '$tmp/dynamic'"

loaded "$S" closure --json /bin/true > "$tmp/closure"
check "LD_DEBUG shows what closure loads (jansson)" has libjansson.so.4 < "$tmp/closure"
check "closure --json loads neither libsystemd nor ncurses" sh -c "! grep -Eq '^lib(systemd|ncursesw|tinfo)' '$tmp/closure'"
loaded "$S" list --offline > "$tmp/offline"
check "list --offline does not load libsystemd" sh -c "grep -q '^libjansson' '$tmp/offline' && ! grep -q '^libsystemd' '$tmp/offline'"
# list asks the manager first (it falls back to the unit files when none answers): that loads libsystemd
loaded "$S" list > "$tmp/list"
check "list loads libsystemd to ask the manager" has libsystemd.so.0 < "$tmp/list"
check "list does not load ncurses" sh -c "! grep -q '^libncursesw' '$tmp/list'"
# the interactive program loads ncurses before anything else (a terminal type that does not exist stops
# it at initscr, without a terminal to draw on)
loaded env TERM=sdconfine-no-such-term timeout 20 "$S" tui --offline > "$tmp/tui"
check "the interactive program loads ncurses" has libncursesw.so.6 < "$tmp/tui"

# the locale's files: which of them a run opens (strace), under a UTF-8 locale
locale_files() {
        LANG=C.UTF-8 LC_ALL= strace -f -qq -e trace=openat,open -o "$tmp/st" "$@" > "$tmp/out" 2>&1 < /dev/null
        grep -c '/usr/lib/locale/' "$tmp/st"
}
if command -v strace > /dev/null 2>&1; then
        check "closure --json opens no locale file" test "$(locale_files "$S" closure --json /bin/true)" -eq 0
        check "the tree output opens the locale's character set" test "$(locale_files "$S" closure --tree /bin/true)" -gt 0
        check "... and draws UTF-8 glyphs with it" grep -q '── ' "$tmp/out"
        check "list --offline measures its columns in the locale" test "$(locale_files "$S" list --offline)" -gt 0
        check "... but loads no more than LC_CTYPE" sh -c "! grep -Eq 'LC_(NUMERIC|MESSAGES|TIME|COLLATE)' '$tmp/st'"
        LANG=C.UTF-8 "$S" closure --tree /bin/true > "$tmp/c"
        LANG=C "$S" closure --tree /bin/true > "$tmp/a"
        check "in the C locale the tree is drawn in ASCII" sh -c "grep -q -- '-- ' '$tmp/a' && ! grep -q '── ' '$tmp/a'"
else
        echo "# no strace: the locale checks are skipped"
fi

# A library that cannot be loaded: an empty file bound over it in a private mount namespace.
hide_and_run() { # hide_and_run SONAME command...: run with SONAME's file replaced by an empty one
        so=$1
        shift
        real=$(readlink -f "$(ldconfig -p | sed -n "s/^[[:space:]]*$so (libc6,x86-64) => //p" | head -n 1)")
        [ -f "$real" ] || return 1
        : > "$tmp/empty"
        unshare -m sh -c 'mount --bind "$0" "$1" && shift && exec "$@"' "$tmp/empty" "$real" "$@"
}
if [ "$(id -u)" = 0 ] && unshare -m true 2> /dev/null; then
        hide_and_run libsystemd.so.0 "$S" list > "$tmp/out" 2> "$tmp/err"
        rc=$?
        check "without libsystemd, list still lists the unit files on disk" sh -c "[ $rc = 0 ] && grep -q '\.service' '$tmp/out'"
        check "without libsystemd, list says which library and what to install" \
                grep -q 'cannot ask the system service manager: libsystemd.so.0 cannot be loaded (.*): install libsystemd0; reading the unit files on disk' "$tmp/err"
        hide_and_run libsystemd.so.0 "$S" closure --json /bin/true > /dev/null 2>&1
        check "without libsystemd, closure works" test $? = 0
        hide_and_run libncursesw.so.6 env TERM=xterm timeout 20 "$S" tui --offline > "$tmp/out" 2> "$tmp/err" < /dev/null
        rc=$?
        check "without ncurses, the interactive program exits 1" test $rc = 1
        check "without ncurses, it says what to install and that the verbs work" \
                grep -q 'the interactive screens need libncursesw.so.6 (package libncursesw6): .*; the command-line verbs work without it' "$tmp/err"
        hide_and_run libncursesw.so.6 "$S" list --offline > /dev/null 2>&1
        check "without ncurses, list works" test $? = 0
else
        echo "# not root or no unshare -m: the missing-library checks are skipped"
fi
done_testing
