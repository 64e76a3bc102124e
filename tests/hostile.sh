#!/bin/sh
# Hostile and broken input, one row each: a clear error naming the problem, no crash, nothing lost.
# (ELF corruption, absurd offsets, DT_NEEDED cycles, wrong architectures, symlink loops, invalid unit names,
# foreign drop-ins, full disks, read-only /etc, concurrency and unprivileged users have their own tests:
# test-elf-parse, test-closure, test-fs-root, systemd-live.sh, dropin-write.sh.) A FIFO where a file
# belongs would block a reader forever: each such row runs under a timeout.
. "${top_srcdir:-.}/tests/tap.sh"
S=${SDCONFINE:-./sdconfine}
case "$S" in /*) ;; *) S=$PWD/$S ;; esac
tmp=$(mktemp -d) || exit 1
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# a chain of 41 links (the kernel follows 40)
i=0
: > "$tmp/target"
prev=target
while [ $i -lt 41 ]; do ln -s "$prev" "$tmp/l$i"; prev=l$i; i=$((i + 1)); done
"$S" closure --list "$tmp/l40" > /dev/null 2> "$tmp/err"
check "a chain of 41 symlinks: refused as a loop, naming the file" grep -q "l40: Too many levels of symbolic links" "$tmp/err"
"$S" closure --list "$tmp/l38" > /dev/null 2> "$tmp/err"
check "a chain of 39 symlinks is followed" test ! -s "$tmp/err"

# names that are not UTF-8, or hold a newline, a space, a colon, a %
name=$(printf 'odd\377name')
cp /usr/bin/true "$tmp/$name"
"$S" closure --json "$tmp/$name" > "$tmp/nonutf8.json" 2> "$tmp/err"
check "a non-UTF-8 file name: closure --json still prints valid JSON with the file" \
        sh -c "grep -q '\"roots\"' '$tmp/nonutf8.json' && grep -q 'oddÿname' '$tmp/nonutf8.json'"
nl=$(printf 'new\nline')
cp /usr/bin/true "$tmp/$nl"
"$S" closure --json "$tmp/$nl" > "$tmp/nl.json" 2> "$tmp/err"
check "a file name with a newline: escaped in JSON" grep -q 'new\\nline' "$tmp/nl.json"
mkdir -p "$tmp/root/etc/systemd/system" "$tmp/root/usr/bin" "$tmp/root/usr/lib"
cp /usr/bin/true "$tmp/root/usr/bin/$nl"
printf '[Service]\nExecStart="/usr/bin/new\\nline"\n' > "$tmp/root/etc/systemd/system/nl.service"
"$S" preview --root "$tmp/root" --no-bin-sh nl.service > /dev/null 2> "$tmp/err"
check "a newline in a path to bind: refused by name, a unit file cannot carry it" grep -q 'control character' "$tmp/err"

# an unreadable program, as a user who may not read it
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
        mkdir "$tmp/private"
        cp /usr/bin/true "$tmp/private/prog"
        chmod 700 "$tmp/private"
        chmod 755 "$tmp"
        setpriv --reuid=65534 --regid=65534 --clear-groups "$S" closure --list "$tmp/private/prog" > /dev/null 2> "$tmp/err"
        rc=$?
        check "an unreadable program: a non-zero exit and the reason" sh -c "test $rc -ne 0 && grep -q 'prog: Permission denied' '$tmp/err'"
fi

# an enormous unit file (above the 16 MiB systemd-sized limit we read)
{
        printf '[Service]\nExecStart=/usr/bin/true\n'
        head -c 17000000 /dev/zero | tr '\0' '#'
} > "$tmp/root/etc/systemd/system/big.service"
"$S" show --root "$tmp/root" big.service > /dev/null 2> "$tmp/err"
check "an enormous unit file: refused clearly (File too large), nothing read into memory" grep -q 'big.service.*File too large' "$tmp/err"

# a unit file full of garbage: loaded as far as it makes sense, no crash
head -c 100000 /dev/urandom > "$tmp/root/etc/systemd/system/garbage.service"
"$S" show --root "$tmp/root" garbage.service > /dev/null 2>&1
check "a unit file of random bytes: no crash" test $? -lt 128

# an ld.so.cache of random bytes in an image: the closure still comes (the loader's defaults)
mkdir -p "$tmp/img/etc" "$tmp/img/usr"
cp -a /usr/bin "$tmp/img/usr/" 2>/dev/null
ln -s usr/bin "$tmp/img/bin"
head -c 50000 /dev/urandom > "$tmp/img/etc/ld.so.cache"
"$S" closure --root "$tmp/img" --list /usr/bin/true > /dev/null 2> "$tmp/err"
rc=$?
check "a corrupt ld.so.cache: no crash, what is missing reported" sh -c "test $rc -lt 128 && grep -q '^missing ' '$tmp/err'"
# FIFOs where files belong: a program, a unit file, ld.so.cache, a dpkg list, an EnvironmentFile=, the
# installed drop-in. Each command ends (timeout 20 s would mean it blocked) and names the file.
F=$tmp/fifo
mkdir -p "$F/etc/systemd/system/f.service.d" "$F/usr/bin" "$F/lib64" "$F/var/lib/dpkg/info"
cp /usr/bin/true "$F/usr/bin/"
cp -L /lib64/ld-linux-x86-64.so.2 "$F/lib64/"
printf '[Service]\nExecStart=/usr/bin/true\nEnvironmentFile=/env\n' > "$F/etc/systemd/system/f.service"
for p in prog etc/ld.so.cache etc/systemd/system/fifo.service etc/systemd/system/f.service.d/50-confinement.conf \
         var/lib/dpkg/info/x.list env; do mkfifo "$F/$p"; done
ends() { timeout 20 "$@" > "$tmp/out" 2> "$tmp/err"; test $? -ne 124; }
check "a FIFO as the program: refused as not a regular file" sh -c \
        "timeout 20 '$S' closure --root '$F' /prog > /dev/null 2> '$tmp/err'; test \$? -eq 1 && grep -q 'cannot read /prog (below the root .*): not a regular file' '$tmp/err'"
check "a FIFO as ld.so.cache and as a dpkg list: the closure comes" ends "$S" closure --root "$F" --list /usr/bin/true
check "a FIFO as a unit file: list ends" ends "$S" list --root "$F"
check "a FIFO as a unit file: show ends" ends "$S" show --root "$F" fifo.service
check "a FIFO as an EnvironmentFile=: named, not a regular file" sh -c \
        "timeout 20 '$S' show --root '$F' f.service 2>&1 | grep -q 'EnvironmentFile=/env cannot be read (not a regular file)'"
check "a FIFO as the installed drop-in: diff ends" ends "$S" diff --root "$F" --no-bin-sh f.service
# an argument naming kernel files (in this image plain files play /proc/kmsg and /dev/zero): the API file
# systems come with the mode, never as binds (the host's /proc/kmsg bound in would also block a reader)
mkdir -p "$F/proc" "$F/dev" "$F/bin"
echo x > "$F/proc/kmsg"
echo x > "$F/dev/zero"
cp /usr/bin/true "$F/bin/cat"
printf '[Service]\nExecStart=/bin/cat /proc/kmsg /dev/zero\n' > "$F/etc/systemd/system/k.service"
check "arguments naming /proc/kmsg and /dev/zero: preview ends and binds neither" sh -c \
        "timeout 20 '$S' preview --root '$F' --no-bin-sh k.service > '$tmp/k' 2>/dev/null; grep -q '^BindReadOnlyPaths=/bin/cat' '$tmp/k' && ! grep -q '/proc\\|/dev/' '$tmp/k'"
# environment files hold secrets: show names what they set, prints only PATH and LD_LIBRARY_PATH, and a
# file this user may not read is no reason to claim that systemd (root) will fail
P=$tmp/pub
mkdir -p "$P/etc/systemd/system" "$P/etc/default"
chmod 755 "$tmp" "$P"
printf 'SECRET=hunter2\nPATH=/opt/x/bin\n' > "$P/etc/default/e"
chmod 600 "$P/etc/default/e"
printf '[Service]\nExecStart=/usr/bin/true\nEnvironmentFile=-/etc/default/e\n' > "$P/etc/systemd/system/e.service"
"$S" show --root "$P" e.service > "$tmp/show-e" 2>&1
check "show: the names an EnvironmentFile= sets and its PATH, never the other values" sh -c \
        "grep -q 'the files set: SECRET PATH' '$tmp/show-e' && grep -q 'PATH=/opt/x/bin' '$tmp/show-e' && ! grep -q hunter2 '$tmp/show-e'"
if command -v setpriv > /dev/null && [ "$(id -u)" = 0 ]; then
        setpriv --reuid nobody --regid nogroup --clear-groups "$S" show --root "$P" e.service > "$tmp/show-n" 2>&1
        check "an EnvironmentFile= this user may not read: said so, without claiming systemd will fail" sh -c \
                "grep -q 'cannot be read by this user (Permission denied)' '$tmp/show-n' && ! grep -q 'refuse' '$tmp/show-n' && ! grep -q hunter2 '$tmp/show-n'"
fi
done_testing
