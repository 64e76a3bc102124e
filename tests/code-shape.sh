#!/bin/sh
# The size of the code, checked: no function in core/, cli/, tui/ or sdconfine.c longer than 100 lines and
# no .c file there longer than 700. The tree is clang-format'd, so a function definition starts at a line
# beginning at column 0 with a name, has a "(" and no "=" before the "{" that ends its head (that rules out
# prototypes, which end in ";", and initialised tables), and ends at the "}" at column 0.
. "${top_srcdir:-.}/tests/tap.sh"
cd "${top_srcdir:-.}" || exit 1

MAX_FUNCTION=100
MAX_FILE=700
files=$(ls core/*.c core/*.h cli/*.c cli/*.h tui/*.c tui/*.h sdconfine.c 2>/dev/null)

# Prints "file:line: name: N lines" for every function longer than $1 lines.
long_functions() {
        awk -v max="$1" '
        FNR == 1 { head = 0; body = 0 }
        body {
                if ($0 ~ /^}/) {
                        n = FNR - start + 1
                        if (n > max)
                                printf "%s:%d: %s: %d lines\n", FILENAME, start, name, n
                        body = 0
                }
                next
        }
        !head && /^[A-Za-z_]/ { head = 1; start = FNR; sig = "" }
        head {
                sig = sig " " $0
                if ($0 ~ /;[ \t]*$/) {
                        head = 0
                } else if ($0 ~ /\{[ \t]*$/) {
                        head = 0
                        if (sig ~ /\(/ && sig !~ /=/) {
                                body = 1
                                name = sig
                                sub(/\(.*/, "", name)
                                sub(/.*[ *]/, "", name)
                        }
                }
        }' $2
}
long_files() {
        for f in $2; do
                case "$f" in *.c) ;; *) continue ;; esac
                n=$(wc -l <"$f")
                [ "$n" -gt "$1" ] && echo "$f: $n lines"
        done
        return 0
}
none() { # none CMD...: passes when CMD prints nothing
        [ -z "$("$@")" ]
}

# check() hides what a command prints, so each measure runs once more to name the offenders.
check "no function longer than $MAX_FUNCTION lines" none long_functions $MAX_FUNCTION "$files"
long_functions $MAX_FUNCTION "$files" | sed 's/^/# /'
check "no .c file longer than $MAX_FILE lines" none long_files $MAX_FILE "$files"
long_files $MAX_FILE "$files" | sed 's/^/# /'
# The measure itself, on a known shape: it must see a long function and skip prototypes and tables.
self_test() {
        t=$(mktemp) || return 1
        {
                echo "int proto(int a,"
                echo "          int b);"
                echo "static const int table[] = {"
                echo "        1,"
                echo "};"
                echo "static int long_one(int a,"
                echo "                    int b) {"
                i=0
                while [ $i -lt 5 ]; do
                        echo "        a++;"
                        i=$((i + 1))
                done
                echo "}"
        } >"$t"
        out=$(long_functions 6 "$t")
        rm -f "$t"
        case "$out" in *": long_one: 8 lines") return 0 ;; esac
        return 1
}
check "the measure finds a long function and skips prototypes and tables" self_test
done_testing
