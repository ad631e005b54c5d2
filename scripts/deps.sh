#!/bin/sh
# Install the Debian packages lupe needs that are missing (idempotent, quiet
# when everything is there).  Run as root or with sudo available.
set -eu
PKGS="gcc g++ meson ninja-build pkg-config libxapian-dev xapian-tools libstemmer-dev libicu-dev \
check libjson-c-dev libzstd-dev wngerman wamerican snowball-data python3 python3-pytest neovim \
clang libclang-rt-14-dev valgrind libsqlite3-dev libxml2-dev"
# The Emacs package and its tests (emacs-module.h comes with emacs-common).
PKGS="$PKGS emacs-nox elpa-consult python3-mypy"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
