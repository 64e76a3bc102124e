#!/bin/sh
# apply --try under a real systemd: a broken confinement rolled back (exit status 3, the previous state back,
# the journal excerpt, the missing path suggested and taken by --suggested on the next try), a good one kept,
# a failing --check rolled back while the service runs, the previous drop-in restored byte for byte, and the
# lock-out guard refusing an untried restart of the unit the command runs under (and allowing --try).
. "${top_srcdir:-.}/tests/tap.sh"
. "${top_srcdir:-.}/tests/lib-systemd.sh"
S=$NS_BUILD/sdconfine
require_systemd
tmp=$(mktemp -d) || exit 1
# the kept suggestions go to /var/lib/sdconfine/try, the host's /var/lib: a private tmpfs over it inside
made_state_dir=
[ -d /var/lib/sdconfine ] || { mkdir -p /var/lib/sdconfine && made_state_dir=1; }
cleanup() {
        systemd_stop
        [ -n "$made_state_dir" ] && rmdir /var/lib/sdconfine 2>/dev/null
        rm -rf "$tmp"
}
trap '[ -n "${KEEP:-}" ] || cleanup' EXIT INT TERM
check "systemd starts in its own PID namespace" systemd_start "$tmp" "$build" "$src"
[ -n "$SYSTEMD_PID" ] || { done_testing; exit 0; }
in_ns mount -t tmpfs tmpfs /var/lib/sdconfine

dropin() { echo "/etc/systemd/system/$1.service.d/50-confinement.conf"; }
main_pid() { in_ns systemctl show -P MainPID "$1.service"; }
# the root the unit's main process runs in: the source of its "/" mount, "/" unconfined, its skeleton or
# /confinement/UNIT (below the /run tmpfs) in its root (systemd pivots into it, so /proc/PID/root reads "/" either way)
root_of() { in_ns awk '$5 == "/" { print $4; exit }' "/proc/$(main_pid "$1")/mountinfo"; }
# own_root NAME: "yes" when that root is the unit's own: its skeleton (.../root/UNIT/HASH, root-skeleton.h)
# or, without one, its runtime directory
own_root() {
        case "$(root_of "$1")" in
        */root/"$1".service/????????????????|/confinement/"$1".service) echo yes ;;
        *) echo no ;;
        esac
}
is_active() { test "$(in_ns systemctl is-active "$1.service")" = active; }
# try NAME ARGS...: apply ARGS NAME.service; the output in $tmp/NAME.out, the exit status in $tmp/NAME.status
try() {
        name=$1
        shift
        in_ns "$S" apply "$@" "$name.service" > "$tmp/$name.out" 2>&1
        echo $? > "$tmp/$name.status"
        sed 's/^/#   /' "$tmp/$name.out"
}
status_is() { test "$(cat "$tmp/$1.status")" = "$2"; }
says() { grep -qF -- "$2" "$tmp/$1.out"; }

# A service that reads a file only the host has: its path is in the environment only (not bound without
# --full-unit), so the confined service finds nothing and exits.
in_ns sh -c 'mkdir -p /run/sdt-try && echo hello > /run/sdt-try/app.conf'
put_unit sdt-try <<'EOT'
[Service]
Type=simple
Environment=CONF=/run/sdt-try/app.conf
ExecStart=/bin/sh -c 'cat "$${CONF}" > /dev/null && exec sleep 1000'
EOT
in_ns systemctl start sdt-try.service
sleep 0.3
pid0=$(main_pid sdt-try)
check "the test service runs unconfined first" sh -c "[ '$(root_of sdt-try)' = / ] && [ '$pid0' -gt 0 ]"
try sdt-try --try=3
check "a broken confinement: the exit status is 3 (rolled back)" status_is sdt-try 3
check "the try says why it failed and that it rolled back" sh -c "grep -q 'the try failed: sdt-try.service is failed' '$tmp/sdt-try.out' && grep -q 'rolled back: removed .*there was none before' '$tmp/sdt-try.out'"
check "no drop-in is left (there was none)" sh -c "! nsenter -t $SYSTEMD_PID -m -p test -e $(dropin sdt-try)"
pid1=$(main_pid sdt-try)
check "the service is active again, unconfined, with a new main process" sh -c \
        "[ '$(in_ns systemctl is-active sdt-try.service)' = active ] && [ '$(root_of sdt-try)' = / ] && [ '$pid1' -gt 0 ] && [ '$pid1' != '$pid0' ]"
check "the journal excerpt of the attempt is printed" sh -c \
        "grep -q 'the journal of sdt-try.service during the try' '$tmp/sdt-try.out' && grep -q '^    .*cat: /run/sdt-try/app.conf: No such file or directory' '$tmp/sdt-try.out'"
check "the missing path is suggested, with its journal line" \
        says sdt-try "sdconfine: suggestion: --path /run/sdt-try/app.conf (journal: "
