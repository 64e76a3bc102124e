#!/bin/sh
# A short run of every libFuzzer target (the long runs are 'make fuzz-run'): each must build with clang's
# fuzzer, address and undefined-behaviour sanitizers, and run 10 seconds on the seed corpus with no finding.
. "${top_srcdir:-.}/tests/tap.sh"
src=$(cd "${top_srcdir:-.}" && pwd)
build=$(cd "$(dirname "${SDCONFINE:-./sdconfine}")" && pwd)
command -v clang >/dev/null 2>&1 || skip_all "clang is not installed (apt-get install clang libclang-rt-14-dev)"
check "the fuzz targets build (clang -fsanitize=fuzzer,address,undefined)" sh "$src/fuzz/build.sh" "$src" "$build"
[ -x "$build/fuzz/out/fuzz-elf" ] || { done_testing; exit 0; }
sh "$src/fuzz/seed.sh" "$src" "$build" "$build/sdconfine" > /dev/null 2>&1
for t in $(cat "$src/fuzz/targets"); do
        dir=$(mktemp -d)
        cp -r "$build/fuzz/out/corpus-$t/." "$dir/"
        ( cd "$dir" && "$build/fuzz/out/fuzz-$t" -max_total_time=10 -timeout=10 -rss_limit_mb=2048 "$dir" > "$dir/log" 2>&1 )
        rc=$?
        grep -E 'ERROR|SUMMARY|Done' "$dir/log" | sed 's/^/# /' | tail -3
        check "fuzz-$t: 10 seconds, no finding" test $rc -eq 0
        rm -rf "$dir"
done
done_testing
