#!/bin/sh
# The target_* functions are only called by name ("target_$name").
# shellcheck disable=SC2317
#
# Build a libFuzzer target with clang and run it for a while.
#
#   tests/fuzz/run-fuzz.sh TARGET SECONDS     e.g.  run-fuzz.sh query_parse 60
#   tests/fuzz/run-fuzz.sh --list
#
# TARGET names tests/fuzz/fuzz_TARGET.c.  The seed corpus is
# tests/fuzz/corpus/<corpus>/ and stays untouched: new inputs go to
# build-fuzz/TARGET/corpus/, crash/leak/timeout inputs to
# build-fuzz/TARGET/artifacts/.  Exits 0 when the run found nothing,
# non-zero on a finding or a build failure.
#
# Needs (Debian): clang-14 and libclang-rt-14-dev (libFuzzer and sanitizer
# runtimes).  Targets that use more of the library also need its -dev
# packages (pkg-config names in target_*() below).
#
# To add a target: write fuzz_NAME.c and a target_NAME() function that sets
# SOURCES (library files compiled in with the harness), CORPUS (a folder
# under corpus/), and optionally DICT, PKGS (pkg-config names) and
# EXTRA_CFLAGS / EXTRA_LIBS.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CC=${CC:-clang}
CXX=${CXX:-clang++}

target_query_parse() {
	SOURCES="lib/query/parse.c lib/util/utf8.c lib/util/buf.c"
	CORPUS=query
	DICT=query.dict
}

# The whole analysis pipeline (ICU segmentation, normalisation, stemming,
# compounds).  The decompounder's dictionary is generated as meson does.
target_analyzer() {
	SOURCES="lib/analysis/*.c lib/util/*.c $(decompound_dict)"
	CORPUS=analyzer
	DICT=analyzer.dict
	PKGS="icu-uc icu-i18n"
	EXTRA_LIBS="-lstemmer"
}

# lupe-index's JSON Lines reader (examples/jsonl.c), a line at a time.
target_jsonl() {
	SOURCES="examples/jsonl.c"
	CORPUS=jsonl
	DICT=jsonl.dict
	PKGS="json-c"
}

# lupe_sync_path()'s extraction: ICU charsets, libxml2's HTML parser, titles.
target_extract() {
	SOURCES="lib/index/extract.c lib/util/utf8.c lib/util/buf.c"
	CORPUS=extract
	PKGS="icu-uc icu-i18n libxml-2.0"
}

# The stored-record decoder (lib/index/document.c), on records as a damaged
# index may hand them over.  It links the whole library (document.c builds
# documents too).
target_record() {
	SOURCES=$(lib_sources)
	CORPUS=record
	PKGS="xapian-core libzstd icu-uc icu-i18n libxml-2.0"
	EXTRA_LIBS="-lstemmer -lpthread"
}

# The lexicon's value decoder (lib/shim/lexicon.cc): what a remote reader
# reads of a shard's two-byte prefix lists.
target_lexicon() {
	SOURCES=$(lib_sources)
	CORPUS=lexicon
	PKGS="xapian-core libzstd icu-uc icu-i18n libxml-2.0"
	EXTRA_LIBS="-lstemmer -lpthread"
}

# A document, a query and search flags on a real (temporary) index: adding,
# query building, typo tolerance, matching, snippets.
target_search() {
	SOURCES=$(lib_sources)
	CORPUS=search
	DICT=query.dict
	PKGS="xapian-core libzstd icu-uc icu-i18n libxml-2.0"
	EXTRA_LIBS="-lstemmer -lpthread"
}

# Every source of liblupe, the shim's C++ too, with the generated dictionaries.
lib_sources() {
	echo "lib/*.c lib/*/*.c lib/shim/*.cc $(decompound_dict) $(zdict)"
}

