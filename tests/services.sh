#!/bin/sh
# Real Debian services confined with `sdconfine apply --suggested UNIT` and nothing else, under a real
# systemd 252 in its own PID, mount and network namespace (tests/lib-systemd.sh). For each service:
#   1. unconfined, it starts and answers a real request (HTTP 200, SELECT 1, an SMTP banner, a DNS
#      answer, MQTT, a job that runs...);
#   2. `apply --suggested UNIT`, restart: it answers the same request;
#   3. its main process runs in its own root (not the manager's /) and sees no /etc/shadow;
#   4. recorded: the outcome, the drop-in's "# N bind mounts" and the start-up time of both starts;
#   5. revert and stop, whatever happened, before the next service.
# A confined step that fails prints the unit's journal and PID 1's console as TAP comments, and the line
# that says why goes into the summary table (TAP comments, and the file $SERVICES_REPORT if set).
# A service is skipped only when a package it needs is not installed.
#
# The packages (the README's test set-up and CI install the same list):
# apt-get install -y --no-install-recommends redis-server beanstalkd nginx-light lighttpd apache2 tinyproxy haproxy mariadb-server postgresql exim4-daemon-light unbound dns-root-data dnsmasq bind9-dnsutils at cron rsyslog prometheus-node-exporter munin-node memcached mosquitto mosquitto-clients fail2ban python3-systemd radicale openssh-server vsftpd curl
# (with /usr/sbin/policy-rc.d exiting 101 first where PID 1 is not systemd, so that no maintainer
# script starts a daemon on the host)
#
# Configuration: none is changed on the host. Four services get a file bound over theirs inside the
# test's mount namespace only (tests/services/): haproxy (Debian's haproxy.cfg has no frontend), cron
# (an @reboot job in /etc/cron.d), fail2ban (its Debian sshd jail needs /var/log/auth.log) and radicale
# (it listens on "localhost", which it also looks up for IPv6, and this /etc/hosts has no ::1 line).
#
# Environment: START_TIMEOUT (seconds for a start, 15), ANSWER_TIMEOUT (seconds to wait for an answer,
# 10), SERVICES (names to run, e.g. "nginx redis"; default all), SERVICES_REPORT (a file for the table).
. "${top_srcdir:-.}/tests/tap.sh"
. "${top_srcdir:-.}/tests/lib-systemd.sh"
S=$NS_BUILD/sdconfine
DATA=/run/sdt/data                  # inside the namespace: files bound over a service's configuration
FILES=$NS_SRC/tests/services        # inside the namespace: this test's own files
START_TIMEOUT=${START_TIMEOUT:-15}
ANSWER_TIMEOUT=${ANSWER_TIMEOUT:-10}
require_systemd

# name | packages it needs | unit | the request
catalogue() {
        pgver=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -n 1)
        cat <<EOF
redis|redis-server|redis-server.service|PING answers PONG
beanstalkd|beanstalkd|beanstalkd.service|stats answers OK
nginx|nginx-light curl|nginx.service|GET / answers 200
lighttpd|lighttpd curl|lighttpd.service|GET / answers 200
apache2|apache2 curl|apache2.service|GET / answers 200 (its unit runs the shell script apachectl)
tinyproxy|tinyproxy curl|tinyproxy.service|GET http://tinyproxy.stats/ through the proxy answers 200
haproxy|haproxy curl|haproxy.service|GET / on a test frontend answers 200
mariadb|mariadb-server|mariadb.service|SELECT 1 over its socket
postgresql|postgresql|postgresql@${pgver:-15}-main.service|SELECT 1 as postgres (its unit runs the Perl script pg_ctlcluster)
exim4|exim4-daemon-light|exim4.service|SMTP banner 220 (a unit made by systemd-sysv-generator)
unbound|unbound dns-root-data bind9-dnsutils|unbound.service|DNS: localhost A 127.0.0.1
dnsmasq|dnsmasq bind9-dnsutils|dnsmasq.service|DNS: localhost A 127.0.0.1 from /etc/hosts
atd|at|atd.service|a job given to at now runs
cron|cron|cron.service|an @reboot job runs
rsyslog|rsyslog|rsyslog.service|a logger message reaches /var/log/syslog
node_exporter|prometheus-node-exporter curl|prometheus-node-exporter.service|GET /metrics answers 200
munin_node|munin-node|munin-node.service|banner '# munin node at' (a Perl daemon)
memcached|memcached|memcached.service|stats answers STAT pid (its unit runs a Perl wrapper)
mosquitto|mosquitto mosquitto-clients|mosquitto.service|MQTT: a published message is received
fail2ban|fail2ban python3-systemd|fail2ban.service|fail2ban-client ping answers pong (a Python daemon)
radicale|radicale curl|radicale.service|GET / answers 200 (a Python daemon)
ssh|openssh-server|ssh.service|banner SSH-2.0
vsftpd|vsftpd|vsftpd.service|banner 220
EOF
}

