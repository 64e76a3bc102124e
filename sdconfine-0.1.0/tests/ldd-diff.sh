#!/bin/sh
# Differential test against glibc's loader: for every dynamically linked ELF file in /usr/bin, /usr/sbin and
# /usr/lib/systemd, the libraries sdconfine resolves (by real path) and the names it cannot find must equal
# what ldd reports. ldd runs only the distribution's own trusted binaries, as an oracle.
# At least 99% must agree; every disagreement is printed.
EACH=${EACH:-./tests/closure-each}
command -v ldd >/dev/null || { echo "1..0 # SKIP ldd is not installed"; exit 0; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
unset LD_LIBRARY_PATH LD_PRELOAD

find /usr/bin /usr/sbin /usr/lib/systemd -type f 2>/dev/null | sort > "$tmp/all"
"$EACH" < "$tmp/all" > "$tmp/ours" || { echo "1..1"; echo "not ok 1 - closure-each failed"; exit 0; }
sed -n 's/^F //p' "$tmp/ours" > "$tmp/elf"

# ldd, two at a time; each batch prints "F file" then ldd's answer turned into L/M lines
xargs -r -d '\n' -n 50 -P 2 sh -c '
        for f; do
                out=$(ldd "$f" 2>/dev/null) || continue
                printf "%s\n" "$out" | grep -q "=>\|ld-linux" || continue
                {
                        echo "F $f"
                        printf "%s\n" "$out" | awk "/=> not found/ { print \"M \" \$1 }"
                        printf "%s\n" "$out" | awk "/=> not found/ { next } /=>/ { print \$3; next }
                                /^[ \t]*\\// { print \$1 }" | xargs -r -d "\n" realpath -e | sed "s/^/L /"
                } > "$0/$(printf %s "$f" | tr / _).ldd"
        done' "$tmp" < "$tmp/elf"

awk -v dir="$tmp" '
function flush() {
        if (file == "") return
        ldd = file; gsub("/", "_", ldd); ldd = dir "/" ldd ".ldd"
        if ((getline line < ldd) <= 0) { file = ""; return }  # static or not loadable: no oracle
        delete theirs
        while ((getline line < ldd) > 0) {
                theirs[line] = 1
        }
        close(ldd)
        total++
        bad = ""
        for (k in ours) if (!(k in theirs)) bad = bad "\n#   sdconfine only: " k
        for (k in theirs) if (!(k in ours)) bad = bad "\n#   ldd only:       " k
        if (bad == "") agree++; else print "# DISAGREE " file bad
        file = ""
}
/^F / { flush(); file = substr($0, 3); delete ours; next }
{ ours[$0] = 1 }
END {
        flush()
        print "# " agree " of " total " dynamically linked files agree with ldd"
        print "1..2"
        print (total >= 100 ? "ok" : "not ok") " 1 - compared " total " files (at least 100)"
        print (total > 0 && agree * 100 >= total * 99 ? "ok" : "not ok") " 2 - " agree "/" total " agree with ldd (at least 99%)"
}' "$tmp/ours"
