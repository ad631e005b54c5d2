"""A PEP 517 build backend for this pure-Python package, standard library only.

Why not setuptools: a fresh venv has setuptools but not `wheel`, and
setuptools before 70.1 cannot make a wheel without it, so
`pip install ./bindings/python` would need the network.  Packing a few .py
files into a wheel (a zip with METADATA, WHEEL and RECORD) needs nothing,
so installs work offline, with or without --no-build-isolation.
"""
import base64
import hashlib
import os
import tarfile
import zipfile

NAME = "lupe"
VERSION = "0.1.0"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAG = "py3-none-any"

METADATA = """Metadata-Version: 2.1
Name: {name}
Version: {version}
Summary: Full-text search for German text: Python binding of liblupe (ctypes)
Requires-Python: >=3.7
Classifier: Programming Language :: Python :: 3
Classifier: Natural Language :: German
Classifier: Typing :: Typed
Description-Content-Type: text/markdown

{readme}"""

WHEEL = """Wheel-Version: 1.0
Generator: lupe_build
Root-Is-Purelib: true
Tag: {tag}
"""


def _package_files():
    """(archive name, path) of every file of the package, sorted."""
    out = []
    pkg = os.path.join(HERE, NAME)
    for name in sorted(os.listdir(pkg)):
        if name.endswith(".py") or name == "py.typed":
            out.append((NAME + "/" + name, os.path.join(pkg, name)))
    return out


def _metadata():
    with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    return METADATA.format(name=NAME, version=VERSION, readme=readme)


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (name, digest, len(data))


def _write_wheel(wheel_directory, entries):
    """entries: [(archive name, bytes)]; adds the dist-info and RECORD."""
    info = "%s-%s.dist-info" % (NAME, VERSION)
    entries = list(entries) + [
        (info + "/METADATA", _metadata().encode("utf-8")),
        (info + "/WHEEL", WHEEL.format(tag=TAG).encode("ascii")),
        (info + "/top_level.txt", (NAME + "\n").encode("ascii")),
    ]
    record = [_record_line(n, d) for n, d in entries] + [info + "/RECORD,,"]
    entries.append((info + "/RECORD", ("\n".join(record) + "\n").encode("utf-8")))
    filename = "%s-%s-%s.whl" % (NAME, VERSION, TAG)
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w",
                         zipfile.ZIP_DEFLATED) as z:
        for n, d in entries:
            z.writestr(zipfile.ZipInfo(n, date_time=(2020, 1, 1, 0, 0, 0)), d)
    return filename


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    entries = []
    for name, path in _package_files():
        with open(path, "rb") as f:
            entries.append((name, f.read()))
    return _write_wheel(wheel_directory, entries)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # A .pth file that puts this folder on sys.path (PEP 660).
    return _write_wheel(wheel_directory, [("__editable__.%s.pth" % NAME,
                                           (HERE + "\n").encode("utf-8"))])


def build_sdist(sdist_directory, config_settings=None):
    base = "%s-%s" % (NAME, VERSION)
    filename = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as t:
        for rel in ["pyproject.toml", "README.md", "_build/lupe_build.py"] + [
                n for n, _ in _package_files()]:
            t.add(os.path.join(HERE, rel), arcname=base + "/" + rel)
        pkg_info = _metadata().encode("utf-8")
        import io
        ti = tarfile.TarInfo(base + "/PKG-INFO")
        ti.size = len(pkg_info)
        t.addfile(ti, io.BytesIO(pkg_info))
    return filename
