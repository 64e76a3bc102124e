#!/bin/sh
# list as systemctl users read it: the unit-file state (systemctl itself is the oracle), the width of a
# terminal, and the options they type.
. "${top_srcdir:-.}/tests/tap.sh"
S=${SDCONFINE:-./sdconfine}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

"$S" list --offline --no-legend | awk '{print $1, $5}' | sort > "$tmp/ours"
systemctl list-unit-files --type=service --no-legend --root=/ 2>/dev/null | awk '{print $1, $2}' | sort > "$tmp/theirs"
check "offline, the unit-file state of every service is systemctl's (enabled, static, masked...)" \
        sh -c "test -s '$tmp/theirs' && join '$tmp/ours' '$tmp/theirs' | awk '\$2 != \$3 { print; bad = 1 } END { exit bad }' && test \$(wc -l < '$tmp/ours') -eq \$(grep -vc ' alias\$' '$tmp/theirs')"
check "aliases are no rows of their own (systemctl lists them as 'alias')" sh -c "! grep -q ' alias\$' '$tmp/ours'"

# an image with a long unit name, a masked one and an enabled one
R=$tmp/root
mkdir -p "$R/etc/systemd/system/multi-user.target.wants" "$R/lib/systemd/system"
long=a-service-with-a-very-long-name-that-does-not-fit-in-a-terminal-row.service
printf '[Unit]\nDescription=%s\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n' \
        "A description long enough to be cut at eighty columns, as systemctl cuts it" > "$R/lib/systemd/system/$long"
printf '[Service]\nExecStart=/bin/true\n' > "$R/lib/systemd/system/plain.service"
printf '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n' > "$R/lib/systemd/system/on.service"
ln -s /lib/systemd/system/on.service "$R/etc/systemd/system/multi-user.target.wants/on.service"
ln -s /dev/null "$R/etc/systemd/system/plain.service"
COLUMNS=80 "$S" list --root "$R" > "$tmp/80"
check "at 80 columns no row is wider than 80" awk 'length($0) > 80 { exit 1 }' "$tmp/80"
check "at 80 columns a long name ends with an ellipsis" grep -q '^a-service-with-a-very.*\(…\|\.\.\.\) ' "$tmp/80"
COLUMNS=80 "$S" list --root "$R" --full > "$tmp/full"
check "--full keeps the whole name" grep -q "^$long " "$tmp/full"
check "the states: enabled, masked, disabled" sh -c "grep -q '^on.service .* enabled ' '$tmp/full' && grep -q '^plain.service .* masked ' '$tmp/full' && grep -q \"^$long .* disabled \" '$tmp/full'"
check "not on a terminal and no COLUMNS: nothing is cut" sh -c "env -u COLUMNS '$S' list --root '$R' | grep -q '^$long '"
"$S" list --root "$R" -q > "$tmp/q"
check "-q: the rows only" sh -c "! grep -q '^UNIT' '$tmp/q' && ! grep -q 'services (from' '$tmp/q' && test \$(wc -l < '$tmp/q') -eq 3"
check "--no-legend: the rows only" sh -c "'$S' list --root '$R' --no-legend | cmp -s - '$tmp/q'"
check "--no-pager is taken" "$S" list --root "$R" --no-pager
check "--json has the unit-file state offline" sh -c "'$S' list --root '$R' --json | grep -q '\"unit_file_state\": \"masked\"'"
check "an option list does not take is refused, exit 2" sh -c "'$S' list --restart 2>/dev/null; test \$? -eq 2"
check "list --help shows only list's options" sh -c "'$S' list --help | grep -q -- '--no-legend' && ! '$S' list --help | grep -q -- '--mode'"
check "revert --help does not list the settings" sh -c "! '$S' revert --help | grep -q -- '--package'"
check "apply --help explains --runtime, --no-reload, --restart and --keep" sh -c \
        "for o in runtime no-reload restart keep; do '$S' apply --help | grep -q -- \"--\$o \" || exit 1; done"
check "preview refuses the options it does not take, naming one" sh -c \
        "'$S' preview --restart --dir /x --json f nginx.service 2>&1 >/dev/null | grep -q -- '--restart is not an option of preview'"

# issue 16: what each directory bound whole exposes beyond the closure, on a real unit of this host
if [ -e /lib/systemd/system/nginx.service ]; then
        "$S" preview --offline --suggested --no-exposure nginx.service > "$tmp/nginx" 2> "$tmp/nginx.err"
        check "preview --suggested of a real unit lists the directories bound whole, why and what they expose" \
                sh -c "grep -q '^sdconfine: directories bound whole:' '$tmp/nginx.err' && grep -q '^sdconfine:   /[^ ]* ([a-z ]*[^)]*): [0-9]* binds\? -> 1, exposes [0-9]* more file' '$tmp/nginx.err'"
        check "the drop-in says above each directory bound whole what it exposes" \
                sh -c "grep -A1 '^# /[^ ]*: bound whole (' '$tmp/nginx' | grep -q '^Bind'"
        check "preview --json carries them as bound_whole" sh -c "'$S' preview --offline --suggested --no-exposure --json nginx.service 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin)[\"bound_whole\"]; assert d and all(m[\"replaced\"] >= 2 and m[\"why\"] for m in d)'"
fi
done_testing