tmp=$(mktemp -d) || exit 1
trap 'systemd_stop; rm -rf "$tmp"' EXIT INT TERM
check "systemd starts in its own namespaces" systemd_start "$tmp" "$build" "$src"
[ -n "$SYSTEMD_PID" ] || { done_testing; exit 0; }
check "systemd-journald runs inside" in_ns systemctl is-active --quiet systemd-journald.service
# every plain directory that tmpfiles.d declares below /run (postgresql's, haproxy's, dnsmasq's...)
run_dirs_made() {
        in_ns systemd-tmpfiles --cat-config 2>/dev/null |
                awk '$1 ~ /^[dD]!?$/ && $2 ~ /^\/run\// && $2 !~ /%/ { print $2 }' > "$tmp/run-dirs"
        [ -s "$tmp/run-dirs" ] || return 1
        while read -r d; do in_ns test -d "$d" || return 1; done < "$tmp/run-dirs"
}
check "the packages' /run directories exist (systemd-tmpfiles --create --prefix=/run)" run_dirs_made
in_ns mkdir -p "$DATA"

# --- helpers ---------------------------------------------------------------------------------------
now_ms() { echo $(($(date +%s%N) / 1000000)); }
prop() { in_ns systemctl show -p "$2" --value "$1" 2>/dev/null; }
skip_check() { # skip_check "description" "reason": a TAP check that is skipped
        n_tests=$((n_tests + 1))
        echo "ok $n_tests - $1 # SKIP $2"
}
comment() { sed 's/^/#   /'; }
tcp_line() { # tcp_line PORT REQUEST: the first line of the answer, from inside the namespace's network
        in_ns timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1; printf '$2' >&3; head -n 1 <&3" 2>/dev/null | tr -d '\r'
}
http_code() { # http_code URL [curl options]: the status of a GET
        url=$1
        shift
        in_ns timeout 5 curl -s -o /dev/null -w '%{http_code}' "$@" "$url" 2>/dev/null
}
# main_pid UNIT: its main process, or (sysv units have none) the oldest process of its control group
main_pid() {
        m=$(prop "$1" MainPID)
        if [ "${m:-0}" -gt 0 ] 2>/dev/null; then
                echo "$m"
                return
        fi
        unit_procs "$1" | head -n 1
}
# in_root PID PATH: test -e PATH in the process's root, as the namespace sees it
in_root() { in_ns test -e "/proc/$1/root$2"; }
own_root() { # the process sees another root than the manager's (another file system object), with /usr in it
        [ -n "$1" ] && in_root "$1" /usr &&
                [ "$(in_ns stat -L -c %d:%i "/proc/$1/root/")" != "$(in_ns stat -L -c %d:%i /proc/1/root/)" ]
}
no_shadow() { [ -n "$1" ] && in_ns test -d "/proc/$1/root/" && ! in_root "$1" /etc/shadow; }
# exposed PID DROPIN: which of the host's files its root shows, and the drop-in's mounts that bring them
exposed() {
        [ -n "$1" ] || { echo "no process"; return; }
        for f in /etc/shadow; do
                in_root "$1" "$f" || continue
                by=$(in_ns awk -F= -v f="$f" '$1 ~ /^Bind(ReadOnly)?Paths$/ {
                        n = split($2, w, " ")
                        for (i = 1; i <= n; i++) {
                                d = w[i]; sub(/^-/, "", d); k = split(d, p, ":"); d = (k > 1) ? p[2] : p[1]
                                if (d == "/" || f == d || index(f, d "/") == 1) printf "%s%s", (found++ ? ", " : ""), w[i]
                        }
                }' "$2" 2>/dev/null)
                printf '%s in its root (bound by: %s); ' "$f" "${by:-no mount of the drop-in}"
        done | sed 's/; $//'
        echo
}
# start_ms UNIT: what systemd measured from leaving inactive to active (ExecStartPre, namespace set-up,
# the fork or the readiness notification), in ms; "-" when it did not become active after leaving inactive
start_ms() {
        ie=$(prop "$1" InactiveExitTimestampMonotonic)
        ae=$(prop "$1" ActiveEnterTimestampMonotonic)
        if [ "${ie:-0}" -gt 0 ] && [ "${ae:-0}" -ge "$ie" ]; then
                awk -v a="$ae" -v i="$ie" 'BEGIN { printf "%.1f", (a - i) / 1000 }'
        else
                echo -
        fi
}
# repeat_ms UNIT FIRST: the median start_ms of FIRST and START_REPEATS - 1 more stop and start cycles (one
# start is noisy on a shared machine; the README's overheads are these medians)
repeat_ms() {
        list=$2
        for i in $(seq 2 "${START_REPEATS:-3}"); do
                stop_unit "$1" $also
                if defined "before_$name"; then "before_$name"; fi
                start_unit "$1" || break
                list="$list $(start_ms "$1")"
        done
        printf '%s\n' $list | grep -v '^-$' | sort -n | awk '{ a[NR] = $1 } END { print NR ? a[int((NR + 1) / 2)] : "-" }'
}
# start_unit UNIT: start it, waiting at most START_TIMEOUT seconds (a forking service whose PID file never
# shows would hold systemctl for its whole TimeoutStartSec=); 0 when it is active
start_unit() {
        in_ns timeout "$START_TIMEOUT" systemctl start "$1" > /dev/null 2>&1
        case "$(prop "$1" ActiveState)" in active|reloading) return 0 ;; esac
        return 1
}
unit_procs() { in_ns ps -eo pid=,unit= 2>/dev/null | awk -v u="$1" '$2 == u { print $1 }'; }
# stop_unit UNIT...: stop them (at once: a socket unit stopped after its service could start it again),
# kill what does not stop in time or is left behind (a sysv unit's KillMode=process leaves an exim child
# that served a connection), and reset a failed state
stop_unit() {
        in_ns timeout "$START_TIMEOUT" systemctl stop "$@" > /dev/null 2>&1 || {
                in_ns systemctl kill --signal=SIGKILL "$@" > /dev/null 2>&1
                in_ns timeout 10 systemctl stop "$@" > /dev/null 2>&1
        }
        for u; do
                for i in 1 2 3 4 5 6 7 8 9 10; do
                        [ -n "$(unit_procs "$u")" ] || break
                        in_ns systemctl kill --kill-who=all --signal=SIGKILL "$u" > /dev/null 2>&1
                        sleep 0.1
                done
                in_ns systemctl reset-failed "$u" > /dev/null 2>&1
        done
        return 0
}
stopped() { # the unit is inactive and no process of it is left
        case "$(prop "$1" ActiveState)" in inactive|failed) ;; *) return 1 ;; esac
        [ -z "$(unit_procs "$1")" ]
}
# answer NAME UNIT: poll the service's request until it succeeds (0), the unit gives up (it failed, or
# systemd restarts it), or ANSWER_TIMEOUT runs out (1); sets $answer (what came back) and $answer_ms
answer() {
        t0=$(now_ms)
        end=$((t0 + ANSWER_TIMEOUT * 1000))
        r0=$(prop "$2" NRestarts)
        answer=
        answer_ms=-
        while :; do
                if answer=$("req_$1" 2>/dev/null); then
                        answer_ms=$(($(now_ms) - started_at))
                        return 0
                fi
                case "$(prop "$2" ActiveState)/$(prop "$2" SubState)" in
                failed/* | inactive/* | */auto-restart) return 1 ;;
                esac
                [ "$(prop "$2" NRestarts)" = "$r0" ] || return 1
                [ "$(now_ms)" -lt "$end" ] || return 1
                sleep 0.1
        done
}
# mark: the journal's cursor now (its last entry), to read a unit's lines from there on
mark() { in_ns journalctl -n 0 --show-cursor --no-pager 2>/dev/null | sed -n 's/^-- cursor: //p'; }
# reason UNIT CURSOR: the journal lines, after CURSOR, that say best why the service failed: a failure of
# systemd's set-up of the unit's process ("(name)[pid]: ... Failed to set up mount namespacing"), else
# up to three different lines of the service's own that name a missing or unreadable thing (Can't
# locate, No module, not found, No such file, Permission denied, Read-only, a Python exception...), else
# its first error that is no warning, else its last line, else systemd's word on how it ended
reason() {
        in_ns journalctl -u "$1" ${2:+--after-cursor="$2"} -o short --no-pager -q 2>/dev/null | awk '
                {
                        msg = $0; sub(/^[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]+ [^ ]+ /, "", msg)
                        ident = msg; sub(/: .*/, "", ident)
                        text = msg; sub(/^[^:]*: /, "", text)
                        sub(/ \(you may need to install the [^)]*\)/, "", text)
                        sub(/ \(@INC contains:[^)]*\)/, "", text)
                        sub(/^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][ T][0-9:.,+]+ +/, "", text)   # its own time stamp
                        gsub(/  +/, " ", text)
                        if (ident ~ /^systemd\[1\]$/) {
                                if (sys == "" && text ~ /Failed at step|Can.t open PID|[Tt]imed out|status=/) sys = text
                                next
                        }
                        if (ident ~ /^\(/) { if (setup == "") setup = text; next }
                        if (text ~ /^[ \t]/ || text ~ /[Ww]arning|WARNING|LANGUAGE =|LC_ALL =|LANG =|are supported and installed|Python path configuration/) next
                        if (text ~ /Can.t locate|No module named|not found|No such file|[Cc]annot open|[Cc]ould not open|[Pp]ermission denied|Read-only file system|[Nn]ot permitted|[Uu]nable to (open|log|write|create|read|access|load)|^[A-Za-z_][A-Za-z0-9_.]*(Error|Exception): /) {
                                if (n < 3 && !(text in seen)) { seen[text] = 1; missing = missing (n ? " / " : "") text; n++ }
                        }
                        if (err == "" && text ~ /[Ee]rror|ERROR|[Ff]ail|FAIL|[Cc]an.t|[Cc]annot|[Uu]nable|[Dd]enied|[Ff]atal|FATAL|[Mm]issing|Traceback|[Ii]nvalid|OOPS/)
                                err = text
                        last = text
                }
                END {
                        if (setup != "") r = setup; else if (missing != "") r = missing; else if (err != "") r = err
                        else if (last != "") r = last; else if (sys != "") r = sys " (nothing else in the journal)"
                        else r = "nothing in the journal"
                        gsub(/\|/, "/", r)
                        print substr(r, 1, 300)
                }'
}

