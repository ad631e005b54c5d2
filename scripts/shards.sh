#!/bin/sh
# shards.sh - run a sharded lupe index on this machine (see docs/SHARDS.md).
#
#   shards.sh start DIR N BASEPORT   start N writable xapian-tcpsrv on 127.0.0.1,
#                                    ports BASEPORT.., databases DIR/shard0..;
#                                    writes DIR/shards.txt (pass it as --db)
#   shards.sh stop DIR               stop the servers started for DIR
#   shards.sh split INDEX N OUTDIR   split a lupe index into N local shards
#                                    (OUTDIR/shard0.., OUTDIR/shards.txt)
set -eu

die() { echo "shards.sh: $*" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

is_count() { case $1 in ''|*[!0-9]*) return 1;; esac; [ "$1" -ge 1 ]; }

start() {
	dir=$1 n=$2 base=$3
	is_count "$n" || die "N must be a number from 1 up"
	is_count "$base" || die "BASEPORT must be a port number"
	command -v xapian-tcpsrv >/dev/null || die "xapian-tcpsrv missing: apt-get install xapian-tools"
	command -v setsid >/dev/null || die "setsid missing (util-linux)"
	mkdir -p "$dir"
	list=$dir/shards.txt
	: > "$list.tmp"
	k=0
	while [ "$k" -lt "$n" ]; do
		port=$((base + k))
		[ -f "$dir/shard$k.pid" ] && kill -0 "$(cat "$dir/shard$k.pid")" 2>/dev/null &&
			die "shard $k is running already (stop first)"
		mkdir -p "$dir/shard$k"
		# Its own session: xapian-tcpsrv ends its process group on SIGTERM,
		# which must be its forked children, not the caller.
		setsid xapian-tcpsrv --writable --interface 127.0.0.1 --port "$port" "$dir/shard$k" \
			> "$dir/shard$k.log" 2>&1 < /dev/null &
		echo $! > "$dir/shard$k.pid"
		echo "tcp://127.0.0.1:$port" >> "$list.tmp"
		k=$((k + 1))
	done
	# Wait (at most 10 s) until every server listens.
	k=0 tries=0
	while [ "$k" -lt "$n" ]; do
		if grep -q Listening "$dir/shard$k.log" 2>/dev/null; then
			k=$((k + 1))
			continue
		fi
		kill -0 "$(cat "$dir/shard$k.pid")" 2>/dev/null || { cat "$dir/shard$k.log" >&2; stop "$dir"; die "shard $k did not start"; }
		tries=$((tries + 1))
		[ "$tries" -le 100 ] || { stop "$dir"; die "shard $k does not listen after 10 s"; }
		sleep 0.1
	done
	mv "$list.tmp" "$list"
	echo "$list"
}

stop() {
	dir=$1
	for pidfile in "$dir"/shard*.pid; do
		[ -f "$pidfile" ] || continue
		pid=$(cat "$pidfile")
		# The server and the children serving connections share its group.
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
		rm -f "$pidfile"
	done
}

split() {
	index=$1 n=$2 out=$3
	is_count "$n" || die "N must be a number from 1 up"
	# Built by meson with the library's own shard hash (tools/meson.build).
	bin=${LUPE_SHARD_SPLIT:-$root/${LUPE_BUILD:-build}/tools/lupe-shard-split}
	[ -x "$bin" ] || bin=$(command -v lupe-shard-split) ||
		die "no lupe-shard-split: build first (meson compile -C build) or set LUPE_SHARD_SPLIT"
	"$bin" "$index" "$n" "$out"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
start) [ $# -eq 3 ] || die "usage: shards.sh start DIR N BASEPORT"; start "$@";;
stop) [ $# -eq 1 ] || die "usage: shards.sh stop DIR"; stop "$@";;
split) [ $# -eq 3 ] || die "usage: shards.sh split INDEX N OUTDIR"; split "$@";;
*) die "usage: shards.sh start DIR N BASEPORT | stop DIR | split INDEX N OUTDIR";;
esac
