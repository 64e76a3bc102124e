#!/bin/sh
# Runs inside a confined service (tests/confine-live.sh): reports what its root holds. Only shell builtins
# and the programs given as arguments (so that they join the closure): $1 id, $2 ls.
# Output: $STATE_DIRECTORY/probe
ID=$1 LS=$2
rt=$STATE_DIRECTORY
out=$rt/probe
{
        echo "uid=$($ID -u)"
        # the paths are made at run time: sdconfine reads scripts for the files they name, and these are
        # what the test looks for, not what the probe needs
        s=/
        for p in ${s}proc/self ${s}sys/kernel ${s}dev/null ${s}etc/passwd ${s}etc/hostname ${s}etc/ld.so.cache ${s}bin/sh \
                 ${s}usr/bin/id ${s}usr/share/doc/dash/copyright ${s}etc/localtime ${s}usr/bin/iconv; do
                if [ -e "$p" ]; then echo "exists $p"; else echo "absent $p"; fi
        done
        for d in / /usr /tmp /var/tmp "$rt"; do
                # no /dev/null in chroot-only: close stderr instead of sending it there
                if ( : > "$d/.probe-w" ) 2>&-; then echo "writable $d"; else echo "readonly $d"; fi
        done
        echo "etc:" $($LS -A /etc)
        echo "root:" $($LS -A /)
} > "$out" 2>&1
