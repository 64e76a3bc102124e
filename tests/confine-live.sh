#!/bin/sh
# Confinement under a real systemd, after NixOS's systemd-confinement VM tests: both modes x (root, a static
# User=, DynamicUser=), PrivateTmp, /bin/sh default, none and custom, an extra package, an extra path and a
# symlinked one, a path only in Environment= (absent unless --full-unit), StateDirectory= across a restart,
# two template instances at once, the unit's own SystemCallFilter= still applying, and revert.
. "${top_srcdir:-.}/tests/tap.sh"
. "${top_srcdir:-.}/tests/lib-systemd.sh"
S=$NS_BUILD/sdconfine
require_systemd
tmp=$(mktemp -d) || exit 1
cleanup() {
        systemd_stop
        # StateDirectory= lives on the shared /var/lib: the test's own directories go
        rm -rf /var/lib/sdt-* /var/lib/private/sdt-* "$tmp"
}
trap '[ -n "${KEEP:-}" ] || cleanup' EXIT INT TERM
check "systemd starts in its own PID namespace" systemd_start "$tmp" "$build" "$src"
[ -n "$SYSTEMD_PID" ] || { done_testing; exit 0; }
in_ns cp "$NS_SRC/tests/confine-probe.sh" /run/sdt-probe.sh

# unit NAME EXTRA-SETTINGS: a oneshot probe service
unit() {
        in_ns sh -c "printf '[Service]\nType=oneshot\nRemainAfterExit=yes\nStateDirectory=%s\nExecStart=/bin/sh /run/sdt-probe.sh /usr/bin/id /usr/bin/ls\n%b' '$1' '$2' > /run/systemd/system/$1.service"
}
# confine NAME ARGS...: apply (with a reload) and start; the probe's report lands in $tmp/NAME
confine() {
        name=$1
        shift
        if in_ns "$S" apply "$@" "$name.service" > "$tmp/$name.apply" 2>&1 &&
                in_ns systemctl start "$name.service" 2>> "$tmp/$name.apply" &&
                in_ns cat "/var/lib/$name/probe" > "$tmp/$name"; then
                return 0
        fi
        # what went wrong, for the log
        in_ns systemctl status --no-pager "$name.service" >> "$tmp/$name.apply" 2>&1
        in_ns tail -n 20 /run/console.log >> "$tmp/$name.apply" 2>&1
        return 1
}
has() { grep -qx -- "$2" "$tmp/$1"; }

for mode in full-apivfs chroot-only; do
        for user in root static dynamic; do
                n="sdt-$mode-$user"
                case $user in
                        root) extra='' ;;
                        static) extra='User=nobody\n' ;;
                        dynamic) extra='DynamicUser=yes\n' ;;
                esac
                unit "$n" "$extra"
                in_ns systemctl daemon-reload
                check "$mode, $user: the confined service runs" confine "$n" --mode "$mode"
                [ -s "$tmp/$n" ] || { sed 's/^/# /' "$tmp/$n.apply"; continue; }
                check "$mode, $user: nothing of the host's /etc" grep -qx 'etc:' "$tmp/$n"
                check "$mode, $user: / and /usr are read-only" sh -c "grep -qx 'readonly /' '$tmp/$n' && grep -qx 'readonly /usr' '$tmp/$n'"
                check "$mode, $user: its StateDirectory= is writable" grep -qx "writable /var/lib/$n" "$tmp/$n"
                check "$mode, $user: the default /bin/sh is there" has "$n" 'exists /bin/sh'
                if [ "$mode" = full-apivfs ]; then
                        check "$mode, $user: /proc, /sys, /dev are mounted" sh -c "grep -qx 'exists /proc/self' '$tmp/$n' && grep -qx 'exists /sys/kernel' '$tmp/$n' && grep -qx 'exists /dev/null' '$tmp/$n'"
                        check "$mode, $user: a private /tmp, writable" has "$n" 'writable /tmp'
                else
                        check "$mode, $user: no /proc, /sys or /dev" sh -c "grep -qx 'absent /proc/self' '$tmp/$n' && grep -qx 'absent /sys/kernel' '$tmp/$n' && grep -qx 'absent /dev/null' '$tmp/$n'"
                        # DynamicUser= implies PrivateTmp=yes whatever the drop-in says (systemd's unit_patch_contexts)
                        if [ $user = dynamic ]; then
                                check "$mode, $user: the private /tmp DynamicUser= implies" has "$n" 'writable /tmp'
                        else
                                check "$mode, $user: no writable /tmp" has "$n" 'readonly /tmp'
                        fi
                fi
                case $user in
                        root) check "$mode, root: uid 0 inside" has "$n" 'uid=0' ;;
                        static) check "$mode, User=nobody: uid 65534 inside" has "$n" 'uid=65534' ;;
                        dynamic) check "$mode, DynamicUser=: not root inside" sh -c "! grep -qx 'uid=0' '$tmp/$n' && grep -q '^uid=[0-9]' '$tmp/$n'" ;;
                esac
        done
