"""Lets `pytest` run from the top of the repository or from bindings/python:
the package and these helpers go on sys.path, and without $LUPE_LIBRARY the
library of a meson build in the repository (build*/lib/liblupe.so) is used,
so that a fresh clone's `meson setup build && meson compile -C build &&
pytest` tests what it built rather than whatever liblupe is installed."""
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(PKG))
for p in (PKG, HERE):
    if p not in sys.path:
        sys.path.insert(0, p)

if not os.environ.get("LUPE_LIBRARY"):
    built = sorted(glob.glob(os.path.join(ROOT, "build*", "lib", "liblupe.so")),
                   key=os.path.getmtime, reverse=True)
    if built:
        os.environ["LUPE_LIBRARY"] = built[0]
