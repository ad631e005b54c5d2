#!/usr/bin/env python3
"""Write a zstd dictionary file (lib/index/zdict-*.bin) as a C source: its
bytes and its id, for lib/index/document.c.  Usage: gen_zdict.py DICT NAME OUT.c

The id is read from the dictionary's header (the magic 0xEC30A437, then the id,
4 bytes little-endian), so that the C constant cannot differ from it."""
import sys

src, name, out = sys.argv[1:4]
data = open(src, "rb").read()
if len(data) < 8 or data[:4] != b"\x37\xa4\x30\xec":
    sys.exit(f"{src}: not a zstd dictionary")
ident = int.from_bytes(data[4:8], "little")
with open(out, "w") as f:
    f.write(f"/* Generated from {src.rsplit('/', 1)[-1]} by tools/gen_zdict.py: do not edit. */\n")
    f.write("#include <stddef.h>\n\n")
    f.write(f"const unsigned {name}_id = {ident}u;\n")
    f.write(f"const size_t {name}_size = {len(data)};\n")
    f.write(f"const unsigned char {name}[{len(data)}] = {{\n")
    for i in range(0, len(data), 16):
        f.write("\t" + ", ".join(str(b) for b in data[i:i + 16]) + ",\n")
    f.write("};\n")
