# A real systemd for tests, in its own PID, mount and network namespace (sourced by the tests that need
# one). It shares the host's files, so everything it could clean or write is a private tmpfs: /run, /tmp,
# /var/tmp, /var/log/journal, /etc/systemd/system, and /dev (a copy of the host's device nodes, with the
# host's /dev/pts and /dev/shm bound in: journald's socket unit makes its /dev/log link there, not in the
# host's /dev where every test manager would create and remove it under the others). tmpfiles and udev
# are masked; once it runs, systemd_start creates the packages' /run entries (systemd-tmpfiles --create
# --prefix=/run) and starts journald, so a unit's errors can be read with journalctl -u inside. PID 1's
# console goes to /run/console.log inside. systemd_stop kills it by PID, also when the test fails (trap).
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
        # one test manager at a time on this machine (they share the host's cgroups and /var/lib): the
        # next waits here, whichever checkout it runs from
        exec 8> /run/sdconfine-tests.lock
        flock 8
        # the roots' skeletons confined units get are on the host's /var/lib: those of this test go at the end
        SKELETONS_BEFORE=$(skeleton_versions)
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
# a private /dev: the host's nodes copied onto a tmpfs, its pseudo-terminals and shared memory bound
mkdir -p /run/sdt/dev
mount -t tmpfs -o mode=755,nosuid tmpfs /run/sdt/dev
cp -a --one-file-system /dev/. /run/sdt/dev/
for m in pts shm mqueue hugepages; do
        if mountpoint -q "/dev/$m"; then mkdir -p "/run/sdt/dev/$m"; mount --rbind "/dev/$m" "/run/sdt/dev/$m"; fi
done
mount --move /run/sdt/dev /dev
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
        # the lock stays with this shell: a manager left behind by a killed test must not hold it
        unshare --pid --fork --mount --mount-proc --net "$dir/pid1.sh" "$dir" "$2" "$3" > "$dir/unshare.log" 2>&1 8>&- &
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
                case "$state" in running|degraded) break ;; esac
                sleep 0.1
        done
        case "$state" in running|degraded) ;; *) return 1 ;; esac
        # the packages' /run entries (tmpfiles.d), as a booted system has them; and a journal to read
        in_ns systemd-tmpfiles --create --prefix=/run > "$dir/tmpfiles.log" 2>&1
        in_ns systemctl start systemd-journald.service > "$dir/journald.log" 2>&1 || return 1
        for i in $(seq 1 50); do
                in_ns test -S /run/systemd/journal/socket && return 0
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

# unit_log UNIT [N]: the unit's last N (30) journal lines and the tail of PID 1's console, as TAP comments
unit_log() {
        in_ns journalctl -u "$1" -n "${2:-30}" --no-pager 2>&1 | sed 's/^/#   /'
        if [ -n "$(in_ns tail -n 10 /run/console.log 2>/dev/null)" ]; then
                echo "#   -- /run/console.log:"
                in_ns tail -n 10 /run/console.log 2>&1 | sed 's/^/#   /'
        fi
}

# the versions of the roots' skeletons on the host (root-skeleton.h), one per line
skeleton_versions() { find /var/lib/sdconfine/root -mindepth 2 -maxdepth 2 2>/dev/null | sort; }

systemd_stop() {
        [ -n "$SYSTEMD_PID" ] && kill -9 "$SYSTEMD_PID" 2>/dev/null
        [ -n "${UNSHARE_PID:-}" ] && wait "$UNSHARE_PID" 2>/dev/null
        # its services are gone with it: the skeleton versions that appeared during the test go too (empty
        # mount points and links only; a version that was there before is left alone), then their unit
        # directories when nothing else is left in them
        if [ -n "$SYSTEMD_PID" ]; then
                skeleton_versions | while IFS= read -r v; do
                        printf '%s\n' "$SKELETONS_BEFORE" | grep -qxF -- "$v" && continue
                        rm -rf -- "$v"
                        rmdir -- "${v%/*}" 2>/dev/null
                done
        fi
        SYSTEMD_PID=""
        flock -u 8 2>/dev/null || true
}
