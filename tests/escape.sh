#!/bin/sh
# Confinement that holds (issue 12): tests/escape-probe, run as a confined Type=oneshot service under the
# real systemd, tries every way out of its root a reviewer would try (/proc/PID/root, cwd and fds of other
# processes, pidfd_getfd, setns(), chroot walks, open_by_handle_at, a fresh procfs, mknod of the disk,
# ptrace, process_vm_readv, a user namespace of its own, PID 1's private socket) to read the host's
# /etc/shadow, or a world-readable marker left on the host for services that are not root. Controls
# first: unconfined, the probe must escape (else it sees nothing and the test is worthless), and so must a
# confined root service whose drop-in is widened again by a drop-in after ours (the hardening is what
# holds). Then, in both modes, for root --suggested, root with the defaults, User=nobody and
# DynamicUser=yes: the probe ran to its end and no way reports ESCAPED. Every report is printed.
. "${top_srcdir:-.}/tests/tap.sh"
. "${top_srcdir:-.}/tests/lib-systemd.sh"
S=$NS_BUILD/sdconfine
PROBE=${ESCAPE_PROBE:-$build/tests/escape-probe}
MARKER=/var/lib/sdconfine-escape-marker
[ "$(id -u)" = 0 ] || skip_all "needs root (a real systemd in a PID namespace)"
command -v unshare >/dev/null 2>&1 || skip_all "unshare is missing (util-linux)"
[ -x "$PROBE" ] || skip_all "the probe $PROBE is missing (built by make check; or ESCAPE_PROBE=PATH)"
require_systemd
tmp=$(mktemp -d) || exit 1
cleanup() {
        systemd_stop
        # StateDirectory= lives on the shared /var/lib
        rm -rf /var/lib/sdt-esc-* /var/lib/private/sdt-esc-* "$MARKER" "$tmp"
}
trap '[ -n "${KEEP:-}" ] || cleanup' EXIT INT TERM
rm -rf /var/lib/sdt-esc-* /var/lib/private/sdt-esc-*
# on the host's disk, outside every root; readable by anyone, so an escape of nobody shows too
printf 'sdconfine-escape-marker %s\n' "$$" > "$MARKER" && chmod 644 "$MARKER"
check "systemd starts in its own PID namespace" systemd_start "$tmp" "$build" "$src"
[ -n "$SYSTEMD_PID" ] || { done_testing; exit 0; }
in_ns sh -c 'cat > /run/sdt-escape-probe && chmod 755 /run/sdt-escape-probe' < "$PROBE"

# unit N EXTRA: the probe as the oneshot service sdt-esc-N
unit() {
        in_ns sh -c "printf '[Service]\nType=oneshot\nStateDirectory=sdt-esc-%s\n%s\n%b' '$1' \
                'ExecStart=/run/sdt-escape-probe' '$2' > /run/systemd/system/sdt-esc-$1.service"
        in_ns systemctl daemon-reload
}
# run N: start it; its report (DynamicUser=: below /var/lib/private) lands in $tmp/N, empty without one
run() {
        in_ns systemctl start "sdt-esc-$1.service" >> "$tmp/$1.log" 2>&1
        in_ns sh -c "cat /var/lib/private/sdt-esc-$1/report 2>/dev/null || cat /var/lib/sdt-esc-$1/report" \
                > "$tmp/$1" 2>> "$tmp/$1.log"
}
# apply N ARGS...: confine sdt-esc-N, what it says into the log
apply() {
        n_=$1
        shift
        in_ns "$S" apply "$@" "sdt-esc-$n_.service" >> "$tmp/$n_.log" 2>&1
}
# it ran to its end: a service that failed to start, or a probe that died, did not hold anything
ran() { head -n 1 "$tmp/$1" | grep -q '^probe ran uid=' && [ "$(tail -n 1 "$tmp/$1")" = "probe done" ]; }
escaped() { grep -q '^[^ ]* ESCAPED ' "$tmp/$1"; }
held() { ran "$1" && ! escaped "$1"; }
keys='PrivateUsers|CapabilityBoundingSet|SystemCallFilter|ProtectProc|ProcSubset|NoNewPrivileges'
keys="$keys|RestrictNamespaces|MountAPIVFS|PrivateDevices|User|DynamicUser"
# show N WHAT: the drop-ins' settings that matter here, the report, and why it did not run, as comments
show() {
        echo "# $2: the drop-in says"
        in_ns sh -c "cat /etc/systemd/system/sdt-esc-$1.service.d/*.conf 2>/dev/null" | grep -E "^($keys)=" |
                sed 's/^/#   /'
        echo "# $2: report"
        sed 's/^/#   /' "$tmp/$1"
        if ! ran "$1"; then
                sed 's/^/#   /' "$tmp/$1.log"
                unit_log "sdt-esc-$1.service"
        fi
}

# control: unconfined, a root service escapes (by a plain open, if nothing else)
unit 0 ''
run 0
show 0 "control, unconfined root"
check "control, unconfined root: the probe ran" ran 0
check "control, unconfined root: the probe sees an escape" escaped 0
if ! escaped 0; then
        echo "Bail out! no escape reported even unconfined: the probe cannot see one, the test proves nothing"
        exit 1
fi
# a way that does not escape even unconfined proves nothing by holding below (here, e.g., the kernel may
# refuse raw disk reads to root itself): say which
blind=$(grep -v -e '^probe ' -e '^context ' -e '^syscall-' -e '^mount-tmpfs ' -e ' ESCAPED ' "$tmp/0" |
        cut -d ' ' -f 1 | tr '\n' ' ')
echo "# blind here (no escape even unconfined): $blind"

# control: root --suggested, then a drop-in after ours giving back CAP_SYS_ADMIN, CAP_DAC_READ_SEARCH and
# CAP_SYS_PTRACE and resetting the system call filter: what holds is that hardening
unit w ''
apply w --suggested --mode full-apivfs
in_ns sh -c 'printf "[Service]\n%s\nSystemCallFilter=\n" \
        "CapabilityBoundingSet=CAP_SYS_ADMIN CAP_DAC_READ_SEARCH CAP_SYS_PTRACE" \
        > /etc/systemd/system/sdt-esc-w.service.d/60-widen.conf && systemctl daemon-reload'
run w
show w "control, root --suggested widened by 60-widen.conf"
check "control, widened drop-in: the probe ran" ran w
check "control, widened drop-in: the probe escapes (the hardening is what holds)" escaped w

n=0
for mode in full-apivfs chroot-only; do
        for who in "root --suggested" "root default" "User=nobody" "DynamicUser=yes"; do
                n=$((n + 1))
                case $who in
                        "root --suggested") extra='' args=--suggested ;;
                        "root default") extra='' args= ;;
                        *) extra="$who\\n" args=--suggested ;;
                esac
                unit "$n" "$extra"
                check "$mode, $who: apply ${args:+$args }--mode $mode" apply "$n" $args --mode "$mode"
                run "$n"
                show "$n" "$mode, $who"
                check "$mode, $who: the confined probe ran to its end" ran "$n"
                check "$mode, $who: no way out of the root" held "$n"
                if ran "$n" && escaped "$n"; then
                        grep '^[^ ]* ESCAPED ' "$tmp/$n" | sed "s/^/# ESCAPED in $mode, $who: /"
                fi
        done
done
done_testing