done

# PrivateTmp= on in chroot-only, through an override
unit sdt-ptmp ''
in_ns systemctl daemon-reload
confine sdt-ptmp --mode chroot-only --set PrivateTmp=yes && check "chroot-only with --set PrivateTmp=yes: a writable /tmp" has sdt-ptmp 'writable /tmp'

# /bin/sh: none and custom (the probe itself runs under /bin/sh, so it is named explicitly then)
in_ns sh -c "printf '[Service]\nType=oneshot\nRemainAfterExit=yes\nStateDirectory=sdt-nosh\nExecStart=/usr/bin/dash /run/sdt-probe.sh /usr/bin/id /usr/bin/ls\n' > /run/systemd/system/sdt-nosh.service; systemctl daemon-reload"
confine sdt-nosh --no-bin-sh
check "--no-bin-sh: no /bin/sh in the root" has sdt-nosh 'absent /bin/sh'
unit sdt-bash ''
in_ns systemctl daemon-reload
confine sdt-bash --bin-sh /usr/bin/bash
check "--bin-sh /usr/bin/bash: /bin/sh is bash" sh -c "in_ns() { nsenter -t $SYSTEMD_PID -m -p -- \"\$@\"; }; in_ns cat /etc/systemd/system/sdt-bash.service.d/50-confinement.conf | grep -q '^BindPaths=/run/sdconfine/host/usr/bin/bash:/usr/bin/sh\$'"
check "--bin-sh: the probe still ran" has sdt-bash 'exists /bin/sh'

# an extra package, an extra path, a symlinked path
unit sdt-extra ''
in_ns systemctl daemon-reload
confine sdt-extra --package libc-bin --path /usr/share/doc/dash --path /etc/localtime
check "--package libc-bin: its programs are there" has sdt-extra 'exists /usr/bin/iconv'
check "--path a directory: it is there" has sdt-extra 'exists /usr/share/doc/dash/copyright'
check "--path a symlink (/etc/localtime): readable at the link's path" has sdt-extra 'exists /etc/localtime'

# a path only in Environment=: absent, unless --full-unit
unit sdt-env 'Environment=DOC=/usr/share/doc/dash/copyright\n'
in_ns systemctl daemon-reload
confine sdt-env
check "a path only in Environment= is absent by default" has sdt-env 'absent /usr/share/doc/dash/copyright'
in_ns systemctl stop sdt-env.service
confine sdt-env --full-unit
check "--full-unit: the path in Environment= is there" has sdt-env 'exists /usr/share/doc/dash/copyright'

# the same path from an EnvironmentFile=: --full-unit reads the file as systemd does
in_ns sh -c "echo 'DOC=\"/usr/share/doc/dash/copyright\"' > /run/sdt-envf.env"
unit sdt-envf 'EnvironmentFile=/run/sdt-envf.env\n'
in_ns systemctl daemon-reload
confine sdt-envf --full-unit
check "--full-unit: a path set in an EnvironmentFile= is there" has sdt-envf 'exists /usr/share/doc/dash/copyright'