# --- the requests, one per service: print what came back, return 0 when it is the right answer --------
req_redis() { a=$(in_ns timeout 5 redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null); echo "$a"; [ "$a" = PONG ]; }
req_beanstalkd() { a=$(tcp_line 11300 'stats\r\n'); echo "$a"; [ "${a%% *}" = OK ]; }
req_http80() { a=$(http_code http://127.0.0.1/); echo "HTTP $a"; [ "$a" = 200 ]; }
req_nginx() { req_http80; }
req_lighttpd() { req_http80; }
req_apache2() { req_http80; }
req_tinyproxy() { a=$(http_code http://tinyproxy.stats/ -x http://127.0.0.1:8888); echo "HTTP $a"; [ "$a" = 200 ]; }
req_haproxy() {
        a=$(in_ns timeout 5 curl -s -w ' %{http_code}' http://127.0.0.1:8081/ 2>/dev/null)
        echo "$a"
        [ "$a" = "haproxy answers 200" ]
}
req_mariadb() { a=$(in_ns timeout 5 mysql -N -B -e 'SELECT 1' 2>&1 | head -n 1); echo "$a"; [ "$a" = 1 ]; }
req_postgresql() {
        a=$(in_ns timeout 5 runuser -u postgres -- psql -At -c 'SELECT 1' 2>&1 | head -n 1)
        echo "$a"
        [ "$a" = 1 ]
}
req_smtp25() { a=$(tcp_line 25 'QUIT\r\n'); echo "$a"; [ "${a%% *}" = 220 ]; }
req_exim4() { req_smtp25; }
req_dns() {
        a=$(in_ns timeout 5 dig +time=2 +tries=1 +short @127.0.0.1 localhost A 2>/dev/null | head -n 1)
        echo "$a"
        [ "$a" = 127.0.0.1 ]
}
req_unbound() { req_dns; }
req_dnsmasq() { req_dns; }
# atd, cron and rsyslog leave a trace in the service's own root: read it through /proc/PID/root
marker_seen() { # marker_seen UNIT PATH
        m=$(main_pid "$1")
        [ -n "$m" ] && in_root "$m" "$2" && echo "$2 is there"
}
# the jobs use shell builtins only: a confined scheduler's jobs see only the commands of its closure
# at wakes atd with SIGHUP to the PID in /run/atd.pid; a confined atd writes it in its root's own /run, which
# at cannot see, so atd would run the job only when it next wakes by itself (up to a minute): wake it as at would
send_atd() {
        echo "echo ok > /tmp/sdconfine-at-marker" | in_ns timeout 5 at now > /dev/null 2>&1
        m=$(main_pid atd.service)
        [ -z "$m" ] || in_ns kill -HUP "$m"
}
req_atd() { marker_seen atd.service /tmp/sdconfine-at-marker; }
req_cron() { marker_seen cron.service /tmp/sdconfine-cron-marker; }
send_rsyslog() {
        syslog_marker="sdconfine-test-$$-$(date +%s%N)"
        in_ns timeout 5 logger -t sdconfine-test "$syslog_marker"
}
req_rsyslog() {
        m=$(main_pid rsyslog.service)
        [ -n "$m" ] && in_ns timeout 5 grep -qF "$syslog_marker" "/proc/$m/root/var/log/syslog" &&
                echo "the message is in /var/log/syslog"
}
req_node_exporter() { a=$(http_code http://127.0.0.1:9100/metrics); echo "HTTP $a"; [ "$a" = 200 ]; }
req_munin_node() { a=$(tcp_line 4949 'quit\n'); echo "$a"; case "$a" in "# munin node at "*) ;; *) return 1 ;; esac; }
req_memcached() { a=$(tcp_line 11211 'stats\r\n'); echo "$a"; case "$a" in "STAT pid "*) ;; *) return 1 ;; esac; }
req_mosquitto() {
        msg="sdconfine-$(date +%s%N)"
        in_ns timeout 5 mosquitto_pub -h 127.0.0.1 -q 1 -r -t sdconfine/test -m "$msg" 2>/dev/null || return 1
        a=$(in_ns timeout 5 mosquitto_sub -h 127.0.0.1 -t sdconfine/test -C 1 -W 3 2>/dev/null)
        echo "received $a"
        [ "$a" = "$msg" ]
}
req_fail2ban() { a=$(in_ns timeout 5 fail2ban-client ping 2>&1 | tail -n 1); echo "$a"; [ "$a" = "Server replied: pong" ]; }
req_radicale() { a=$(http_code http://127.0.0.1:5232/ -L); echo "HTTP $a"; [ "$a" = 200 ]; }
req_ssh() { a=$(tcp_line 22 ''); echo "$a"; case "$a" in SSH-2.0-*) ;; *) return 1 ;; esac; }
req_vsftpd() { a=$(tcp_line 21 'QUIT\r\n'); echo "$a"; [ "${a%% *}" = 220 ]; }

# --- set-up inside the namespace only (bound files), and what to do before each start ---------------
bind_over() { # bind_over FILE_IN_DATA TARGET
        in_ns chmod 644 "$DATA/$1" && in_ns mount --bind "$DATA/$1" "$2"
}
setup_haproxy() {
        in_ns sh -c "cat /etc/haproxy/haproxy.cfg '$FILES/haproxy-frontend.cfg' > '$DATA/haproxy.cfg'" &&
                bind_over haproxy.cfg /etc/haproxy/haproxy.cfg
}
teardown_haproxy() { in_ns umount /etc/haproxy/haproxy.cfg; }
setup_cron() {
        in_ns sh -c "mkdir -p '$DATA/cron.d' && cp -a /etc/cron.d/. '$DATA/cron.d/' &&
                cp '$FILES/cron-reboot' '$DATA/cron.d/sdconfine-test' && chmod 644 '$DATA/cron.d/sdconfine-test' &&
                mount --bind '$DATA/cron.d' /etc/cron.d"
}
teardown_cron() { in_ns umount /etc/cron.d; }
before_cron() { in_ns rm -f /run/crond.reboot /tmp/sdconfine-cron-marker; }
before_atd() { in_ns rm -f /tmp/sdconfine-at-marker; }
setup_fail2ban() {
        in_ns cp "$FILES/fail2ban-jail.conf" "$DATA/fail2ban-jail.conf" &&
                bind_over fail2ban-jail.conf /etc/fail2ban/jail.d/defaults-debian.conf
}
teardown_fail2ban() { in_ns umount /etc/fail2ban/jail.d/defaults-debian.conf; }
setup_radicale() {
        in_ns sh -c "sed 's/^\[server\]\$/[server]\nhosts = 127.0.0.1:5232/' /etc/radicale/config > '$DATA/radicale.conf'" &&
                bind_over radicale.conf /etc/radicale/config
}
teardown_radicale() { in_ns umount /etc/radicale/config; }
# syslog.socket starts syslog.service, an alias that `systemctl enable rsyslog` makes (the host has it; the
# test manager's /etc/systemd/system is empty)
setup_rsyslog() { in_ns systemctl enable rsyslog.service; }
teardown_rsyslog() { in_ns systemctl disable rsyslog.service; }
also_rsyslog=syslog.socket          # units to stop with the service
defined() { command -v "$1" > /dev/null 2>&1; }

# --- one service --------------------------------------------------------------------------------------
report=$tmp/table
: > "$report"
row() { printf '%s | %s | %s | %s | %s | %s\n' "$@" >> "$report"; }

run_service() { # NAME PACKAGES UNIT REQUEST
        name=$1 pkgs=$2 unit=$3 what=$4
        missing=
        for p in $pkgs; do dpkg -s "$p" > /dev/null 2>&1 || missing="$missing $p"; done
        if [ -n "$missing" ]; then
                skip_check "$name: $what" "package(s)$missing not installed"
                row "$name" skip - - - "not installed:$missing"
                return
        fi
        echo "# --- $name ($unit): $what"
        service_t0=$(now_ms)
        eval "also=\${also_$name:-}"
        stop_unit "$unit" $also
        in_ns "$S" revert "$unit" > /dev/null 2>&1
        setup_ok=yes
        if defined "setup_$name"; then "setup_$name" > "$tmp/setup" 2>&1 || setup_ok=no; fi
        [ "$setup_ok" = yes ] || { echo "# $name: its set-up failed:"; comment < "$tmp/setup"; }

        # 1. unconfined
        if defined "before_$name"; then "before_$name"; fi
        since=$(mark)
        started_at=$(now_ms)
        start_unit "$unit"
        up=$?
        u_ms=$(start_ms "$unit")
        check "$name: starts unconfined" test "$up" = 0
        if defined "send_$name"; then "send_$name"; fi
        answer "$name" "$unit"
        ok_u=$?
        echo "# $name unconfined: '$answer' after $answer_ms ms (systemd: active $u_ms ms after leaving inactive)"
        check "$name: answers unconfined: $what" test "$ok_u" = 0
        [ "$ok_u" != 0 ] || u_ms=$(repeat_ms "$unit" "$u_ms")
        if [ "$ok_u" != 0 ]; then
                echo "# $name: the unconfined service does not answer; its journal:"
                unit_log "$unit"
                for c in "applies --suggested" "starts confined" "answers confined" "runs in its own root" \
                        "has no /etc/shadow in its root"; do
                        skip_check "$name: $c" "the service does not answer unconfined"
                done
                row "$name" "FAIL unconfined" - "$u_ms" - "unconfined: $(reason "$unit" "$since")"
                stop_unit "$unit" $also
                if defined "teardown_$name"; then "teardown_$name" > /dev/null 2>&1; fi
                check "$name: stops" stopped "$unit"
                return
        fi

        # 2. confined, with the suggestions and nothing else
        in_ns "$S" apply --suggested "$unit" > "$tmp/apply" 2>&1
        applied=$?
        comment < "$tmp/apply"
        dropin=/etc/systemd/system/$unit.d/50-confinement.conf
        check "$name: applies --suggested" sh -c "test $applied = 0 && nsenter -t $SYSTEMD_PID -m -- test -f '$dropin'"
        # its header: "# N bind mounts" (and maybe "(D directories bound whole, exposing F more files)")
        mounts=$(in_ns awk '$1 == "#" && $2 ~ /^[0-9]+$/ && $3 == "bind" && $4 ~ /^mounts?$/ { print $2; exit }' "$dropin" 2>/dev/null)
        mounts=${mounts:--}
        echo "# $name: the drop-in's $(in_ns grep -m 1 'bind mount' "$dropin" 2>/dev/null | sed 's/^# //')"
        stop_unit "$unit" $also
        if defined "before_$name"; then "before_$name"; fi
        since=$(mark)
        started_at=$(now_ms)
        start_unit "$unit"
        up=$?
        c_ms=$(start_ms "$unit")
        check "$name: starts confined" test "$up" = 0
        ok_c=1
        if [ "$up" = 0 ]; then
                if defined "send_$name"; then "send_$name"; fi
                answer "$name" "$unit"
                ok_c=$?
                echo "# $name confined: '$answer' after $answer_ms ms (systemd: active $c_ms ms after leaving inactive; $mounts bind mounts)"
        fi
        check "$name: answers confined: $what" test "$ok_c" = 0
        pid=$(main_pid "$unit")
        own=1
        own_root "$pid" && own=0
        shadow=1
        no_shadow "$pid" && shadow=0
        check "$name: runs in its own root (not the manager's)" test "$own" = 0
        check "$name: has no /etc/shadow in its root" test "$shadow" = 0
        [ "$ok_c" != 0 ] || c_ms=$(repeat_ms "$unit" "$c_ms")
        if [ "$up" = 0 ] && [ "$ok_c" = 0 ] && [ "$own" = 0 ] && [ "$shadow" = 0 ]; then
                outcome=pass
                why=
        else
                if [ "$up" != 0 ]; then
                        outcome="FAIL start"
                elif [ "$ok_c" != 0 ]; then
                        outcome="FAIL answer"
                elif [ "$own" != 0 ]; then
                        outcome="FAIL not confined"
                else
                        outcome="FAIL shadow"
                fi
                case "$outcome" in
                "FAIL not confined" | "FAIL shadow")
                        why=$(exposed "$pid" "$dropin")
                        echo "# $name: confined: $outcome: $why"
                        ;;
                *)
                        why=$(reason "$unit" "$since")
                        [ "$outcome" = "FAIL answer" ] &&
                                why="no answer ('$(echo "$answer" | sed -e 's/^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9:.,]* *//' -e 's/  */ /g')'): $why"
                        echo "# $name: confined: $outcome: $why; the unit's journal:"
                        unit_log "$unit"
                        ;;
                esac
        fi
        row "$name" "$outcome" "$mounts" "$u_ms" "$c_ms" "$why"

        # 3. revert and stop
        in_ns "$S" revert "$unit" > "$tmp/revert" 2>&1
        reverted=$?
        stop_unit "$unit" $also
        if defined "teardown_$name"; then "teardown_$name" > /dev/null 2>&1; fi
        check "$name: reverts (no drop-in left) and stops (no process left)" reverted_and_stopped "$unit"
        reverted_and_stopped "$unit" || {
                echo "# $name: after revert and stop: revert exit $reverted, state $(prop "$unit" ActiveState)/$(prop "$unit" SubState), processes: $(unit_procs "$unit" | tr '\n' ' ')"
                comment < "$tmp/revert"
        }
        echo "# $name took $(($(now_ms) - service_t0)) ms"
}
reverted_and_stopped() {
        [ "$reverted" = 0 ] && ! in_ns test -e "$dropin" && stopped "$1"
}

sysv_generated() {
        [ "$(prop "$1" SourcePath)" = "/etc/init.d/${1%.service}" ] &&
                case "$(prop "$1" FragmentPath)" in /run/systemd/generator*) true ;; *) false ;; esac
}

catalogue > "$tmp/catalogue"
while IFS='|' read -r name pkgs unit what; do
        case " ${SERVICES:-$name} " in *" $name "*) ;; *) continue ;; esac
        # exim4: Debian 12 ships only /etc/init.d/exim4, so its unit is systemd-sysv-generator's
        if [ "$name" = exim4 ] && dpkg -s exim4-daemon-light > /dev/null 2>&1; then
                check "exim4: its unit is made by systemd-sysv-generator from /etc/init.d/exim4" sysv_generated exim4.service < /dev/null
        fi
        run_service "$name" "$pkgs" "$unit" "$what" < /dev/null
done < "$tmp/catalogue"

# --- the summary -----------------------------------------------------------------------------------------
pass=$(grep -c ' | pass | ' "$report")
total=$(grep -vc ' | skip | ' "$report")
{
        echo "service | outcome | mounts | unconfined ms | confined ms | reason"
        cat "$report"
} > "$tmp/summary"
echo "# $pass of $total services answer confined (ms: systemd's start, from leaving inactive to active)"
sed 's/^/# /' "$tmp/summary"
[ -z "${SERVICES_REPORT:-}" ] || cp "$tmp/summary" "$SERVICES_REPORT"
done_testing