# The records' zstd dictionary as C (lib/meson.build does the same); prints its path.
zdict() {
	zdict_c="$out/zdict_de1.c"
	if [ ! -s "$zdict_c" ] || [ "$root/lib/index/zdict-de1.bin" -nt "$zdict_c" ] ||
		[ "$root/tools/gen_zdict.py" -nt "$zdict_c" ]; then
		python3 "$root/tools/gen_zdict.py" "$root/lib/index/zdict-de1.bin" lupe_zdict_de1 "$zdict_c.tmp" >&2
		mv "$zdict_c.tmp" "$zdict_c"
	fi
	echo "$zdict_c"
}

# Generate lib/analysis's word list into $out once; prints its path.
decompound_dict() {
	dict_c="$out/decompound_dict.c"
	if [ ! -s "$dict_c" ] || [ "$root/tools/gen_decomp_dict.py" -nt "$dict_c" ]; then
		english=
		[ -f /usr/share/dict/american-english ] && english=/usr/share/dict/american-english
		# shellcheck disable=SC2086
		python3 "$root/tools/gen_decomp_dict.py" /usr/share/dict/ngerman "$dict_c.tmp" $english >&2
		mv "$dict_c.tmp" "$dict_c"
	fi
	echo "$dict_c"
}

usage() {
	echo "usage: $0 TARGET SECONDS   (targets: $(targets))" >&2
	exit 2
}

targets() {
	sed -n 's/^target_\([a-z0-9_]*\)() {$/\1/p' "$0" | tr '\n' ' '
}

[ "${1:-}" = "--list" ] && { targets; echo; exit 0; }
[ $# -eq 2 ] || usage
name=$1
secs=$2
case $name in *[!a-z0-9_]*|'') usage ;; esac
case $secs in *[!0-9]*|'') usage ;; esac
command -v "target_$name" >/dev/null 2>&1 || { echo "$0: unknown target '$name'" >&2; usage; }

out="$root/build-fuzz/$name"
mkdir -p "$out/corpus" "$out/artifacts"
SOURCES='' CORPUS='' DICT='' PKGS='' EXTRA_CFLAGS='' EXTRA_LIBS=''
"target_$name"

pkg_cflags='' pkg_libs=''
if [ -n "$PKGS" ]; then
	# shellcheck disable=SC2086
	pkg_cflags=$(pkg-config --cflags $PKGS)
	# shellcheck disable=SC2086
	pkg_libs=$(pkg-config --libs $PKGS)
fi

flags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
objs=
cd "$root"
# shellcheck disable=SC2086
for src in "tests/fuzz/fuzz_$name.c" $SOURCES; do
	obj="$out/$(echo "$src" | tr '/' '_').o"
	case $src in
	*.cc) $CXX -std=c++17 $flags $pkg_cflags $EXTRA_CFLAGS -DLUPE_BUILDING -Iinclude -Ilib -c "$src" -o "$obj" ;;
	*) $CC -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $flags $pkg_cflags $EXTRA_CFLAGS \
		-DLUPE_BUILDING -Iinclude -Ilib -c "$src" -o "$obj" ;;
	esac
	objs="$objs $obj"
done
linker=$CC
case "$SOURCES" in *.cc*) linker=$CXX ;; esac
# shellcheck disable=SC2086
$linker $flags $objs $pkg_libs $EXTRA_LIBS -o "$out/fuzz_$name"

dict=
[ -n "$DICT" ] && dict="-dict=$here/$DICT"
echo "fuzzing $name for ${secs}s (corpus $out/corpus + tests/fuzz/corpus/$CORPUS)"
# libFuzzer exits non-zero on a crash, leak, timeout or out-of-memory.
# Findings of earlier runs stay in artifacts/; only new ones count.
touch "$out/.started"
status=0
# shellcheck disable=SC2086
"$out/fuzz_$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$out/artifacts/" $dict "$out/corpus" "$here/corpus/$CORPUS" || status=$?
if [ -n "$(find "$out/artifacts" -type f -newer "$out/.started")" ]; then
	echo "$0: findings in $out/artifacts/" >&2
	exit 1
fi
exit $status
