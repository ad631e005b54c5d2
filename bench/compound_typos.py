#!/usr/bin/env python3
"""Compounds typed with one typo, alone: does the search find what the word
typed right finds, and does its suggestion name the word?

The words are compounds of 16-26 letters from /usr/share/dict/ngerman
(wngerman, a build dependency), not ending in -s or -n, drawn with --seed;
each gets one typo of the usual kinds (a letter dropped, doubled, two
swapped, a neighbouring key on a German keyboard), never in its first
three or last two letters.  Each build searches each typed word and each
word typed right in the same index:

  restores  the suggestion is the word
  other     a suggestion, not the word
  none      no suggestion
  overlap   mean share of the top 10 of the word typed right that the typed
            word's top 10 holds
  clean     suggestions made for words typed right (should be none)

    python3 bench/compound_typos.py --db IDX --lupe-build A [--lupe-build B]
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

ROWS = ["qwertzuiopü", "asdfghjklöä", "yxcvbnm"]


def typo(w, rnd):
    i = rnd.randrange(3, len(w) - 2)
    kind = rnd.choice("dswr")
    if kind == "d":
        return w[:i] + w[i + 1:]
    if kind == "s":
        return None if w[i] == w[i + 1] else w[:i] + w[i + 1] + w[i] + w[i + 2:]
    if kind == "w":
        return w[:i] + w[i] + w[i:]
    ch = w[i].lower()
    for r in ROWS:
        if ch in r:
            j = r.index(ch)
            near = [r[x] for x in (j - 1, j + 1) if 0 <= x < len(r)]
            return w[:i] + rnd.choice(near) + w[i + 1:]
    return None


def words(n, seed):
    rnd = random.Random(seed)
    with open("/usr/share/dict/ngerman", encoding="utf-8") as f:
        c = [w.strip() for w in f]
    c = [w for w in c if 16 <= len(w) <= 26 and w[0].isupper() and w.isalpha() and not w.endswith(("s", "n"))]
    rnd.shuffle(c)
    out = []
    for w in c[:n]:
        t = typo(w, rnd)
        if t and t != w:
            out.append((w, t))
    return out


def search(build, db, queries):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("\n".join(queries) + "\n")
        name = f.name
    try:
        out = subprocess.run([os.path.join(build, "examples", "lupe-search"), "--db", db, "--json",
                              "--queries", name], check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(name)
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True)
    ap.add_argument("--lupe-build", action="append", required=True)
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--show", action="store_true", help="list the words whose suggestion is not the word")
    a = ap.parse_args()
    pairs = words(a.n, a.seed)
    print(f"{len(pairs)} compounds, seed {a.seed}")
    for b in a.lupe_build:
        typed = search(b, a.db, [t for _, t in pairs])
        right = search(b, a.db, [w for w, _ in pairs])
        if len(typed) != len(pairs) or len(right) != len(pairs):
            sys.exit(f"{b}: {len(typed)} and {len(right)} answers for {len(pairs)} queries")
        sug = [d.get("suggestion") for d in typed]
        restores = sum(1 for (w, _), s in zip(pairs, sug) if s == w)
        other = sum(1 for (w, _), s in zip(pairs, sug) if s and s != w)
        ov = []
        for t, r in zip(typed, right):
            want = [h["id"] for h in r["hits"][:10]]
            if want:
                ov.append(len(set(want) & {h["id"] for h in t["hits"][:10]}) / len(want))
        clean = sum(1 for d in right if d.get("suggestion"))
        print(f"{b}: restores {restores} ({restores / len(pairs):.1%}), other {other}, "
              f"none {len(pairs) - restores - other}; overlap {sum(ov) / max(len(ov), 1):.3f} "
              f"over {len(ov)}; clean {clean}")
        if a.show:
            for (w, t), s in zip(pairs, sug):
                if s and s != w:
                    print(f"  {t} -> {s} (meant {w})")


if __name__ == "__main__":
    main()