# StateDirectory= across a restart
put_unit sdt-state <<'EOT'
[Service]
Type=oneshot
RemainAfterExit=yes
StateDirectory=sdt-state
ExecStart=/bin/sh -c "echo run >> $STATE_DIRECTORY/runs"
EOT
in_ns "$S" apply sdt-state.service > /dev/null 2>&1
in_ns systemctl start sdt-state.service
in_ns systemctl restart sdt-state.service
check "StateDirectory= keeps its contents across a restart" test "$(in_ns cat /var/lib/sdt-state/runs 2>/dev/null | wc -l)" -eq 2

# two template instances at once, each in its own root
in_ns sh -c "printf '[Service]\nExecStart=/usr/bin/sleep infinity\n' > '/run/systemd/system/sdt-inst@.service'; systemctl daemon-reload"
in_ns "$S" apply 'sdt-inst@.service' > "$tmp/inst.apply" 2>&1
in_ns systemctl start 'sdt-inst@a.service' 'sdt-inst@b.service'
check "two template instances run at once" sh -c "test \"\$(nsenter -t $SYSTEMD_PID -m -p -- systemctl is-active 'sdt-inst@a.service' 'sdt-inst@b.service' | sort -u)\" = active"
check "each instance has its own root" in_ns test -d '/run/confinement/sdt-inst@a.service' -a -d '/run/confinement/sdt-inst@b.service'

# the unit's own hardening still applies inside
unit sdt-hard 'SystemCallFilter=~uname\nSystemCallErrorNumber=EPERM\nExecStartPost=-/bin/sh -c "/usr/bin/uname > /var/lib/sdt-hard/uname 2>&1 || echo blocked > /var/lib/sdt-hard/uname"\n'
in_ns systemctl daemon-reload
confine sdt-hard
check "the unit's SystemCallFilter= still applies when confined" sh -c "nsenter -t $SYSTEMD_PID -m -p -- cat /var/lib/sdt-hard/uname | grep -qx blocked"

# a path with a space, a colon and a percent sign, as systemd 252 parses Bind*Paths=
in_ns sh -c 'mkdir -p "/var/tmp/sdt odd:dir%x" && echo here > "/var/tmp/sdt odd:dir%x/file"'
put_unit sdt-odd <<'EOT'
[Service]
Type=oneshot
RemainAfterExit=yes
StateDirectory=sdt-odd
Environment="P=/var/tmp/sdt odd:dir%%x/file"
ExecStart=/bin/sh -c 'read line < "$P" && echo "$line" > "$STATE_DIRECTORY/odd"'
EOT
in_ns "$S" apply --path '/var/tmp/sdt odd:dir%x' sdt-odd.service > "$tmp/odd.apply" 2>&1
check "a path with a space, a colon and a %: the confined service starts" in_ns systemctl start sdt-odd.service
check "a path with a space, a colon and a %: its file is read inside" sh -c "nsenter -t $SYSTEMD_PID -m -p -- cat /var/lib/sdt-odd/odd | grep -qx here"

# a library found through DT_RUNPATH $ORIGIN/../lib: the loader opens bin/../lib/x, which systemd only
# binds normalised (it ignores a path with "..")
cat > "$tmp/origin-lib.c" <<'EOT'
const char *origin_word(void) { return "origin-ok"; }
EOT
cat > "$tmp/origin-prog.c" <<'EOT'
#include <stdio.h>
const char *origin_word(void);
int main(int argc, char **argv) {
        FILE *f = argc > 1 ? fopen(argv[1], "w") : NULL;
        return f && fprintf(f, "%s\n", origin_word()) > 0 && fclose(f) == 0 ? 0 : 1;
}
EOT
${CC:-cc} -shared -fPIC -Wl,-soname,libsdtorigin.so.1 -o "$tmp/libsdtorigin.so.1" "$tmp/origin-lib.c" &&
        ${CC:-cc} -o "$tmp/origin-prog" "$tmp/origin-prog.c" "$tmp/libsdtorigin.so.1" -Wl,-rpath,'$ORIGIN/../lib' -Wl,--enable-new-dtags
