#!/bin/sh
# The shape of the code, checked: three parts over one library. core/ is the library (no curses, no
# printing, runs no program but the operator's own --check in core/run-check.c); cli/ is the command line,
# tui/ the interactive program, and neither includes the other's headers; sdconfine.c picks one. sd-bus,
# sd-journal, fanotify and libcap each live in one core file.
. "${top_srcdir:-.}/tests/tap.sh"
cd "${top_srcdir:-.}" || exit 1

no_match() { ! grep -nE "$1" $2; }
only_in() { # only_in REGEX FILE: no other file under core/ or tui/ matches
        for f in $(grep -lE "$1" core/*.c core/*.h cli/*.c cli/*.h tui/*.c tui/*.h sdconfine.c 2>/dev/null); do
                [ "$f" = "$2" ] || return 1
        done
}
only_in_dir() { # only_in_dir REGEX DIR: no file outside DIR matches
        for f in $(grep -lE "$1" core/*.c core/*.h cli/*.c cli/*.h tui/*.c tui/*.h sdconfine.c 2>/dev/null); do
                case "$f" in "$2"/*) ;; *) return 1 ;; esac
        done
}
check "core/ does not include curses" no_match '#include [<"](n?curses|ncursesw/)' "core/*.c core/*.h"
check "core/ does not print (to a terminal)" no_match '\b(printf|puts|putchar|perror)\(|\b(fprintf|fputs)\([^,]*, *(stdout|stderr)\)|\b(fprintf|fputs)\((stdout|stderr)' "core/*.c"
check "nothing runs a program (no exec*, system, popen, posix_spawn) but the operator's --check in core/run-check.c" \
        no_match '\b(execv|execve|execvp|execl|execlp|system|popen|posix_spawnp?|fexecve)\(' \
        "$(ls core/*.c cli/*.c tui/*.c sdconfine.c | grep -vx core/run-check.c)"
headers() { (cd "$1" && ls *.h) | sed 's/[.]/[.]/; s/^/#include "/; s/$/"/' | paste -sd'|'; }
check "cli/ includes no header of tui/" no_match "$(headers tui)" "cli/*.c cli/*.h"
check "tui/ includes no header of cli/" no_match "$(headers cli)" "tui/*.c tui/*.h"
check "core/ includes no header of cli/ or tui/" no_match "$(headers cli)|$(headers tui)" "core/*.c core/*.h"
check "curses only in tui/" only_in_dir '#include [<"](n?curses|ncursesw/)' tui
check "curses.h only through tui/curses-load.h (its names go to the dlopen()ed library)" \
        only_in '#include <(n?curses|ncursesw/)' tui/curses-load.h
check "sd-bus only in core/manager.c" only_in '#include <systemd/sd-bus' core/manager.c
check "sd-journal only in core/manager.c (one file talks to systemd)" only_in '#include <systemd/sd-journal' core/manager.c
check "every libsystemd function named only in core/manager.c (its dlopen() list too)" \
        only_in '\bsd_(bus|journal)_[a-z_]+\(|X\(sd_' core/manager.c
check "fanotify only in core/learn.c" only_in '#include <sys/fanotify.h>' core/learn.c
check "libcap only in core/caps.c" only_in '#include <sys/capability.h>' core/caps.c
check "config.h first in every .c file" sh -c 'for f in core/*.c cli/*.c tui/*.c sdconfine.c; do head -3 "$f" | grep -q "#include \"config.h\"" || exit 1; done'
done_testing
