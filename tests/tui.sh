#!/bin/sh
# The TUI end to end, driven by a private tmux server (own socket and TMUX_TMPDIR, no config): list,
# filter, open, the four views, settings changes, apply and revert against a real systemd, help, resize,
# a terminal too small, TERM values operators have, the ASCII fallback, no CPU when idle.
. "${top_srcdir:-.}/tests/tap.sh"
. "${top_srcdir:-.}/tests/lib-systemd.sh"
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed (apt-get install tmux)"
build=$(cd "$(dirname "${SDCONFINE:-./sdconfine}")" && pwd)
src=$(cd "${top_srcdir:-.}" && pwd)
why=$(systemd_can_run) || skip_all "needs a real systemd in a PID namespace: $why"
tmp=$(mktemp -d) || exit 1
export TMUX_TMPDIR="$tmp/tmux"
mkdir -p "$TMUX_TMPDIR"
T="tmux -L sdconfine-test -f /dev/null"
exec 3>&1 # wait_for shows the screen it gave up on
trap '$T kill-server 2>/dev/null; systemd_stop; rm -rf "$tmp"' EXIT INT TERM
systemd_start "$tmp" "$build" "$src" || { echo "1..0 # SKIP systemd did not start"; exit 0; }
S="nsenter -t $SYSTEMD_PID -m -p -n -- $NS_BUILD/sdconfine"

screen() { $T capture-pane -p -t "$1"; }
# wait_for SESSION REGEX [SECONDS]: poll the screen instead of sleeping blindly
wait_for() {
        i=0
        while [ $i -lt $((${3:-5} * 20)) ]; do
                screen "$1" | grep -q -- "$2" && return 0
                sleep 0.05
                i=$((i + 1))
        done
        screen "$1" | sed "s/^/# | /" >&3
        return 1
}
keys() { s=$1; shift; $T send-keys -t "$s" "$@"; }
start() { # start SESSION COLS LINES ENV...: the TUI in a new session
        s=$1 c=$2 l=$3
        shift 3
        $T new-session -d -s "$s" -x "$c" -y "$l" "env $* $S; sleep 100"
}

start main 80 24 TERM=xterm-256color LANG=C.UTF-8
check "80x24: the service list comes up, from the manager" wait_for main 'system services.*\[manager'
check "the list shows an installed service" wait_for main 'beanstalkd.service'
check "a function-key bar at the bottom" sh -c "$T capture-pane -p -t main | tail -1 | grep -q 'Help.*Filter.*Quit'"
keys main '?'
check "? shows the legend of the list's keys" wait_for main 'Service list'
keys main x
keys main / b e a n s
check "/ filters as you type" wait_for main 'services (1, filter "beans")'
keys main Escape
check "Esc clears the filter" wait_for main 'system services ([0-9]*)'
keys main / b e a n s t a l k d Enter
check "Enter keeps the filter" wait_for main 'filter "beanstalkd"'
keys main Enter
check "Enter opens the service: settings" wait_for main 'Mode *full-apivfs'
check "suggestions are listed with their reasons" wait_for main 'preset users: User=/Group= are set'
keys main 2
check "2: the closure tree with sizes and how each file was found" wait_for main '/usr/bin/beanstalkd.*exec'
check "the interpreter, at the path the kernel asks for (PT_INTERP)" wait_for main '/lib64/ld-linux-x86-64.so.2.*PT_INTERP'
keys main Down y
check "y tells why a file is in the closure" wait_for main 'Why: /usr/bin/beanstalkd'
keys main 3
check "3: the mounts the service will see" wait_for main 'ro /bin/sh  <- /usr/bin/dash'
keys main 4
check "4: the drop-in text" wait_for main 'RootDirectory=/run/confinement/%n'
keys main 1 m 4
check "m switches the mode; the drop-in follows" wait_for main 'MountAPIVFS=no'
keys main 1 m
keys main w
check "w asks first, naming the file" wait_for main 'Write /etc/systemd/system/beanstalkd.service.d/50-confinement.conf and reload'
keys main y
check "apply: written and reloaded" wait_for main 'Wrote /etc/systemd/system/beanstalkd.service.d/50-confinement.conf and reloaded'
check "the file is there" in_ns test -f /etc/systemd/system/beanstalkd.service.d/50-confinement.conf
check "the confined service starts" in_ns systemctl start beanstalkd.service
check "and runs in its root" sh -c "m=\$(nsenter -t $SYSTEMD_PID -m -p -- systemctl show -p MainPID --value beanstalkd.service); ! nsenter -t $SYSTEMD_PID -m -p -- test -e /proc/\$m/root/etc/os-release"
keys main 4
check "after apply the drop-in view says it is installed" wait_for main 'installed, unchanged'
keys main r
check "r asks before removing, naming the file" wait_for main '/etc/systemd/system/beanstalkd.service.d/50-confinement.conf and reload'
keys main y
check "revert: removed and reloaded" wait_for main 'Removed /etc/systemd/system/beanstalkd.service.d/50-confinement.conf'
check "the file is gone" sh -c "! nsenter -t $SYSTEMD_PID -m -p -- test -e /etc/systemd/system/beanstalkd.service.d"
keys main q
check "q goes back to the list" wait_for main 'system services'
check "the list shows a service's closure size once known" wait_for main 'beanstalkd.service.*[0-9] [KM]iB'
keys main u
check "u switches to the user's services" wait_for main 'user services'
keys main u
check "and back to the system's" wait_for main 'system services.*\[manager'

