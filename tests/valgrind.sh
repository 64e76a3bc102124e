#!/bin/sh
# Command runs under valgrind's memcheck: no invalid access, no use of uninitialised memory, nothing
# definitely or indirectly lost (the sanitizer build in .ci/run covers the unit tests; this covers the
# program as shipped, threads and libraries included).
. "${top_srcdir:-.}/tests/tap.sh"
S=${SDCONFINE:-./sdconfine}
command -v valgrind > /dev/null 2>&1 || skip_all "valgrind is not installed (apt-get install valgrind)"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
vg() { # vg NAME ARGS...: sdconfine ARGS under memcheck, its report kept in $tmp/NAME
        name=$1
        shift
        valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
                --log-file="$tmp/$name" "$S" "$@" > /dev/null 2>&1
        rc=$?
        [ $rc -ne 99 ] && [ ! -s "$tmp/$name" ] && return 0
        sed 's/^/# /' "$tmp/$name" | head -40
        return 1
}
check "closure --json with package owners (the reading thread too)" vg closure closure --json /usr/bin/ls /usr/sbin/nginx
check "list, from the unit files" vg list list --offline
check "show a service with an EnvironmentFile=" vg show show --offline beanstalkd.service
check "preview --suggested" vg preview preview --offline --suggested redis-server.service
check "closure --tree of a unit" vg tree closure --tree --offline nginx.service
done_testing
