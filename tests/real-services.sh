#!/bin/sh
# Real Debian services confined under a real systemd (in its own PID, mount and network namespace): each
# starts and answers a request, and its root holds none of the host's /etc beyond what was chosen.
# The packages come from the test set-up (README): redis-server, beanstalkd, nginx-light.
. "${top_srcdir:-.}/tests/tap.sh"
. "${top_srcdir:-.}/tests/lib-systemd.sh"
S=$NS_BUILD/sdconfine
require_systemd
for p in redis-server beanstalkd nginx-light; do
        dpkg -s "$p" > /dev/null 2>&1 || skip_all "package $p is not installed (apt-get install redis-server beanstalkd nginx-light)"
done
tmp=$(mktemp -d) || exit 1
trap 'systemd_stop; rm -rf "$tmp"' EXIT INT TERM
check "systemd starts in its own namespaces" systemd_start "$tmp" "$build" "$src"
[ -n "$SYSTEMD_PID" ] || { done_testing; exit 0; }

# confined UNIT: its main process sees another root than the manager (no /etc/os-release there)
confined() {
        # Type=simple: start returns at the fork, before the namespace is set up; give it a moment
        for i in $(seq 1 40); do
                m=$(in_ns systemctl show -p MainPID --value "$1")
                [ "$m" -gt 0 ] && in_ns test -d "/proc/$m/root/usr" && ! in_ns test -e "/proc/$m/root/etc/os-release" && return 0
                sleep 0.05
        done
        return 1
}
etc_of() {
        m=$(in_ns systemctl show -p MainPID --value "$1")
        in_ns ls -A "/proc/$m/root/etc" | tr '\n' ' '
}
tcp() { # tcp PORT REQUEST: the first line of the answer, from inside the namespace's network
        in_ns timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1; printf '$2' >&3; head -n 1 <&3" 2>/dev/null | tr -d '\r'
}

# beanstalkd: nothing added, so nothing of /etc at all
in_ns "$S" apply beanstalkd.service > "$tmp/b.apply" 2>&1
check "beanstalkd: confined and started" in_ns systemctl start beanstalkd.service
check "beanstalkd: runs in its own root" confined beanstalkd.service
check "beanstalkd: answers a request (stats)" sh -c "test \"\$1\" = 'OK' || test \"\${1%% *}\" = OK" sh "$(tcp 11300 'stats\r\n')"
check "beanstalkd: its root has an empty /etc" test -z "$(etc_of beanstalkd.service)"

# redis-server: the suggestions (users, tls, resolve) and nothing else
in_ns "$S" apply --suggested redis-server.service > "$tmp/r.apply" 2>&1
sed 's/^/# /' "$tmp/r.apply"
check "redis-server: confined and started" in_ns systemctl start redis-server.service
check "redis-server: runs in its own root" confined redis-server.service
for i in $(seq 1 50); do [ "$(in_ns redis-cli -p 6379 ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
check "redis-server: answers PING" test "$(in_ns redis-cli -p 6379 ping 2>/dev/null)" = PONG
check "redis-server: SET and GET work (its state directory is writable)" sh -c "nsenter -t $SYSTEMD_PID -n -- redis-cli set k v >/dev/null && test \"\$(nsenter -t $SYSTEMD_PID -n -- redis-cli get k)\" = v"
etc=$(etc_of redis-server.service)
echo "# redis-server's /etc: $etc"
check "redis-server: no shadow, hostname, machine-id or fstab in its /etc" sh -c "! echo ' $etc' | grep -qE ' (shadow|hostname|machine-id|fstab) '"

# nginx: forking with PIDFile=/run/nginx.pid, root that drops to www-data, modules behind symlinks
in_ns "$S" apply --suggested --path /etc/nginx --path /usr/share/nginx --path /usr/lib/nginx --path /var/www/html \
        --writable /var/log/nginx --writable /var/lib/nginx nginx.service > "$tmp/n.apply" 2>&1
sed 's/^/# /' "$tmp/n.apply"
check "nginx: confined and started (its PID file found through the moved PIDFile=)" in_ns systemctl start nginx.service
check "nginx: runs in its own root" confined nginx.service
check "nginx: answers GET / with 200" test "$(tcp 80 'GET / HTTP/1.0\r\n\r\n')" = "HTTP/1.1 200 OK"
etc=$(etc_of nginx.service)
echo "# nginx's /etc: $etc"
check "nginx: no shadow, hostname, machine-id or fstab in its /etc" sh -c "! echo ' $etc' | grep -qE ' (shadow|hostname|machine-id|fstab) '"

# revert: unconfined again
in_ns "$S" revert nginx.service > /dev/null 2>&1
in_ns systemctl restart nginx.service
check "nginx after revert: unconfined (the host's root again)" sh -c "! confined() { false; }; m=\$(nsenter -t $SYSTEMD_PID -m -p -- systemctl show -p MainPID --value nginx.service); nsenter -t $SYSTEMD_PID -m -p -- test -e /proc/\$m/root/etc/os-release"
check "nginx after revert: still answers" test "$(tcp 80 'GET / HTTP/1.0\r\n\r\n')" = "HTTP/1.1 200 OK"
done_testing