in_ns mkdir -p /var/tmp/sdt-origin/bin /var/tmp/sdt-origin/lib
in_ns sh -c 'cat > /var/tmp/sdt-origin/lib/libsdtorigin.so.1' < "$tmp/libsdtorigin.so.1"
in_ns sh -c 'cat > /var/tmp/sdt-origin/bin/prog && chmod 755 /var/tmp/sdt-origin/bin/prog' < "$tmp/origin-prog"
in_ns sh -c "printf '[Service]\nType=oneshot\nRemainAfterExit=yes\nStateDirectory=sdt-origin\nExecStart=/var/tmp/sdt-origin/bin/prog /var/lib/sdt-origin/out\n' > /run/systemd/system/sdt-origin.service; systemctl daemon-reload"
in_ns "$S" preview sdt-origin.service > "$tmp/origin.preview" 2>&1
check "a \$ORIGIN/../lib library is bound at its normalised path" grep -qx 'BindPaths=/run/sdconfine/host/var/tmp/sdt-origin/lib/libsdtorigin.so.1:/var/tmp/sdt-origin/lib/libsdtorigin.so.1' "$tmp/origin.preview"
check "no bind path holds .. (systemd would ignore it)" sh -c "! grep -q '/\.\./' '$tmp/origin.preview'"
in_ns "$S" apply sdt-origin.service > "$tmp/origin.apply" 2>&1
check "a program with a \$ORIGIN/../lib library starts confined" in_ns systemctl start sdt-origin.service
check "and its library answers inside" sh -c "nsenter -t $SYSTEMD_PID -m -p -- cat /var/lib/sdt-origin/out | grep -qx origin-ok"

# a library found only through LD_LIBRARY_PATH from an EnvironmentFile= (systemd reads the file on the host)
${CC:-cc} -o "$tmp/envlib-prog" "$tmp/origin-prog.c" "$tmp/libsdtorigin.so.1"
in_ns mkdir -p /var/tmp/sdt-envlib/bin /var/tmp/sdt-envlib/lib
in_ns sh -c 'cat > /var/tmp/sdt-envlib/lib/libsdtorigin.so.1' < "$tmp/libsdtorigin.so.1"
in_ns sh -c 'cat > /var/tmp/sdt-envlib/bin/prog && chmod 755 /var/tmp/sdt-envlib/bin/prog' < "$tmp/envlib-prog"
in_ns sh -c "printf 'LD_LIBRARY_PATH=\"/var/tmp/sdt-envlib/lib\"\n' > /run/sdt-envlib.env"
in_ns sh -c "printf '[Service]\nType=oneshot\nRemainAfterExit=yes\nStateDirectory=sdt-envlib\nEnvironmentFile=/run/sdt-envlib.env\nExecStart=/var/tmp/sdt-envlib/bin/prog /var/lib/sdt-envlib/out\n' > /run/systemd/system/sdt-envlib.service; systemctl daemon-reload"
in_ns "$S" apply sdt-envlib.service > "$tmp/envlib.apply" 2>&1
check "LD_LIBRARY_PATH from an EnvironmentFile=: the library is in the drop-in" \
        in_ns grep -q 'BindPaths=/run/sdconfine/host/var/tmp/sdt-envlib/lib/libsdtorigin.so.1:' /etc/systemd/system/sdt-envlib.service.d/50-confinement.conf
check "and the confined program starts and loads it" sh -c "nsenter -t $SYSTEMD_PID -m -p -n systemctl start sdt-envlib.service && nsenter -t $SYSTEMD_PID -m -p -- cat /var/lib/sdt-envlib/out | grep -qx origin-ok"

