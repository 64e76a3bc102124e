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
# One run over several units shares its scans (a module scanned once, a file walked once per PATH and rules):
# what it finds must be what each unit alone finds, together, in any order. Real units of this host: Python
# (fail2ban, radicale), Perl (munin-node), shell (apt-daily, e2scrub_reap), ELF only (nginx, cron).
units=""
for u in fail2ban radicale munin-node apt-daily e2scrub_reap nginx cron apache2; do
        [ -e "/lib/systemd/system/$u.service" ] || [ -e "/etc/systemd/system/$u.service" ] || continue
        "$S" closure --offline --list "$u.service" > "$tmp/unit-$u.list" 2> /dev/null || continue
        units="$units $u.service"
        cat "$tmp/unit-$u.list" >> "$tmp/units-each"
done
if [ -n "$units" ]; then
        sort -u "$tmp/units-each" > "$tmp/units-union"
        "$S" closure --offline --list $units > "$tmp/units-one-run" 2> /dev/null
        check "one run over$units lists what the units alone list, together" cmp "$tmp/units-union" "$tmp/units-one-run"
        rev=$(printf '%s\n' $units | tac | tr '\n' ' ')
        "$S" closure --offline --list $rev > "$tmp/units-reversed" 2> /dev/null
        check "and so in the reverse order" cmp "$tmp/units-union" "$tmp/units-reversed"
        # twice the same unit, and a FILE between: the second walk adds nothing, the first loses nothing
        set -- $units
        "$S" closure --offline --list "$1" /usr/bin/ls "$1" > "$tmp/units-twice" 2> /dev/null
        "$S" closure --offline --list "$1" /usr/bin/ls > "$tmp/units-once" 2> /dev/null
        check "a unit named twice in one run is the unit once" cmp "$tmp/units-once" "$tmp/units-twice"
fi
# The same in a root made for it: what one unit's walk took for data (prog-a names frag.sh), the next one
# sources (b): walked again, as shell text; a script walked under the default PATH (d) is walked again under
# another (c), whose tool is another file.
R="$tmp/units-root"
mkdir -p "$R/etc/systemd/system" "$R/bin" "$R/usr/bin" "$R/opt/c/bin" "$R/etc/x"
cp /bin/dash "$R/bin/sh"
printf '#!/bin/sh\ncat /etc/x/frag.sh\n' > "$R/usr/bin/prog-a"
printf '/usr/bin/tool-b\n' > "$R/etc/x/frag.sh"
printf '#!/bin/sh\ntool\n' > "$R/usr/bin/runs-tool"
for f in usr/bin/tool-b usr/bin/tool opt/c/bin/tool; do printf '#!/bin/sh\nexit 0\n' > "$R/$f"; done
chmod 755 "$R/usr/bin/"* "$R/opt/c/bin/tool"
printf '[Service]\nExecStart=/usr/bin/prog-a\n' > "$R/etc/systemd/system/a.service"
printf "[Service]\nExecStart=/bin/sh -c '. /etc/x/frag.sh'\n" > "$R/etc/systemd/system/b.service"
printf '[Service]\nEnvironment=PATH=/opt/c/bin:/usr/bin:/bin\nExecStart=/usr/bin/runs-tool\n' > "$R/etc/systemd/system/c.service"
printf '[Service]\nExecStart=/usr/bin/runs-tool\n' > "$R/etc/systemd/system/d.service"
for u in a b c d; do "$S" closure --root "$R" --offline --list $u.service 2> /dev/null; done | sort -u > "$tmp/root-each"
"$S" closure --root "$R" --offline --list a.service b.service d.service c.service > "$tmp/root-one-run" 2> /dev/null
check "a file read as data by one unit and sourced by the next is walked again" grep -qx /usr/bin/tool-b "$tmp/root-one-run"
check "a script walked under one PATH is walked again under another" grep -qx /opt/c/bin/tool "$tmp/root-one-run"
check "one run over units made for it lists what they list alone" cmp "$tmp/root-each" "$tmp/root-one-run"
done_testing
