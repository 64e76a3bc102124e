#!/bin/sh
# From one host to a fleet: 'sdconfine export --ansible' writes a role and a playbook, and Debian's own
# ansible-playbook runs it (connection local, inside a real systemd 252 in its own namespaces:
# tests/lib-systemd.sh) against a real service, redis-server:
#   1. tuned on "one host" (apply --suggested), exported as a role, reverted;
#   2. --check --diff shows the change and writes nothing, restarts nothing;
#   3. the first run confines it (changed) and it answers PING;
#   4. a second run reports changed=0;
#   5. a profile that breaks the service (ExecStartPre=/bin/false) fails in the handler, is rolled back
#      (the previous drop-in stays) and the service still answers;
#   6. a profile for a unit that does not exist fails its task with sdconfine's message.
# The role installs nothing here (sdconfine_install=none: tests/deb.sh covers the package); it runs the
# build tree's sdconfine.
. "${top_srcdir:-.}/tests/tap.sh"
. "${top_srcdir:-.}/tests/lib-systemd.sh"
S=$NS_BUILD/sdconfine
U=redis-server.service
DROPIN=/etc/systemd/system/$U.d/50-confinement.conf
require_systemd
command -v ansible-playbook >/dev/null || skip_all "ansible-playbook is missing (apt-get install ansible)"
command -v redis-cli >/dev/null && [ -f /lib/systemd/system/$U ] ||
        skip_all "redis-server is not installed (apt-get install --no-install-recommends redis-server)"

tmp=$(mktemp -d)
trap 'systemd_stop; rm -rf "$tmp"' EXIT
if ! systemd_start "$tmp" "$build" "$src"; then
        echo "not ok 1 - systemd 252 starts in its namespace"
        sed 's/^/# /' "$tmp/unshare.log"
        echo "1..1"
        exit 1
fi

