#!/bin/sh
# The shape of the code, checked: core/ is a library (no curses, no printing, never runs a program);
# sd-bus and libcap headers appear in one core file each.
. "${top_srcdir:-.}/tests/tap.sh"
cd "${top_srcdir:-.}" || exit 1

no_match() { ! grep -nE "$1" $2; }
only_in() { # only_in REGEX FILE: no other file under core/ or tui/ matches
        for f in $(grep -lE "$1" core/*.c core/*.h tui/*.c tui/*.h 2>/dev/null); do
                [ "$f" = "$2" ] || return 1
        done
}
check "core/ does not include curses" no_match '#include [<"](n?curses|ncursesw/)' "core/*.c core/*.h"
check "core/ does not print (to a terminal)" no_match '\b(printf|puts|putchar|perror)\(|\b(fprintf|fputs)\([^,]*, *(stdout|stderr)\)|\b(fprintf|fputs)\((stdout|stderr)' "core/*.c"
check "nothing runs a program (no exec*, system, popen, posix_spawn) but the operator's --check in tui/run-check.c" \
        no_match '\b(execv|execve|execvp|execl|execlp|system|popen|posix_spawnp?|fexecve)\(' \
        "$(ls core/*.c tui/*.c | grep -vx tui/run-check.c)"
check "sd-bus only in core/manager.c" only_in '#include <systemd/sd-bus' core/manager.c
check "sd-journal only in core/manager.c (one file talks to systemd)" only_in '#include <systemd/sd-journal' core/manager.c
check "fanotify only in core/learn.c" only_in '#include <sys/fanotify.h>' core/learn.c
check "libcap only in core/caps.c" only_in '#include <sys/capability.h>' core/caps.c
check "config.h first in every .c file" sh -c 'for f in core/*.c tui/*.c; do head -3 "$f" | grep -q "#include \"config.h\"" || exit 1; done'
done_testing
