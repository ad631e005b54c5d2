#!/bin/sh
# Every test: the suite in a normal build, then again under ASan+UBSan, then
# the fuzzers.  Needs nothing beside the clone.  CI=true builds with -Werror.
# `meson test -C build --suite quick` is the under-a-minute tier.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
werror=false
[ "${CI:-}" = true ] && werror=true
[ -d build ] || meson setup build >/dev/null
meson configure build -Dwerror=$werror
meson compile -C build
meson test -C build --print-errorlogs
[ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
meson configure build-asan -Dwerror=$werror
meson compile -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C build-asan --print-errorlogs

# ---- Fuzzing (issue 8): each libFuzzer target for LUPE_FUZZ_SECONDS (60 in CI,
# 10 otherwise); a crash, leak or timeout fails the run (tests/fuzz/run-fuzz.sh).
fuzz_secs=${LUPE_FUZZ_SECONDS:-$([ "${CI:-}" = true ] && echo 60 || echo 10)}
mkdir -p build-fuzz
for target in $(tests/fuzz/run-fuzz.sh --list); do
	tests/fuzz/run-fuzz.sh "$target" "$fuzz_secs" >"build-fuzz/$target.log" 2>&1 ||
		{ tail -40 "build-fuzz/$target.log" >&2; echo "fuzz: $target found something (log: build-fuzz/$target.log)" >&2; exit 1; }
	grep -E '^(Done|stat::number_of_executed_units)' "build-fuzz/$target.log" | sed "s/^/fuzz $target: /"
done
