#!/bin/sh
# The Debian package, end to end with Debian's own tools: the checkout's files (tracked and new, not
# ignored; as they are in the working tree) are copied to a temporary directory, built with
# dpkg-buildpackage -us -uc -b, checked with lintian (binary and source: no error, no warning), installed
# with apt-get (which resolves the runtime libraries from Depends), looked at (the program, its
# version, the man page, the bash completion), and purged again with whatever apt-get brought in, so the
# machine is left as it was. Not part of make check (it takes a while): run it with make check-deb.
#
# Needs root and: apt-get install -y --no-install-recommends debhelper lintian bash-completion
# plus the build dependencies of debian/control (dpkg-checkbuilddeps tells which are missing).
. "${top_srcdir:-.}/tests/tap.sh"
top=$(cd "${top_srcdir:-.}" && pwd) || exit 1

[ "$(id -u)" -eq 0 ] || skip_all "needs root (apt-get install and purge of the built package)"
for tool in dpkg-buildpackage dh lintian apt-get git; do
        command -v $tool >/dev/null ||
                skip_all "$tool is missing (apt-get install debhelper lintian dpkg-dev apt git)"
done
git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
        skip_all "$top is not a git checkout (a dist tarball has no debian/)"
if dpkg-query -W -f='${Status}' sdconfine 2>/dev/null | grep -q 'ok installed'; then
        skip_all "the sdconfine package is already installed here; this test would replace and purge it"
fi

apt_get() { apt-get -o DPkg::Lock::Timeout=900 -q "$@"; }
installed_list() { dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" { print $2 }' | sort; }
tmp=$(mktemp -d /tmp/sdconfine-deb.XXXXXX)
before=$tmp/installed-before
installed_list >"$before"
cleanup() {
        # purge the package and anything apt-get installed for it, but nothing that was there before
        if dpkg-query -W -f='${Status}' sdconfine 2>/dev/null | grep -q installed; then
                new=$(installed_list | comm -13 "$before" - | paste -sd' ')
                apt_get purge -y $new sdconfine >/dev/null 2>&1
        fi
        rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

src=$tmp/sdconfine
mkdir "$src"
# the working tree's files, without build products (.gitignore) and without files deleted but not yet
# committed
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
        xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\n" "$f"; done' sh | tar -cf - -T -) |
        tar -xf - -C "$src"
check "the copy has debian/ and configure.ac" test -f "$src/debian/control" -a -f "$src/configure.ac"

ac_version=$(sed -n 's/^AC_INIT(\[sdconfine\], \[\([^]]*\)\].*/\1/p' "$src/configure.ac")
deb_version=$(cd "$src" && dpkg-parsechangelog -S Version)
check "debian/changelog's version ($deb_version) is configure.ac's ($ac_version)" \
        test -n "$ac_version" -a "$ac_version" = "$deb_version"
check "the build dependencies are installed (dpkg-checkbuilddeps)" sh -c "cd '$src' && dpkg-checkbuilddeps"

# the source package first, from the pristine copy (the binary build leaves its products in the tree)
(cd "$tmp" && dpkg-source -b sdconfine) >"$tmp/source.log" 2>&1
check "dpkg-source -b builds the source package (3.0 (native))" test -f "$tmp/sdconfine_$deb_version.dsc"

(cd "$src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1
status=$?
check "dpkg-buildpackage -us -uc -b builds" test $status -eq 0
[ $status -eq 0 ] || sed 's/^/# /' "$tmp/build.log" | tail -n 40
deb=$tmp/sdconfine_${deb_version}_$(dpkg --print-architecture).deb
changes=$tmp/sdconfine_${deb_version}_$(dpkg --print-architecture).changes
check "the .deb and .changes are there" test -f "$deb" -a -f "$changes"

# lintian on the .changes (the binary packages) and on the source package of the same copy
lint() { # lint FILE DESCRIPTION: lintian's errors and warnings become TAP comments
        lintian --fail-on error,warning --display-level '>=warning' "$1" >"$tmp/lintian.out" 2>&1
        r=$?
        check "$2" test $r -eq 0
        grep -v 'running with root privileges' "$tmp/lintian.out" | sed 's/^/# /'
}
lint "$changes" "lintian --fail-on error,warning on the .changes (binary packages)"
lint "$tmp/sdconfine_$deb_version.dsc" "lintian --fail-on error,warning on the source package"

depends=$(dpkg-deb -f "$deb" Depends)
echo "# Depends: $depends"
# libc6, libjansson4, libcap2 from the linked libraries (shlibs), libsystemd0 and libncursesw6 from
# debian/control itself (they are opened with dlopen())
check "Depends names the linked libraries and those opened with dlopen() (libsystemd0, libncursesw6)" sh -c '
        for p in libc6 libsystemd0 libjansson4 libncursesw6 libcap2; do
                echo "$1" | grep -q "\\b$p\\b" || exit 1
        done' sh "$depends"

apt_get install -y "$deb" >"$tmp/install.log" 2>&1
status=$?
check "apt-get install -y ./sdconfine_*.deb" test $status -eq 0
[ $status -eq 0 ] || sed 's/^/# /' "$tmp/install.log" | tail -n 20
check "dpkg says it is installed" sh -c "dpkg-query -W -f='\${Status}' sdconfine | grep -qx 'install ok installed'"
check "/usr/bin/sdconfine --version prints $deb_version" \
        sh -c "/usr/bin/sdconfine --version | grep -qx 'sdconfine $deb_version'"
check "the man page is installed (/usr/share/man/man1/sdconfine.1.gz)" test -f /usr/share/man/man1/sdconfine.1.gz
if command -v man >/dev/null; then
        check "man finds it (man -w sdconfine)" \
                sh -c 'test "$(man -w sdconfine 2>/dev/null)" = /usr/share/man/man1/sdconfine.1.gz'
fi
check "the man page is sdconfine(1)" sh -c 'zcat /usr/share/man/man1/sdconfine.1.gz | grep -q "^\.TH SDCONFINE 1"'
comp=/usr/share/bash-completion/completions/sdconfine
check "the bash completion is installed ($comp)" test -f "$comp"
if [ -f /usr/share/bash-completion/bash_completion ]; then
        # bash-completion loads a command's completion on first use, by the command's name
        check "bash-completion loads it on demand for sdconfine" bash -c '
                . /usr/share/bash-completion/bash_completion
                __load_completion sdconfine && complete -p sdconfine | grep -q "_sdconfine sdconfine$"'
fi

apt_get purge -y sdconfine >"$tmp/purge.log" 2>&1
check "apt-get purge -y sdconfine" test $? -eq 0
check "nothing of it is left (/usr/bin/sdconfine, the completion, dpkg's record)" sh -c "
        ! test -e /usr/bin/sdconfine && ! test -e $comp &&
        ! dpkg-query -W -f='\${Status}' sdconfine 2>/dev/null | grep -q installed"
new=$(installed_list | comm -13 "$before" -)
check "the installed packages are those of before${new:+ (new: $new)}" test -z "$new"

done_testing
[ $n_failed -eq 0 ]
