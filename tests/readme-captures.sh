#!/bin/sh
# README.md's generated parts, so that they cannot go stale:
# - each block after a line "<!-- capture: CMD -->" is "$ CMD" and what CMD prints now (stdout, then what it
#   wrote to stderr before, as a pipe buffers it), run with the program just built;
# - the table after "<!-- preset-table -->" is core's confine_presets (core/confine*.c).
# Usage: readme-captures.sh SRCDIR BUILDDIR OUT   writes the regenerated README to OUT. tests/docs.sh compares
# it with README.md; 'make readme-captures' moves it over README.md.
#
# The commands run in a scratch directory holding example-root: the ELF fixture root of 'make check'
# (tests/fixtures/out/root) with one unit added, example.service (below). They see LC_ALL=C.UTF-8, no
# COLUMNS and no terminal, so what they print depends on the sources only.
set -eu
src=$(cd "$1" && pwd) build=$(cd "$2" && pwd) out=$3
fixtures=${FIXTURES:-$build/tests/fixtures/out}
[ -d "$fixtures/root/t" ] || { echo "no fixture root in $fixtures: run 'make check' (or make $build/tests/fixtures/out/.stamp) first" >&2; exit 1; }
[ -x "$build/sdconfine" ] || { echo "$build/sdconfine is not built" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/out" "$work/run"
ln -s "$build/sdconfine" "$work/bin/sdconfine"
cp -a "$fixtures/root" "$work/run/example-root"
mkdir -p "$work/run/example-root/usr/lib/systemd/system"
cat > "$work/run/example-root/usr/lib/systemd/system/example.service" << 'EOF'
[Unit]
Description=An example service of the test fixtures

[Service]
ExecStart=/t/01_rpath/prog --config /etc/example.conf
User=nobody
EOF

# the commands, in order: block N's output goes to out/N
n=0
sed -n 's/^<!-- capture: \(.*\) -->$/\1/p' "$src/README.md" > "$work/commands"
while IFS= read -r cmd; do
        n=$((n + 1))
        {
                printf '$ %s\n' "$cmd"
                (cd "$work/run" && env -u COLUMNS LC_ALL=C.UTF-8 TERM=dumb PATH="$work/bin:$PATH" \
                        sh -c "$cmd" 2>&1 < /dev/null) || true
        } > "$work/out/$n"
done < "$work/commands"

# the preset table, from the C source of the table
table=$(grep -l 'confine_presets\[\] = {' "$src"/core/*.c | head -n 1)
[ -n "$table" ] || { echo "no confine_presets table in $src/core" >&2; exit 1; }
{
        echo '| preset | what it is for | what it binds |'
        echo '|---|---|---|'
        perl -0777 -ne '
                /confine_presets\[\]\s*=\s*\{(.*?)\n\};/s or die "cannot read the confine_presets table\n";
                my ($t, $rows) = ($1, 0);
                while ($t =~ /\{\s*"([^"]+)",\s*((?:"(?:[^"\\]|\\.)*"\s*)+),\s*\{([^}]*)\}\s*(?:,\s*(\w+)\s*)?\}/g) {
                        my ($name, $d, $p, $rule) = ($1, $2, $3, $4);
                        $d = join "", $d =~ /"((?:[^"\\]|\\.)*)"/g;
                        my @paths = $p =~ /"([^"]*)"/g;
                        my $binds = @paths ? join(", ", map { "`$_`" } @paths)
                                           : "computed for the unit: see the rules table below";
                        print "| `$name` | $d | $binds |\n";
                        $rows++;
                }
                $rows or die "no rows in the confine_presets table\n";' "$table"
} > "$work/presets"

awk -v dir="$work/out" -v presets="$work/presets" '
        function fail(msg) { print "README.md line " NR ": " msg > "/dev/stderr"; bad = 1; exit 1 }
        /^<!-- capture: .* -->$/ {
                print
                if ((getline) <= 0 || $0 != "```") fail("a capture marker must be followed by a ``` block")
                while ((getline) > 0 && $0 != "```") ;
                if ($0 != "```") fail("the capture block does not end")
                n++
                print "```"
                while ((getline line < (dir "/" n)) > 0) print line
                close(dir "/" n)
                print "```"
                next
        }
        /^<!-- preset-table -->$/ {
                print
                while ((getline) > 0 && $0 ~ /^\|/) ;
                while ((getline line < presets) > 0) print line
                if ($0 !~ /^\|/) print
                next
        }
        { print }
        END { if (bad) exit 1 }' "$src/README.md" > "$out"
