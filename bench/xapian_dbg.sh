#!/bin/sh
# Xapian with its symbols, for profiles that name Xapian's own functions.  Debian's libxapian30
# is stripped (no -dbgsym package is reachable here), so callgrind and perf show its ~50% of a
# search as bare addresses.  This builds the same upstream release as the installed package,
# -O2 -g as Debian builds it, into bench/out/xapian-dbg, and prints how to run a program on it:
#
#   bench/xapian_dbg.sh
#   LD_LIBRARY_PATH=bench/out/xapian-dbg/lib valgrind --tool=callgrind \
#       build-rel/examples/lupe-search --db IDX --json --queries FILE
#
# The source comes from the Debian archive (deb.debian.org, pool/main/x/xapian-core: the
# .orig.tarball of the installed version).  About 6 minutes on 2 cores; nothing is installed
# outside bench/out.  Same soname and ABI as the package, so lupe's builds load it unchanged;
# instruction counts agree with the package's within 0.5% (1,000 short queries on the
# collection: 2,913.6 M against 2,902.2 M).  For profiling only: tests and benchmarks proper
# use the installed library.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/out/xapian-dbg"
ver=$(dpkg-query -W -f='${Version}' libxapian30 2>/dev/null) || {
	echo "xapian_dbg: libxapian30 is not installed (scripts/deps.sh)" >&2
	exit 1
}
up=${ver%-*}
if [ -f "$out/lib/libxapian.so.30" ] && [ "$(cat "$out/version" 2>/dev/null)" = "$up" ]; then
	echo "xapian_dbg: cached: $out/lib (Xapian $up)" >&2
	echo "LD_LIBRARY_PATH=$out/lib"
	exit 0
fi
for t in curl xz make g++; do
	command -v "$t" >/dev/null || { echo "xapian_dbg: $t missing" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$out/src"
tarball="xapian-core_$up.orig.tar.xz"
curl -fsS --max-time 300 -o "$out/$tarball" "http://deb.debian.org/debian/pool/main/x/xapian-core/$tarball" || {
	echo "xapian_dbg: could not fetch $tarball from deb.debian.org" >&2
	exit 1
}
tar -xJf "$out/$tarball" -C "$out/src" --strip-components=1
cd "$out/src"
./configure -q --prefix="$out" --disable-documentation CXXFLAGS="-O2 -g" >"$out/configure.log" 2>&1
make -j"$(nproc)" >"$out/make.log" 2>&1
make install >"$out/install.log" 2>&1
echo "$up" >"$out/version"
echo "xapian_dbg: built $out/lib (Xapian $up)" >&2
echo "LD_LIBRARY_PATH=$out/lib"