# DynamicUser= with RuntimeDirectoryPreserve=yes: systemd keeps runtime directories (the root's too) in
# /run/private and links them from /run; a file the service writes there was named in its ExecStart= and
# left by an earlier, unconfined run
in_ns sh -c "printf '[Service]\nType=oneshot\nRemainAfterExit=yes\nDynamicUser=yes\nRuntimeDirectory=sdt-dyn\nRuntimeDirectoryPreserve=yes\nExecStart=/bin/sh -c \"/usr/bin/id -u > /run/sdt-dyn/id\"\n' > /run/systemd/system/sdt-dyn.service; systemctl daemon-reload; systemctl start sdt-dyn.service; systemctl stop sdt-dyn.service"
in_ns "$S" apply sdt-dyn.service > "$tmp/dyn.apply" 2>&1
check "DynamicUser= + RuntimeDirectoryPreserve=yes: the root is in /run/private, and the preview says why" sh -c \
        "grep -q 'the root is /run/private/confinement/UNIT' '$tmp/dyn.apply' && nsenter -t $SYSTEMD_PID -m -p grep -qx 'RootDirectory=/run/private/confinement/%n' /etc/systemd/system/sdt-dyn.service.d/50-confinement.conf"
check "nothing inside the service's own RuntimeDirectory= is bound over" sh -c "! nsenter -t $SYSTEMD_PID -m -p grep -q 'sdt-dyn/id' /etc/systemd/system/sdt-dyn.service.d/50-confinement.conf"
check "and the confined service starts and writes its runtime directory" sh -c \
        "nsenter -t $SYSTEMD_PID -m -p -n systemctl start sdt-dyn.service && test \"\$(nsenter -t $SYSTEMD_PID -m -p cat /run/sdt-dyn/id)\" -gt 60000"

# a package of many files and links (tzdata: 900 files, 200 links in the same directories): bound as
# directories within the mount budget, and a zone read through a link inside one of them
put_unit sdt-tz <<'EOT'
[Service]
Type=oneshot
RemainAfterExit=yes
StateDirectory=sdt-tz
ExecStart=/bin/sh -c 'z=/usr/share/zoneinfo/America/Atka; if [ -L $z ] && [ -s $z ]; then echo link-ok; else echo broken; fi > /var/lib/sdt-tz/out'
EOT
in_ns "$S" apply --package tzdata sdt-tz.service > "$tmp/tz.apply" 2>&1
n_tz=$(in_ns grep -c '^Bind' /etc/systemd/system/sdt-tz.service.d/50-confinement.conf)
check "--package tzdata: $n_tz bind mounts, within the budget of 150 (791 before links could be merged)" test "$n_tz" -le 150
check "and a zone read through a symlink in a directory bound whole" sh -c \
        "nsenter -t $SYSTEMD_PID -m -p -n systemctl start sdt-tz.service && nsenter -t $SYSTEMD_PID -m -p cat /var/lib/sdt-tz/out | grep -qx link-ok"

# the root's skeleton: a private writable /run, the same directory at /var/run, /run/lock at /var/lock, and
# $RUNTIME_DIRECTORY naming only the unit's own directory (the root is a runtime directory too); a forking
# daemon's PID file in /run is read by systemd from the root's /run on the host
put_unit sdt-skel <<'EOT'
[Service]
Type=forking
RuntimeDirectory=sdt-skel
PIDFile=/run/sdt-skel.pid
ExecStart=/bin/sh -c 'echo "$RUNTIME_DIRECTORY" > /run/sdt-skel/rd; echo x > /var/lock/l && echo lock-ok >> /run/sdt-skel/rd; sleep 600 & echo $! > /var/run/sdt-skel.pid'
EOT
in_ns "$S" apply sdt-skel.service > "$tmp/skel.apply" 2>&1
check "skeleton: a forking service with PIDFile=/run/X.pid starts confined (systemd reads the PID file)" \
        in_ns timeout 20 systemctl start sdt-skel.service