check "the suggestion is kept for --suggested" in_ns grep -q '"path": "/run/sdt-try/app.conf"' /var/lib/sdconfine/try/sdt-try.service.json
try sdt-try --suggested --try=3
check "apply --suggested --try takes the suggestion and is kept (exit status 0)" status_is sdt-try 0
check "the suggestion is accepted with its reason" says sdt-try "accepted: --path /run/sdt-try/app.conf: suggested by the rolled-back try: "
check "the kept drop-in binds the path" in_ns grep -qx 'BindPaths=/run/sdconfine/host/run/sdt-try/app.conf:/run/sdt-try/app.conf' "$(dropin sdt-try)"
check "and the service runs confined" sh -c "[ '$(in_ns systemctl is-active sdt-try.service)' = active ] && [ '$(own_root sdt-try)' = yes ]"

# A good confinement is kept; a --check that passes runs on the host (systemctl is not in the root).
put_unit sdt-good <<'EOT'
[Service]
Type=simple
ExecStart=/bin/sleep 1000
EOT
in_ns systemctl start sdt-good.service
try sdt-good --try=2 --check 'systemctl is-active --quiet sdt-good.service'
check "a good confinement: exit status 0" status_is sdt-good 0
check "it says what held" says sdt-good "it held for 2 s (no restart, main PID"
check "the drop-in is in place" in_ns test -s "$(dropin sdt-good)"
check "the service is active, in its root" sh -c "[ '$(in_ns systemctl is-active sdt-good.service)' = active ] && [ '$(own_root sdt-good)' = yes ]"

# --check: a check that fails rolls back although the service is up; the previous drop-in comes back byte
# for byte.
in_ns cat "$(dropin sdt-good)" > "$tmp/good.before"
pid0=$(main_pid sdt-good)
try sdt-good --try=1 --path /usr/share/doc --check 'echo checked; exit 7'
check "a failing --check: exit status 3" status_is sdt-good 3
check "it names the check and its status" says sdt-good "the check 'echo checked; exit 7' exited with status 7 although sdt-good.service is up"
check "and shows the check's output" sh -c "grep -qx '    checked' '$tmp/sdt-good.out'"
in_ns cat "$(dropin sdt-good)" > "$tmp/good.after"
check "the previous drop-in is back, byte for byte" cmp "$tmp/good.before" "$tmp/good.after"
check "the service runs again, confined as before, a new main process" sh -c \
        "[ '$(in_ns systemctl is-active sdt-good.service)' = active ] && [ '$(own_root sdt-good)' = yes ] && [ '$(main_pid sdt-good)' != '$pid0' ]"

# The previous drop-in restored byte for byte after a broken try: apply with some settings, then a try
# without the path the service needs.
put_unit sdt-prev <<'EOT'
[Service]
Type=simple
Environment=CONF=/run/sdt-try/app.conf
ExecStart=/bin/sh -c 'cat "$${CONF}" > /dev/null && exec sleep 1000'
EOT
try sdt-prev --path /run/sdt-try/app.conf --set PrivateTmp=yes --mount-budget 120 --restart
check "apply --restart with settings (not under the unit: no guard)" status_is sdt-prev 0
in_ns cat "$(dropin sdt-prev)" > "$tmp/prev.before"
pid0=$(main_pid sdt-prev)
try sdt-prev --try=2
check "a broken try over an installed drop-in: exit status 3" status_is sdt-prev 3
check "it says the previous drop-in was restored" says sdt-prev "rolled back: restored the previous $(dropin sdt-prev), reloaded, restarted sdt-prev.service"
in_ns cat "$(dropin sdt-prev)" > "$tmp/prev.after"
check "the previous drop-in is back, byte for byte" cmp "$tmp/prev.before" "$tmp/prev.after"
check "the service runs as before the try: confined by the previous drop-in, a new main process" sh -c \
        "[ '$(in_ns systemctl is-active sdt-prev.service)' = active ] && [ '$(own_root sdt-prev)' = yes ] && [ '$(main_pid sdt-prev)' != '$pid0' ]"

# A stopped service stays stopped after a rollback.
in_ns systemctl stop sdt-prev.service
try sdt-prev --try=1
check "a stopped service: rolled back (3) and stopped again" sh -c "[ \$(cat '$tmp/sdt-prev.status') = 3 ] && [ '$(in_ns systemctl is-active sdt-prev.service)' != active ] && grep -q 'stopped sdt-prev.service' '$tmp/sdt-prev.out'"

# A oneshot that finishes with success holds; a service the manager restarts by itself does not.
put_unit sdt-once <<'EOT'
[Service]
Type=oneshot
ExecStart=/bin/true
EOT
try sdt-once --try=1
check "a oneshot that finished with success is kept (exit status 0)" status_is sdt-once 0
put_unit sdt-again <<'EOT'
[Service]
Environment=CONF=/run/sdt-try/app.conf
ExecStart=/bin/sh -c 'cat "$${CONF}" > /dev/null && exec sleep 1000'
Restart=on-failure
RestartSec=100ms
EOT
in_ns systemctl start sdt-again.service
try sdt-again --try=2
check "Restart=on-failure: a service restarting by itself is rolled back (exit status 3)" status_is sdt-again 3
check "and runs again unconfined" sh -c "[ '$(in_ns systemctl is-active sdt-again.service)' = active ] && [ '$(root_of sdt-again)' = / ]"

