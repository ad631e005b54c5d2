"""A small parser for the C declarations of include/lupe.h (and the LuaJIT
cdef, which is written in the same C): functions, struct typedefs, #defines
and enum constants.  Enough for lupe.h's plain style; it is a test helper,
not a C parser."""
import re


def strip_comments(src):
    src = re.sub(r"/\*.*?\*/", " ", src, flags=re.S)
    return re.sub(r"//[^\n]*", " ", src)


def norm_type(t):
    """'const  char*' -> 'const char *'."""
    t = re.sub(r"\s*\*\s*", " * ", t)
    t = re.sub(r"\s+", " ", t).strip()
    return t.replace("* *", "**").replace("* *", "**")


def split_decl(decl):
    """'const lupe_span *highlights' -> ('const lupe_span *', 'highlights')."""
    decl = decl.strip()
    m = re.match(r"^(.*?)([A-Za-z_]\w*)\s*$", decl, re.S)
    if not m or not m.group(1).strip():
        return norm_type(decl), None  # an unnamed parameter
    return norm_type(m.group(1)), m.group(2)


def parse(src):
    """{'functions': {name: (ret, [param types])}, 'structs': {name: [(type, field)]},
    'opaque': set, 'defines': {name: text}, 'enums': {name: int},
    'callbacks': {name: (ret, [param types])} (function pointer typedefs)}"""
    defines = {}
    code = strip_comments(src)
    for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+(\w+)(?:[ \t]+([^\n]*))?$", code, re.M):
        defines[m.group(1)] = (m.group(2) or "").strip()
    code = re.sub(r"^[ \t]*#[^\n]*(\\\n[^\n]*)*", " ", code, flags=re.M)
    code = re.sub(r'extern\s+"C"\s*\{', " ", code)
    code = code.replace("LUPE_EXPORT", " ")
    structs, opaque, enums = {}, set(), {}

    def struct(m):
        fields = []
        for decl in m.group(1).split(";"):
            if not decl.strip():
                continue
            parts = decl.split(",")
            ftype, fname = split_decl(parts[0])
            fields.append((ftype, fname))
            base = re.sub(r"[\s\*]+$", "", ftype)
            for extra in parts[1:]:
                stars = extra.count("*")
                name = extra.replace("*", "").strip()
                fields.append((norm_type(base + " " + "*" * stars), name))
        structs[m.group(2)] = fields
        return " "

    def enum(m):
        value = -1
        for item in m.group(1).split(","):
            item = item.strip()
            if not item:
                continue
            if "=" in item:
                name, v = item.split("=", 1)
                value = int(v.strip(), 0)
            else:
                name, value = item, value + 1
            enums[name.strip()] = value
        return " "

    code = re.sub(r"typedef\s+struct\s*\{(.*?)\}\s*(\w+)\s*;", struct, code, flags=re.S)
    code = re.sub(r"typedef\s+enum\s*\{(.*?)\}\s*(\w+)\s*;", enum, code, flags=re.S)
    for m in re.finditer(r"typedef\s+struct\s+(\w+)\s+(\w+)\s*;", code):
        opaque.add(m.group(2))
    callbacks = {}
    for m in re.finditer(r"typedef\s+([^;()]*?)\(\s*\*\s*(\w+)\s*\)\s*\(([^;]*)\)\s*;", code):
        params = [p for p in m.group(3).split(",") if p.strip()]
        if [p.strip() for p in params] == ["void"]:
            params = []
        callbacks[m.group(2)] = (norm_type(m.group(1)), [split_decl(p)[0] for p in params])
    code = re.sub(r"typedef[^;]*;", " ", code)
    functions = {}
    for decl in code.split(";"):
        m = re.match(r"^\s*(.*?)\b(lupe_\w+)\s*\((.*)\)\s*$", decl, re.S)
        if not m:
            continue
        params = [p for p in m.group(3).split(",") if p.strip()]
        if [p.strip() for p in params] == ["void"]:
            params = []
        functions[m.group(2)] = (norm_type(m.group(1)), [split_decl(p)[0] for p in params])
    return {"functions": functions, "structs": structs, "opaque": opaque,
            "defines": defines, "enums": enums, "callbacks": callbacks}


def int_value(text, defines, enums):
    """The integer a #define or enum name stands for (None when not one)."""
    seen = 0
    while text in defines and seen < 10:
        text, seen = defines[text], seen + 1
    if text in enums:
        return enums[text]
    m = re.match(r"^\(?\s*(-?(?:0x[0-9a-fA-F]+|\d+))[uUlL]*\s*\)?$", text or "")
    return int(m.group(1), 0) if m else None
