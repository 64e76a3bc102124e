#!/bin/sh
# The service model against a real systemd: the live model (sd-bus) and the offline one (unit files) agree on
# every service of /lib/systemd/system and on test units exercising the syntax, and both agree with
# systemctl show.
. "${top_srcdir:-.}/tests/tap.sh"
. "${top_srcdir:-.}/tests/lib-systemd.sh"
# inside the namespace the build and source trees are seen below /run/sdt (see lib-systemd.sh)
S=$NS_BUILD/sdconfine
MODEL_DIFF=$NS_BUILD/tests/model-diff
require_systemd
tmp=$(mktemp -d) || exit 1
trap '[ -n "${KEEP:-}" ] || systemd_stop; rm -rf "$tmp"' EXIT INT TERM

check "systemd 252 starts in its own PID namespace" systemd_start "$tmp" "$build" "$src"
[ -n "$SYSTEMD_PID" ] || { done_testing; exit 0; }

# test units: fragments in /run/systemd/system, drop-ins in /etc and /run (both private tmpfs here)
in_ns sh -c "
set -e
cp $NS_SRC/tests/units/*.service /run/systemd/system/
E=/etc/systemd/system R=/run/systemd/system
mkdir -p \$E/sdt-syntax.service.d \$R/sdt-syntax.service.d \$E/service.d \$E/sdt-tmpl@.service.d \
         '\$E/sdt-tmpl@one.service.d' \$E/sdt-dash-.service.d \$E/sdt-dash-a-.service.d
printf '[Service]\nEnvironment=E=from-dropin\nExecStopPost=\nExecStopPost=/bin/echo reset by a drop-in\n' > \$E/sdt-syntax.service.d/10-env.conf
printf '[Service]\nUser=masked-by-etc\n' > \$R/sdt-syntax.service.d/10-env.conf
printf '[Service]\nGroup=from-run\n' > \$R/sdt-syntax.service.d/20-run.conf
: > \$E/sdt-syntax.service.d/30-empty.conf
printf '[Service]\nUser=masked-by-dev-null\n' > \$R/sdt-syntax.service.d/40-masked.conf
ln -s /dev/null \$E/sdt-syntax.service.d/40-masked.conf
printf '[Service]\nEnvironment=ALL=every-service\n' > \$E/service.d/99-all.conf
printf '[Service]\nEnvironment=T=template\n' > \$E/sdt-tmpl@.service.d/10-t.conf
printf '[Service]\nEnvironment=I=instance\n' > '\$E/sdt-tmpl@one.service.d/20-i.conf'
printf '[Service]\nEnvironment=DASH=generic\n' > \$E/sdt-dash-.service.d/10-d.conf
printf '[Service]\nEnvironment=DASH=specific\n' > \$E/sdt-dash-a-.service.d/10-d.conf
ln -s /run/systemd/system/sdt-dash-a-b.service \$E/sdt-alias.service
ln -s /dev/null \$E/sdt-masked.service
systemctl daemon-reload
"
check "test units installed and the manager reloaded" in_ns systemctl is-system-running

# every service on disk (templates as an instance with an escaped name), and the test units
{
        for f in /lib/systemd/system/*.service; do
                u=$(basename "$f")
                case "$u" in *@.service) echo "${u%@.service}@inst-a\\x2db.service" ;; *) echo "$u" ;; esac
        done
        printf '%s\n' sdt-syntax.service sdt-hardened.service 'sdt-tmpl@one.service' 'sdt-tmpl@a\x2db-c.service' \
                sdt-dash-a-b.service sdt-alias.service sdt-masked.service sdt-bad.service sdt-nonexistent.service
} > "$tmp/units"
in_ns "$MODEL_DIFF" < "$tmp/units" > "$tmp/diff"
sed -n '/^DIFF/,/^SAME/p' "$tmp/diff" | grep -v '^SAME' | sed 's/^/# /'
n_same=$(grep -c '^SAME' "$tmp/diff")
n_all=$(wc -l < "$tmp/units")
echo "# $n_same of $n_all services: the live and the offline model agree"
check "live (sd-bus) and offline (unit files) models agree on all $n_all services" test "$n_same" -eq "$n_all"
check "the comparison covers the whole unit directory (at least 80 services)" test "$n_all" -ge 80

# sdconfine show (live and offline) against systemctl show, property by property
prop_of() { # prop_of FILE PROP: the value in sdconfine show's text, without its "(file:line)"
        sed -n "s/^$2=\\(.*\\)/\\1/p" "$1" | sed 's/    (.*:[0-9]*)$//'
}
for u in sdt-syntax.service sdt-hardened.service 'sdt-tmpl@one.service' sdt-alias.service sdt-masked.service sdt-bad.service; do
        in_ns "$S" show "$u" > "$tmp/live" 2>/dev/null
        in_ns "$S" show --offline "$u" > "$tmp/offline" 2>/dev/null
        ok=yes
        for p in FragmentPath DropInPaths User Group Type PIDFile WorkingDirectory RootDirectory; do
                want=$(in_ns systemctl show -p "$p" --value "$u")
                [ "$p" = Type ] && [ -z "$(prop_of "$tmp/live" Type)" ] && want=""
                for f in live offline; do
                        got=$(prop_of "$tmp/$f" "$p")
                        if [ "$got" != "$want" ]; then
                                echo "# $u $p: systemctl '$want', sdconfine $f '$got'"
                                ok=no
                        fi
                done
        done
        state=$(in_ns systemctl show -p LoadState --value "$u")
        head -1 "$tmp/offline" | grep -q "($state;" || { echo "# $u LoadState: systemctl $state, offline: $(head -1 "$tmp/offline")"; ok=no; }
        check "show $u agrees with systemctl show (live and offline)" test $ok = yes
done

in_ns "$S" show --offline sdt-syntax.service > "$tmp/syntax"
check "show names the file and line a setting comes from" grep -q '^Group=from-run    (/run/systemd/system/sdt-syntax.service.d/20-run.conf:2)' "$tmp/syntax"
check "a drop-in of the same name in /etc masks the one in /run" sh -c "! grep -q masked-by '$tmp/syntax'"
check "show lists the closure roots" grep -q '^Closure roots: /bin/echo' "$tmp/syntax"

in_ns "$S" list > "$tmp/list-live" 2>/dev/null
in_ns "$S" list --offline > "$tmp/list-offline" 2>/dev/null
# The manager also knows units that other units name but have no file (not-found), and instances it loaded
# for a dependency (modprobe@loop.service): the unit files cannot tell those. Compare the rest.
filter='NR > 1 && NF >= 2 && $1 ~ /\.service$/ && $2 != "not-found" && !($1 ~ /@./ && $1 !~ /@\.service$/)'
awk "$filter { print \$1, \$2 }" "$tmp/list-live" | sort > "$tmp/l1"
awk "$filter { print \$1, \$2 }" "$tmp/list-offline" | sort > "$tmp/l2"
diff "$tmp/l1" "$tmp/l2" | sed 's/^/# /'
check "list: the live and offline lists name the same services with the same load state" cmp -s "$tmp/l1" "$tmp/l2"
check "list shows templates, instances' templates and masked units" sh -c "grep -q '^sdt-tmpl@.service template' '$tmp/l1' && grep -q '^sdt-masked.service masked' '$tmp/l1'"
check "list says which source it read" grep -q 'services (from the manager)' "$tmp/list-live"

in_ns "$S" closure --list sdt-syntax.service > "$tmp/closure" 2>&1
check "closure UNIT: the Exec* programs and their libraries" sh -c "grep -qx /usr/bin/echo '$tmp/closure' && grep -qx /usr/lib/x86_64-linux-gnu/libc.so.6 '$tmp/closure'"
check "closure UNIT: a bare ExecStartPost=true is found in the fixed search path" grep -qx /usr/bin/true "$tmp/closure"

# daemon-reload and restart through sd-bus (what apply will use)
in_ns sh -c "printf '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n' > /run/systemd/system/sdt-restart.service"
in_ns "$MODEL_DIFF" reload
check "reload through sd-bus makes the manager read a new unit file" \
        sh -c "test \"\$(nsenter -t $SYSTEMD_PID -m -p systemctl show -p LoadState --value sdt-restart.service)\" = loaded"
in_ns "$MODEL_DIFF" restart sdt-restart.service 2> "$tmp/restart.err" || sed "s/^/# /" "$tmp/restart.err"
for i in $(seq 1 100); do [ "$(in_ns systemctl show -p ActiveState --value sdt-restart.service)" = active ] && break; sleep 0.1; done
check "restart through sd-bus starts the unit" test "$(in_ns systemctl show -p ActiveState --value sdt-restart.service)" = active

# EnvironmentFile=: what systemd 252 puts into the process environment, against sdconfine's reading
printf '%s\n' 'SDT_A=1' 'SDT_A=2' '  SDT_WS  =  x y  ' '# c \' 'SDT_HIDDEN=1' "SDT_SQ='x \" \$y \\n'" \
        'SDT_DQ="x \" \$ \\ \` \n"' 'SDT_NL="one' 'two"' "SDT_JOIN=\"x\"y 'z'" 'SDT_CONT=x\' 'y' 'SDT_ESC=x\ ' \
        'SDT_EMPTY=' 'SDT_WORD' '1SDT=x' 'SDT-B=y' 'export SDT_EXP=1' 'SDT_HASH=x # not a comment' \
        'SDT_UTF=été' 'SDT_OVER=file1' > "$tmp/env1"
printf 'SDT_CR=1\r\nSDT_OVER=file2\n' > "$tmp/env2"
printf 'SDT_GLOB=%s\n' a > "$tmp/g1"
printf 'SDT_GLOB=%s\n' b > "$tmp/g2"
in_ns mkdir -p /run/sdt-env
for f in env1 env2 g1 g2; do in_ns sh -c "cat > /run/sdt-env/$f" < "$tmp/$f"; done
in_ns sh -c "printf '[Service]\nType=oneshot\nRemainAfterExit=yes\nEnvironment=SDT_OVER=unit SDT_UNIT=u\nEnvironmentFile=/run/sdt-env/env1\nEnvironmentFile=-/run/sdt-env/missing\nEnvironmentFile=/run/sdt-env/env2\nEnvironmentFile=/run/sdt-env/g*\nExecStart=/bin/sh -c \"/usr/bin/env -0 > /run/sdt-env/out\"\n' > /run/systemd/system/sdt-envfile.service; systemctl daemon-reload; systemctl start sdt-envfile.service"
in_ns sh -c "grep -z '^SDT_' /run/sdt-env/out | grep -zv '^SDT_UNIT=' | sort -z" > "$tmp/env.real"
in_ns sh -c "'$MODEL_DIFF' env sdt-envfile.service | grep -z '^SDT_' | sort -z" > "$tmp/env.ours"
check "EnvironmentFile=: the service's real environment, as systemd 252 parsed $(tr -cd '\000' < "$tmp/env.real" | wc -c) variables" \
        sh -c "test -s '$tmp/env.real' && cmp -s '$tmp/env.real' '$tmp/env.ours'"
echo "# systemd:"; tr '\000' '\n' < "$tmp/env.real" | sed 's/^/#   /'
cmp -s "$tmp/env.real" "$tmp/env.ours" || { echo "# sdconfine:"; tr '\000' '\n' < "$tmp/env.ours" | sed 's/^/#   /'; }
check "EnvironmentFile=: a file overrides Environment=, a later file an earlier one" grep -qz '^SDT_OVER=file2$' "$tmp/env.real"
in_ns sh -c "printf '[Service]\nType=oneshot\nEnvironmentFile=/run/sdt-env/missing\nExecStart=/bin/true\n' > /run/systemd/system/sdt-envmissing.service; systemctl daemon-reload"
check "EnvironmentFile= missing without '-': systemd 252 refuses the start" sh -c "! nsenter -t $SYSTEMD_PID -m -p -n systemctl start sdt-envmissing.service"
in_ns "$S" preview sdt-envmissing.service > /dev/null 2> "$tmp/envmissing"
check "and sdconfine preview says so, with the fix" grep -q "EnvironmentFile=/run/sdt-env/missing does not exist: systemd will refuse to start the service; create it or write EnvironmentFile=-/run/sdt-env/missing" "$tmp/envmissing"

# 'foo' and 'foo.bar' are services as systemctl takes them (foo.service): not found, but no bad name
for bad in '../etc/passwd.service' 'a/b.service' "$(printf 'x\001.service')" '@x.service'; do
        in_ns "$S" show --offline "$bad" > /dev/null 2> "$tmp/err"
        rc=$?
        check "refused: '$(printf %s "$bad" | tr -c '[:print:]' '?')'" sh -c "test $rc -ne 0 && grep -q 'not a valid unit name' '$tmp/err'"
done
in_ns "$S" show --offline cron > "$tmp/cron-show" 2>&1
check "show cron means cron.service, as systemctl takes it" grep -q '^cron.service ' "$tmp/cron-show"
done_testing