# everything below runs inside the namespace, where /tmp is the test's own
W=/tmp/fleet
in_ns mkdir -p $W/ansible-tmp
# ansible-playbook [ARGS...]: the play against this "host", output in $tmp/play.out, status returned
play() {
        dir=$1
        shift
        in_ns env ANSIBLE_NOCOLOR=1 ANSIBLE_LOCAL_TEMP=$W/ansible-tmp ANSIBLE_REMOTE_TEMP=$W/ansible-tmp \
                ANSIBLE_HOME=$W/ansible-home ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
                ansible-playbook -i 'localhost,' -c local -e sdconfine_install=none -e sdconfine_command=$S \
                -e sdconfine_become=false -e sdconfine_try_seconds=3 "$@" "$dir/site.yml" >"$tmp/play.out" 2>&1
}
show_play() { sed 's/^/#   /' "$tmp/play.out" | tail -n "${1:-40}"; }
recap() { grep -E '^localhost +:' "$tmp/play.out"; }
recap_has() { recap | grep -q "$1"; }
answers() { [ "$(in_ns timeout 5 redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }
wait_answer() {
        for i in $(seq 1 50); do
                answers && return 0
                sleep 0.2
        done
        return 1
}
main_pid() { in_ns systemctl show -P MainPID $U; }
confined_root() { # the main process runs in its own root, not the manager's /, and sees no /etc/shadow
        pid=$(main_pid)
        [ "${pid:-0}" -gt 0 ] &&
                [ "$(in_ns stat -L -c %d:%i "/proc/$pid/root/")" != "$(in_ns stat -L -c %d:%i /proc/1/root/)" ] &&
                ! in_ns test -e "/proc/$pid/root/etc/shadow"
}
no_dropin() { ! in_ns test -e $DROPIN; }
dropin_is_tuned() { [ -n "$tuned" ] && [ "$(in_ns cat $DROPIN)" = "$tuned" ]; }
recap_changed() { recap | grep -qE 'changed=[1-9]'; }
reverted() { no_dropin && wait_answer; }
diff_shown() { grep -q '+RootDirectory=/run/sdconfine/host/var/lib/sdconfine/root/' "$tmp/play.out" && grep -q '+BindPaths=/var/lib/redis' "$tmp/play.out"; }

in_ns systemctl start $U
check "unconfined, $U starts and answers PING" wait_answer

# 1. tune on one host, export the role from the installed confinement, revert
in_ns $S apply --suggested $U >"$tmp/apply.out" 2>&1
check "apply --suggested $U (tuning on one host)" in_ns test -f $DROPIN
in_ns $S export --ansible $W/role $U >"$tmp/export.out" 2>&1
status=$?
check "export --ansible writes a role" test $status -eq 0
[ $status -eq 0 ] || sed 's/^/#   /' "$tmp/export.out"
check "the role has site.yml, tasks, defaults, handlers and files/profile.json" in_ns sh -c "
        cd $W/role && test -f site.yml && test -f roles/sdconfine/tasks/main.yml &&
        test -f roles/sdconfine/defaults/main.yml && test -f roles/sdconfine/handlers/main.yml &&
        test -f roles/sdconfine/files/profile.json"
check "the role uses standard modules only (ansible.builtin.*)" in_ns sh -c "
        ! grep -hE '^ *[a-z_]+\\.[a-z_]+\\.[a-z_]+:' $W/role/roles/sdconfine/*/main.yml | grep -v 'ansible\\.builtin\\.'"
check "the profile holds the tuned settings of $U (what apply --suggested accepted)" in_ns sh -c "
        grep -q '\"$U\"' $W/role/roles/sdconfine/files/profile.json &&
        grep -q '\"state\"' $W/role/roles/sdconfine/files/profile.json"
tuned=$(in_ns cat $DROPIN)
in_ns $S revert $U >/dev/null 2>&1
in_ns systemctl restart $U
check "reverted: no drop-in, $U answers again unconfined" reverted

play $W/role --syntax-check
check "ansible-playbook --syntax-check accepts the playbook" test $? -eq 0

# 2. --check --diff: the change is shown, nothing is written, nothing restarted
pid_before=$(main_pid)
play $W/role --check --diff
status=$?
check "--check --diff runs (exit 0)" test $status -eq 0
check "--check --diff reports the change (changed=1)" recap_has 'changed=1 '
check "--check --diff shows the drop-in's diff (+RootDirectory=, +BindPaths=/var/lib/redis)" diff_shown
check "--check --diff wrote nothing (no drop-in)" no_dropin
check "--check --diff restarted nothing (the same main process)" test "$(main_pid)" = "$pid_before"
[ $status -eq 0 ] || show_play

# 3. the first run confines it
play $W/role
status=$?
check "the first run succeeds (exit 0)" test $status -eq 0
check "the first run reports changes (the import and its handler)" recap_changed
check "the handler imported with --try: 'Import the sdconfine profile' changed" \
        grep -q 'RUNNING HANDLER \[sdconfine : Import the sdconfine profile\]' "$tmp/play.out"
check "the drop-in is the one tuned on the first host" dropin_is_tuned
check "$U is confined: its main process has its own root, without /etc/shadow" confined_root
check "confined, $U answers PING" wait_answer
[ $status -eq 0 ] || show_play
recap | sed 's/^/# first run: /'

# 4. the second run changes nothing
pid_before=$(main_pid)
play $W/role
status=$?
check "the second run succeeds (exit 0)" test $status -eq 0
check "the second run reports changed=0" recap_has 'changed=0 '
check "the second run restarted nothing" test "$(main_pid)" = "$pid_before"
recap | sed 's/^/# second run: /'

# 5. a profile that breaks the service: the handler's try fails and rolls back on this host
in_ns $S export --ansible $W/broken --suggested --set ExecStartPre=/bin/false $U >/dev/null 2>&1
play $W/broken
status=$?
check "a breaking profile fails the play on this host (exit $status)" test $status -ne 0
check "it fails in the handler, saying the try failed and was rolled back" sh -c "
        grep -q 'RUNNING HANDLER \[sdconfine : Import the sdconfine profile\]' '$tmp/play.out' &&
        grep -q 'the try failed' '$tmp/play.out' && grep -q 'rolled back' '$tmp/play.out'"
check "rolled back: the previous drop-in is in place" dropin_is_tuned
check "rolled back: $U answers PING" wait_answer
recap | sed 's/^/# breaking profile: /'
grep -A12 'RUNNING HANDLER' "$tmp/play.out" | sed 's/^/#   /'

# 6. a unit that does not exist: its task fails with sdconfine's message
in_ns $S export --ansible $W/missing --mode full-apivfs sdt-no-such-unit.service >/dev/null 2>&1
play $W/missing
status=$?
check "a profile for a missing unit fails the play (exit $status)" test $status -ne 0
check "the failed task is the check, with sdconfine's message (not-found)" sh -c "
        grep -A3 'TASK \[sdconfine : Stop where the profile cannot be applied' '$tmp/play.out' |
                grep -q 'sdt-no-such-unit.service is not-found'"
check "the recap counts it failed=1" recap_has 'failed=1 '
grep -E 'fatal|not-found' "$tmp/play.out" | head -n 3 | sed 's/^/# missing unit: /'

in_ns $S revert $U >/dev/null 2>&1
in_ns systemctl stop $U
done_testing
