#!/bin/sh
# Build the libFuzzer targets with clang (Debian's clang and libclang-rt): fuzz/out/fuzz-*.
# Usage: fuzz/build.sh SRCDIR BUILDDIR (BUILDDIR holds config.h)
set -eu
src=$1 build=$2
out=$build/fuzz/out
mkdir -p "$out"
CC=${FUZZ_CC:-clang}
core=$(ls "$src"/core/*.c)
for t in $(cat "$src/fuzz/targets"); do
        # FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION: the package index skips its checksums (pkg-index.c)
        $CC -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
                -include "$build/config.h" -I"$src/core" -I"$build" \
                $core "$src/fuzz/fuzz-$t.c" -o "$out/fuzz-$t" -ljansson -lcap -lsystemd -pthread
done
