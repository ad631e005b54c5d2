#!/bin/sh
# The out-of-the-box demo: install what is missing, build, index the bundled
# seed articles (data/corpus/) and run a German query against them.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
[ -d build ] || meson setup build >/dev/null
meson compile -C build >/dev/null
rm -rf demo-index demo-index.lupe-lock
build/examples/lupe-index --db demo-index data/corpus
build/examples/lupe-search --db demo-index --limit 3 "${@:-Kommunikation Berater}"