# Ctrl-C during the hold rolls back at once
put_unit sdt-int <<'EOT'
[Service]
ExecStart=/bin/sleep 1000
EOT
in_ns systemctl start sdt-int.service
in_ns "$S" apply --try=60 sdt-int.service > "$tmp/sdt-int.out" 2>&1 &
job_pid=$!
for i in $(seq 1 100); do
        in_ns test -e "$(dropin sdt-int)" && grep -q 'trying' "$tmp/sdt-int.out" && break
        sleep 0.1
done
sleep 1
# the sdconfine process below the background job (the shell, nsenter, sdconfine), by PID
sdconfine_below() {
        for p in $(pgrep -P "$1"); do
                [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sdconfine ] && { echo "$p"; return 0; }
                sdconfine_below "$p" && return 0
        done
        return 1
}
child=$(sdconfine_below "$job_pid")
[ -n "$child" ] && kill -INT "$child"
wait "$job_pid"
echo $? > "$tmp/sdt-int.status"
sed 's/^/#   /' "$tmp/sdt-int.out"
check "Ctrl-C during the hold: rolled back (exit status 3), the drop-in removed, the service unconfined again" sh -c \
        "[ \$(cat '$tmp/sdt-int.status') = 3 ] && grep -q 'the try failed: interrupted (Ctrl-C or SIGTERM) after' '$tmp/sdt-int.out' && ! nsenter -t $SYSTEMD_PID -m -p test -e $(dropin sdt-int) && [ '$(in_ns systemctl is-active sdt-int.service)' = active ] && [ '$(root_of sdt-int)' = / ]"

# The lock-out guard: a unit that runs sdconfine on itself, as an operator's shell runs below sshd.
in_ns mkdir -p /run/sdt-guard
put_unit sdt-guard1 <<EOT
[Service]
Type=simple
ExecStart=/bin/sh -c '$S apply --restart sdt-guard1.service > /run/sdt-guard/out1 2>&1; echo \$\$? > /run/sdt-guard/status1; exec sleep 1000'
EOT
# KillMode=process, as ssh.service: the restart ends the main process only, the session lives on
put_unit sdt-guard2 <<EOT
[Service]
Type=simple
KillMode=process
ExecStart=/bin/sh -c 'if [ ! -e /run/sdt-guard/ran ]; then touch /run/sdt-guard/ran; ( $S apply --restart --try=2 --path /run/sdt-guard sdt-guard2.service > /run/sdt-guard/out2 2>&1; echo \$\$? > /run/sdt-guard/status2 ) & fi; exec sleep 1000'
EOT
in_ns systemctl start sdt-guard1.service sdt-guard2.service
wait_file() {
        for i in $(seq 1 150); do
                in_ns test -s "$1" && return 0
                sleep 0.2
        done
        return 1
}
wait_file /run/sdt-guard/status1
in_ns cat /run/sdt-guard/out1 2>&1 | sed 's/^/#   /'
check "the guard refuses apply --restart of the unit the command runs under (exit status 1)" \
        test "$(in_ns cat /run/sdt-guard/status1)" = 1
check "and says why" in_ns grep -q 'you are connected through sdt-guard1.service (this command runs below process [0-9]*, .*): restarting it confined without --try could lock you out. Use --try' /run/sdt-guard/out1
check "nothing was written" sh -c "! nsenter -t $SYSTEMD_PID -m -p test -e $(dropin sdt-guard1)"
wait_file /run/sdt-guard/status2
in_ns cat /run/sdt-guard/out2 2>&1 | sed 's/^/#   /'
check "with --try the same restart is allowed, and kept (exit status 0)" test "$(in_ns cat /run/sdt-guard/status2)" = 0
check "the unit runs confined" sh -c "[ '$(own_root sdt-guard2)' = yes ]"

# Errors in the operator's words
try sdt-good --check true
check "--check without --try is refused" sh -c "[ \$(cat '$tmp/sdt-good.status') = 2 ] && grep -q 'give it with --try' '$tmp/sdt-good.out'"
try sdt-good --try=0
check "--try=0 is refused" sh -c "[ \$(cat '$tmp/sdt-good.status') = 2 ] && grep -q 'from 1 to 3600' '$tmp/sdt-good.out'"
try sdt-good --try --no-reload
check "--try with --no-reload is refused" sh -c "[ \$(cat '$tmp/sdt-good.status') = 2 ] && grep -q 'cannot be given with --no-reload' '$tmp/sdt-good.out'"
done_testing