check "skeleton: PIDFile= points at the root's /run on the host" \
        in_ns grep -qx 'PIDFile=/run/confinement/%n/run/sdt-skel.pid' /etc/systemd/system/sdt-skel.service.d/50-confinement.conf
check "skeleton: \$RUNTIME_DIRECTORY is the unit's own directory only" \
        sh -c "test \"\$(nsenter -t $SYSTEMD_PID -m -p head -n 1 /run/sdt-skel/rd)\" = /run/sdt-skel"
check "skeleton: /var/run is the private /run, /var/lock is writable" \
        sh -c "nsenter -t $SYSTEMD_PID -m -p grep -qx lock-ok /run/sdt-skel/rd && nsenter -t $SYSTEMD_PID -m -p test -s /run/confinement/sdt-skel.service/run/sdt-skel.pid"
in_ns systemctl stop sdt-skel.service

# the host view: a read-only file bound through /run/sdconfine/host stays read-only to a root that keeps
# the host's user namespace (chroot-only), and the view is nowhere in the root
put_unit sdt-view <<'EOT'
[Service]
Type=oneshot
RemainAfterExit=yes
StateDirectory=sdt-view
ExecStart=/bin/sh -c 'echo changed > /var/tmp/sdt-view/data; echo "write=$?" > /var/lib/sdt-view/out; test -e /run/sdconfine && echo view-visible >> /var/lib/sdt-view/out; cat /var/tmp/sdt-view/data >> /var/lib/sdt-view/out'
EOT
in_ns sh -c 'mkdir -p /var/tmp/sdt-view && echo original > /var/tmp/sdt-view/data'
in_ns "$S" apply --mode chroot-only --path /var/tmp/sdt-view/data sdt-view.service > "$tmp/view.apply" 2>&1
check "host view: the drop-in binds the file from the view and pulls the view's mount in" sh -c \
        "nsenter -t $SYSTEMD_PID -m -p -- grep -qx 'BindPaths=/run/sdconfine/host/var/tmp/sdt-view/data:/var/tmp/sdt-view/data' /etc/systemd/system/sdt-view.service.d/50-confinement.conf && nsenter -t $SYSTEMD_PID -m -p -- grep -q '^RequiresMountsFor=.*/run/sdconfine/host/var/tmp' /etc/systemd/system/sdt-view.service.d/50-confinement.conf && nsenter -t $SYSTEMD_PID -m -p -- grep -qx 'Options=bind,ro,private' /etc/systemd/system/run-sdconfine-host-var-tmp.mount"
in_ns timeout 20 systemctl start sdt-view.service
check "host view: root in chroot-only mode cannot write the bound file (read-only), and it reads it" sh -c \
        "nsenter -t $SYSTEMD_PID -m -p -- grep -qx original /var/lib/sdt-view/out && ! nsenter -t $SYSTEMD_PID -m -p -- grep -qx 'write=0' /var/lib/sdt-view/out"
check "host view: the host's file is unchanged" sh -c "test \"\$(nsenter -t $SYSTEMD_PID -m -p -- cat /var/tmp/sdt-view/data)\" = original"
check "host view: /run/sdconfine is not in the root" sh -c "! nsenter -t $SYSTEMD_PID -m -p -- grep -qx view-visible /var/lib/sdt-view/out"
in_ns systemctl stop sdt-view.service

# revert: the unconfined service sees the host's /etc again
in_ns "$S" revert sdt-extra.service > "$tmp/revert" 2>&1
check "revert removes the drop-in and its directory" sh -c "! nsenter -t $SYSTEMD_PID -m -p -- test -e /etc/systemd/system/sdt-extra.service.d"
in_ns systemctl restart sdt-extra.service
in_ns cat /var/lib/sdt-extra/probe > "$tmp/sdt-extra.after"
check "after revert the service sees the host's /etc again" grep -qx 'exists /etc/hostname' "$tmp/sdt-extra.after"
done_testing
