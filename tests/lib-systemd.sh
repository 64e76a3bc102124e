# A real systemd for tests, in its own PID and mount namespace (sourced by the tests that need one).
# It shares the host's files, so everything it could clean or write is a private tmpfs: /run, /tmp,
# /var/tmp, /var/log/journal, /etc/systemd/system. tmpfiles and udev are masked; PID 1's console goes to
# /run/console.log inside. systemd_stop kills it by PID, also when the test fails (trap).
SYSTEMD_PID=""
# the trees the test runs from, as the host sees them (inside the namespace: NS_BUILD and NS_SRC)
build=$(cd "$(dirname "${SDCONFINE:-./sdconfine}")" && pwd)
src=$(cd "${top_srcdir:-.}" && pwd)

# skip the whole test (TAP) where no systemd can be started, saying why
require_systemd() {
        why=$(systemd_can_run) || skip_all "needs a real systemd in a PID namespace: $why"
}

systemd_can_run() {
        [ "$(id -u)" = 0 ] || { echo "not root"; return 1; }
        command -v unshare >/dev/null 2>&1 || { echo "unshare is missing (util-linux)"; return 1; }
        command -v nsenter >/dev/null 2>&1 || { echo "nsenter is missing (util-linux)"; return 1; }
        [ -x /lib/systemd/systemd ] || { echo "/lib/systemd/systemd is missing (apt-get install systemd)"; return 1; }
        unshare --pid --fork --mount --mount-proc --net true 2>/dev/null || { echo "unshare --pid --mount --net is not permitted here"; return 1; }
}

# systemd_start TMPDIR BUILDDIR SRCDIR: start it. The build and source trees are bound below /run/sdt
# inside (NS_BUILD, NS_SRC), since a tree below /tmp vanishes under the private /tmp.
NS_BUILD=/run/sdt/build
NS_SRC=/run/sdt/src
systemd_start() {
        dir=$1
        cat > "$dir/pid1.sh" <<'EOS'
#!/bin/sh
set -e
mount --make-rprivate /
# its own network: loopback only, so its services never meet the host's on a port
ip link set lo up 2>/dev/null || true
mount -t tmpfs tmpfs /run
mkdir -p /run/sdt/build /run/sdt/src
mount --bind "$2" /run/sdt/build
mount --bind "$3" /run/sdt/src
for d in /tmp /var/tmp /etc/systemd/system; do mount -t tmpfs tmpfs "$d"; done
if [ -d /var/log/journal ]; then mount -t tmpfs tmpfs /var/log/journal; fi
touch /run/console.log
mount --bind /run/console.log /dev/console
for u in systemd-tmpfiles-setup.service systemd-tmpfiles-setup-dev.service systemd-tmpfiles-clean.service \
         systemd-tmpfiles-clean.timer systemd-udevd.service systemd-udev-trigger.service systemd-udevd-control.socket \
         systemd-udevd-kernel.socket systemd-udev-settle.service; do
        ln -sf /dev/null "/etc/systemd/system/$u"
done
printf '[Unit]\nDescription=sdconfine tests\nDefaultDependencies=no\n' > /etc/systemd/system/sdconfine-test.target
exec /lib/systemd/systemd --system --unit=sdconfine-test.target
EOS
        chmod +x "$dir/pid1.sh"
        unshare --pid --fork --mount --mount-proc --net "$dir/pid1.sh" "$dir" "$2" "$3" > "$dir/unshare.log" 2>&1 &
        UNSHARE_PID=$!
        # the PID of systemd as the host sees it: the child of unshare
        for i in $(seq 1 100); do
                SYSTEMD_PID=$(pgrep -P "$UNSHARE_PID" 2>/dev/null | head -1)
                [ -n "$SYSTEMD_PID" ] && break
                sleep 0.1
        done
        [ -n "$SYSTEMD_PID" ] || return 1
        for i in $(seq 1 200); do
                state=$(in_ns systemctl is-system-running 2>/dev/null)
                case "$state" in running|degraded) return 0 ;; esac
                sleep 0.1
        done
        return 1
}

in_ns() {
        nsenter -t "$SYSTEMD_PID" -m -p -n -- "$@"
}

# put_unit NAME < UNITFILE: install /run/systemd/system/NAME.service inside and reload the manager
put_unit() {
        in_ns sh -c "cat > /run/systemd/system/$1.service; systemctl daemon-reload"
}

systemd_stop() {
        [ -n "$SYSTEMD_PID" ] && kill -9 "$SYSTEMD_PID" 2>/dev/null
        [ -n "${UNSHARE_PID:-}" ] && wait "$UNSHARE_PID" 2>/dev/null
        SYSTEMD_PID=""
}