# no busy loop: the idle TUI uses no CPU time over two seconds
pid=$(pgrep -f "^$NS_BUILD/sdconfine\$" | head -1)
t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null)
sleep 2
t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null)
check "idle: no CPU time used (ticks $t0 -> $t1)" test -n "$pid" -a "$t0" = "$t1"

$T resize-window -t main -x 120 -y 40
check "resize to 120x40: redrawn" wait_for main 'system services'
$T resize-window -t main -x 40 -y 10
check "below the minimum: a clear 'terminal too small' screen" wait_for main 'Terminal too small'
$T resize-window -t main -x 80 -y 24
check "back to 80x24: the list again" wait_for main 'system services'
keys main q
check "q at the top quits" sh -c "sleep 0.5; ! pgrep -f '^$NS_BUILD/sdconfine\$' >/dev/null"

for term in xterm screen tmux linux vt100; do
        start "t-$term" 80 24 TERM=$term LANG=C.UTF-8
        check "TERM=$term: the list comes up" wait_for "t-$term" 'system services'
        keys "t-$term" q
done
start small 50 10 TERM=xterm
check "started in a small terminal: says so" wait_for small 'Terminal too small (50x10)'
start ascii 130 30 TERM=vt100 LANG=C
keys ascii / r e d i s - s e r v e r . Enter Enter 2
check "a non-UTF-8 locale draws with ASCII (wide: the real file behind a link)" wait_for ascii 'redis-server -> /usr/bin/redis-check-rdb'
# an unprivileged user: a read-only session that says so, and still offers export
$T new-session -d -s ro -x 100 -y 30 "env TERM=xterm LANG=C.UTF-8 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all $build/sdconfine --offline; sleep 100"
check "unprivileged: the title says read-only" wait_for ro 'read-only'
keys ro / b e a n s t a l k d Enter Enter
check "unprivileged: the settings say that export works, and why read-only" wait_for ro 'Read-only session, e still exports: writing /etc/systemd/system'
keys ro w
check "unprivileged: w refuses, pointing to export" wait_for ro 'Read-only session: use e to export'
start nocolor 80 24 TERM=xterm-256color NO_COLOR=1
check "NO_COLOR: starts (colours off)" wait_for nocolor 'system services'
done_testing
