#!/bin/sh
# The closure command as an operator and a script use it.
. "${top_srcdir:-.}/tests/tap.sh"
S=${SDCONFINE:-./sdconfine}
F=${FIXTURES:-tests/fixtures/out}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

"$S" closure --json /usr/bin/ls > "$tmp/ls.json"
check "--json names the root" grep -q '"roots": \[' "$tmp/ls.json"
check "--json has the interpreter with its real path" grep -q '"realpath": "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"' "$tmp/ls.json"
check "--json has found_via and packages" sh -c "grep -q '\"found_via\": \"ld.so.cache\"' '$tmp/ls.json' && grep -q '\"package\": \"coreutils\"' '$tmp/ls.json'"
check "--json has needed_by" grep -q '"needed_by": \[' "$tmp/ls.json"

"$S" closure --list /usr/bin/ls > "$tmp/ls.list"
check "--list has the path as asked and the real file" sh -c "grep -qx /lib64/ld-linux-x86-64.so.2 '$tmp/ls.list' && grep -qx /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 '$tmp/ls.list'"

"$S" closure --tree --ascii /usr/bin/ls > "$tmp/ls.tree"
check "--tree draws with ASCII under --ascii" grep -q '^`-- \|^|-- ' "$tmp/ls.tree"
check "--tree shows how a library was found" grep -q 'ld.so.cache' "$tmp/ls.tree"
check "the default is a list when not on a terminal" sh -c "'$S' closure /usr/bin/ls | cmp -s - '$tmp/ls.list'"

"$S" closure /nonexistent/prog > /dev/null 2> "$tmp/err"
rc=$?
check "an unreadable root fails" test $rc -ne 0
check "the error names the file and the reason" grep -q '/nonexistent/prog: No such file or directory' "$tmp/err"
check "a bad --root is refused clearly" sh -c "'$S' closure --root /nonexistent-dir /bin/ls 2>&1 | grep -q 'cannot open root directory /nonexistent-dir: No such file'"
check "a bad --root fails" sh -c "! '$S' closure --root /nonexistent-dir /bin/ls 2>/dev/null"
check "an unknown command exits 2" sh -c "'$S' frobnicate 2>/dev/null; test \$? -eq 2"

if [ -d "$F/root/t" ]; then
        "$S" closure --root "$F/root" --list /t/04_runpath_not_inherited/prog > "$tmp/04" 2> "$tmp/04.err"
        check "--root resolves inside the image" grep -qx /t/04_runpath_not_inherited/b/libB.so "$tmp/04"
        check "a missing library is reported, not fatal" grep -q '^missing libC.so (needed by /t/04_runpath_not_inherited/b/libB.so)' "$tmp/04.err"
        "$S" closure --root "$F/root" --json /t/04_runpath_not_inherited/prog > "$tmp/04.json"
        check "--json lists every path tried for a missing library" grep -q '"/usr/lib/libC.so"' "$tmp/04.json"
        "$S" closure --root "$F/root" --list --ld-library-path /t/05_env_over_runpath/env /t/05_env_over_runpath/prog > "$tmp/05"
        check "--ld-library-path is the program's LD_LIBRARY_PATH" grep -qx /t/05_env_over_runpath/env/libD.so "$tmp/05"
fi

# Privileges a file carries of its own: file capabilities and set-id bits are flagged
if command -v setcap >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        cp /usr/bin/true "$tmp/withcaps"
        setcap cap_net_raw+ep "$tmp/withcaps"
        cp /usr/bin/true "$tmp/withsuid"
        chmod 4755 "$tmp/withsuid"
        "$S" closure --json "$tmp/withcaps" "$tmp/withsuid" > "$tmp/priv.json"
        check "--json flags file capabilities (\"caps\": \"cap_net_raw=ep\")" grep -q '"caps": "cap_net_raw=ep"' "$tmp/priv.json"
        check "--json flags the setuid bit" grep -q '"setuid": true' "$tmp/priv.json"
        check "--json says false for a plain file" grep -q '"setgid": false' "$tmp/priv.json"
        "$S" closure --tree --no-packages "$tmp/withcaps" "$tmp/withsuid" > "$tmp/priv.tree"
        check "--tree flags them too" sh -c "grep -q 'CAPS cap_net_raw=ep' '$tmp/priv.tree' && grep -q 'SETUID' '$tmp/priv.tree'"
fi

# Nothing inspected is ever run: a script that would leave a mark, and strace's view of our execve calls.
printf '#!/bin/sh\ntouch %s/ran\n' "$tmp" > "$tmp/marker.sh"
chmod +x "$tmp/marker.sh"
"$S" closure --list "$tmp/marker.sh" > "$tmp/marker.list"
check "a script is inspected, not run" test ! -e "$tmp/ran"
check "its interpreter joins the closure" grep -qx /bin/sh "$tmp/marker.list"
if command -v strace >/dev/null 2>&1; then
        strace -f -qq -e trace=execve -o "$tmp/strace" "$S" closure --list /usr/bin/ls "$tmp/marker.sh" > /dev/null 2>&1
        check "sdconfine executes nothing (one execve: its own)" test "$(grep -c 'execve(' "$tmp/strace")" -eq 1
fi
# a unit that does not exist is an error, as a missing FILE is (exit status 1, the name in words)
"$S" closure --offline sdconfine-no-such.service > /dev/null 2> "$tmp/nosuch.err"
check "closure of a unit that does not exist exits 1" test $? = 1
check "and says so by name" grep -q 'sdconfine-no-such.service is not-found' "$tmp/nosuch.err"
done_testing
