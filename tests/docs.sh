#!/bin/sh
# The documentation against the program: every verb of 'sdconfine help' in the man page's SYNOPSIS and
# DESCRIPTION and in README.md; every option of 'sdconfine VERB --help' in the man page's OPTIONS
# subsection of that verb, and nothing there that the verb does not take; the man page renders without
# groff warnings and ends with SEE ALSO; README's preset table names every preset; README's captures are
# what the commands print now (tests/readme-captures.sh; 'make readme-captures' rewrites them).
. "${top_srcdir:-.}/tests/tap.sh"
top=${top_srcdir:-.}
S=${SDCONFINE:-./sdconfine}
man=$top/assets/sdconfine.1
readme=$top/README.md
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

"$S" help | awk '/^Verbs:/ { v = 1; next } v && /^  [a-z]/ { print $1 } v && /^$/ { exit }' > "$tmp/verbs"
check "'sdconfine help' lists verbs" test -s "$tmp/verbs"
for v in $(cat "$tmp/verbs"); do
        "$S" "$v" --help | awk '/^  --/ { o = $1; sub(/\[.*/, "", o); sub(/=.*/, "", o); print o }' > "$tmp/opt-$v"
done
check "every verb's --help lists options as '  --NAME', and they are read here" sh -c '
        for v in $(cat "$1/verbs"); do
                test "$("$2" "$v" --help | grep -c "^  --")" -eq "$(grep -c "^--[a-z][a-z-]*\$" "$1/opt-$v")" || exit 1
        done
        test -s "$1/opt-list"' sh "$tmp" "$S"

# The man page as records: "SECTION<TAB>SUBSECTION<TAB>KIND<TAB>TEXT", KIND "tag" for the line after .TP,
# "line" for the others; font escapes removed, \- as -.
awk '
        function plain(s) {
                gsub(/\\f[BIRP]|\\f\(..|\\&|\\c/, "", s)
                gsub(/\\-/, "-", s)
                gsub(/"/, "", s)
                sub(/^\.(B|I|BI|IB|BR|RB|IR|RI|SM) /, "", s)
                return s
        }
        /^\.SH / { sec = plain(substr($0, 5)); sub_ = ""; next }
        /^\.SS / { sub_ = plain(substr($0, 5)); next }
        /^\.TP/ { tp = 1; next }
        /^\.(PP|P|LP|br|IP|RS|RE|nf|fi|sp|TH|in|ne|nh|hy|ad)( |$)/ { next }
        /^\.\\"/ { next }
        { print sec "\t" sub_ "\t" (tp ? "tag" : "line") "\t" plain($0); tp = 0 }
' "$man" > "$tmp/man"

# SYNOPSIS, DESCRIPTION, README: every verb
for v in $(cat "$tmp/verbs"); do
        check "the man page's SYNOPSIS shows 'sdconfine $v'" \
                sh -c "awk -F '\t' '\$1 == \"SYNOPSIS\" { print \$4 }' '$tmp/man' | grep -Eq '(^|[^a-z-])sdconfine $v([^a-z-]|\$)'"
        check "the man page's DESCRIPTION has an entry for $v" \
                sh -c "awk -F '\t' '\$1 == \"DESCRIPTION\" && \$3 == \"tag\" { print \$4 }' '$tmp/man' | grep -Eq '^$v([^a-z-]|\$)'"
        check "README.md shows 'sdconfine $v'" grep -Eq "sdconfine $v([^a-z-]|\$)" "$readme"
done

# OPTIONS: a verb's options are the tags of the subsections whose title names it
for v in $(cat "$tmp/verbs"); do
        [ -s "$tmp/opt-$v" ] || continue
        awk -F '\t' -v verb="$v" '$1 == "OPTIONS" && $3 == "tag" {
                n = split($2, w, /[^a-z-]+/)
                for (i = 1; i <= n; i++) if (w[i] == verb) { print $4; break }
        }' "$tmp/man" | grep -o -- '--[a-z][a-z-]*' | sort -u > "$tmp/man-$v"
        check "every option of 'sdconfine $v --help' is in the man page's OPTIONS for $v" \
                sh -c "sort -u '$tmp/opt-$v' | comm -23 - '$tmp/man-$v' | sed 's/^/missing: /' | grep . && exit 1 || exit 0"
done
# and nothing in a subsection that none of the verbs it names takes
awk -F '\t' '$1 == "OPTIONS" && $3 == "tag" { print $2 "\t" $4 }' "$tmp/man" > "$tmp/tags"
check "the man page's OPTIONS has no option that the verbs its subsection names do not take" sh -c '
        tmp=$1 bad=0
        while IFS="	" read -r title tag; do
                for o in $(printf "%s\n" "$tag" | grep -o -- "--[a-z][a-z-]*"); do
                        found=0
                        for w in $(printf "%s\n" "$title" | tr -cs "a-z-" " "); do
                                grep -qx -- "$w" "$tmp/verbs" && grep -qx -- "$o" "$tmp/opt-$w" && found=1
                        done
                        [ $found = 1 ] || { echo "$title: $o"; bad=1; }
                done
        done < "$tmp/tags"
        exit $bad' sh "$tmp"
check "the man page has an EXIT STATUS section" grep -q '^\.SH "\?EXIT STATUS' "$man"
check "SEE ALSO is the man page's last section" sh -c "grep '^\.SH ' '$man' | tail -n 1 | grep -q 'SEE ALSO'"
if command -v groff > /dev/null; then
        check "the man page renders without groff warnings" sh -c \
                "groff -man -Tutf8 -ww -z '$man' 2>&1 | grep . && exit 1 || exit 0"
        check "the man page renders with man -l" sh -c \
                "command -v man >/dev/null || exit 0; MANWIDTH=80 man -l '$man' > '$tmp/man.txt' 2>&1 && grep -q 'SEE ALSO' '$tmp/man.txt'"
else
        echo "ok $((n_tests += 1)) - the man page renders without groff warnings # SKIP groff is not installed (apt-get install groff-base)"
fi

# presets: the names 'preview --help' gives, each a row of README's preset table
"$S" preview --help | grep -- '--preset' | grep -o '([a-z, ]*)' | tr -d '()' | tr ', ' '\n\n' | grep . > "$tmp/presets"
check "'preview --help' names presets" test -s "$tmp/presets"
awk '/^<!-- preset-table -->$/ { t = 1; next } t && /^\|/ { print; next } t { exit }' "$readme" > "$tmp/preset-table"
for p in $(cat "$tmp/presets"); do
        check "README.md's preset table has $p" grep -q "^| \`$p\` |" "$tmp/preset-table"
done

# the captures and the preset table, generated again
check "README.md's captures and preset table are what the program and core print now (make readme-captures)" \
        sh -c "sh '$top/tests/readme-captures.sh' '$top' '$(dirname "$S")' '$tmp/README.md' && diff -u '$readme' '$tmp/README.md'"
check "README.md has captures" grep -q '^<!-- capture: ' "$readme"
done_testing
