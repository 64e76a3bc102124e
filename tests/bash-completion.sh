#!/bin/bash
# The bash completion (assets/bash-completion/sdconfine), driven the way bash drives it: the file is
# sourced, COMP_WORDS and COMP_CWORD are set as bash sets them for a command line, the function that
# 'complete -p sdconfine' names is called, and COMPREPLY is checked. Options come from the program's own
# --help (the built one, and a stub with an option no sdconfine has, to show nothing is listed in the
# file); units from 'sdconfine list --no-legend', or from systemctl when that fails.
. "${top_srcdir:-.}/tests/tap.sh"
SD=${SDCONFINE:-./sdconfine}
[ -x "$SD" ] || skip_all "no built sdconfine at $SD"
SD=$(realpath "$SD")
command -v dpkg-query >/dev/null || skip_all "no dpkg-query"

# shellcheck source=../assets/bash-completion/sdconfine
. "${top_srcdir:-.}/assets/bash-completion/sdconfine"
fn=$(complete -p sdconfine 2>/dev/null | sed -n 's/^complete -F \([^ ]*\) sdconfine$/\1/p')
check "complete -p names a function for sdconfine" test -n "$fn"
[ -n "$fn" ] || { done_testing; exit 0; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

got=
comp() { # comp WORD... : complete the last word (bash splits "--mode=x" into "--mode" "=" "x")
        COMP_WORDS=("$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        "$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        got=$(printf '%s\n' "${COMPREPLY[@]}" | sort)
}
has() { printf '%s\n' "$got" | grep -qxF -- "$1"; }
is() { [ "$got" = "$(printf '%s\n' "$@" | sort)" ]; }
none() { [ -z "$got" ]; }

comp "$SD" ""
check "an empty first word offers the twelve verbs" \
        is list show closure preview diff apply revert export import learn help version
comp "$SD" ap
check "'ap' completes to apply" is apply
comp "$SD" version ""
check "version takes nothing" none
comp "$SD" help ex
check "help ex completes to export (help VERB)" is export
comp "$SD" help export ""
check "help takes one verb" none

# options, from the verb's own --help
help_words() { "$SD" "$1" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u; }
for verb in list show closure preview diff apply revert export import learn; do
        comp "$SD" "$verb" --
        check "$verb --: exactly the --long words of '$verb --help' ($(help_words "$verb" | wc -l))" \
                test "$got" = "$(help_words "$verb")" -a -n "$got"
done
comp "$SD" apply --tr
check "apply --tr gives --try (from --try[=SECONDS])" is --try
comp "$SD" closure --ld
check "closure --ld gives --ld-library-path" is --ld-library-path
comp "$SD" list --ldx
check "an unknown prefix gives nothing" none

mkdir "$tmp/bin"
cat >"$tmp/bin/sdconfine" <<'EOF'
#!/bin/sh
case "$1 $2" in
"apply --help") echo "Usage: sdconfine apply [--brand-new] [--try[=SECONDS]] UNIT" ;;
"list --no-legend") printf 'alpha.service  loaded active running - Alpha\nbeta.service   loaded inactive dead sdconfine Beta\n' ;;
*) exit 2 ;;
esac
EOF
chmod +x "$tmp/bin/sdconfine"
comp "$tmp/bin/sdconfine" apply --
check "options are read from the program at completion time (a new --brand-new appears)" is --brand-new --try

# values of options
comp "$SD" apply --mode ""
check "--mode offers its two modes" is full-apivfs chroot-only
comp "$SD" apply --mode = ch
check "--mode=ch completes to chroot-only" is chroot-only
comp "$SD" preview --preset t
check "--preset t offers tls, timezone, terminfo" is tls timezone terminfo
comp "$SD" apply --package libc
check "--package libc offers libc6 (installed)" has libc6
pkgs_ok() {
        [ -n "$got" ] || return 1
        for p in $got; do
                case $p in libc*) ;; *) return 1 ;; esac
                dpkg-query -W -f='${Package}\n' | grep -qxF "$p" || return 1
        done
}
check "every --package answer starts with the prefix and is an installed package" pkgs_ok
comp "$SD" apply --seconds ""
check "--seconds (a number) offers nothing" none

# units
comp "$tmp/bin/sdconfine" show ""
check "units from 'sdconfine list --no-legend' (first column)" is alpha.service beta.service
comp "$tmp/bin/sdconfine" apply --mode chroot-only b
check "a unit after an option and its value" is beta.service
first_unit=$(systemctl list-unit-files --type=service --no-legend 2>/dev/null | awk 'NR == 1 { print $1 }')
if [ -n "$first_unit" ]; then
        # the stub fails 'list --no-legend' when it is asked with another first word: hide it
        printf '#!/bin/sh\nexit 1\n' >"$tmp/bin/sdconfine"
        comp "$tmp/bin/sdconfine" diff "${first_unit%%.*}"
        check "when 'sdconfine list --no-legend' fails, units from systemctl ($first_unit)" has "$first_unit"
fi
comp "$SD" learn ""
check "the built sdconfine gives units (from its list or systemctl)" test -n "$got"

# files
mkdir "$tmp/work" "$tmp/work/profiles.d"
: >"$tmp/work/profile.json"
cd "$tmp/work" || exit 1
comp "$SD" import pro
check "import completes a file name" is profile.json profiles.d
comp "$SD" export --json pro
check "export --json takes a file name" is profile.json profiles.d
comp "$SD" export --dir pro
check "export --dir takes a directory" is profiles.d
comp "$SD" export --ansible pro
check "export --ansible takes a directory" is profiles.d
comp "$SD" import --check --json pro
check "import --check --json: flags, then the profile's file name" is profile.json profiles.d
comp "$SD" list --json ""
check "list --json is a flag: nothing follows" none
comp "$SD" apply --root pro
check "--root takes a directory" is profiles.d
cd - >/dev/null || exit 1

done_testing
