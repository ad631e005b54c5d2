#!/usr/bin/env python3
"""Issue 22's snippet check: do snippets show the word that was searched?

One-word queries of long words (at least --min-len letters, mostly compounds) drawn from the
collection's bodies with random.Random(--seed); each runs through lupe-search --json --limit 1.
When the top hit's body holds the query word as written (same letters and case, not inside a
longer word), its snippet must show it.  Prints how often it does, and the misses with --show.

    bench/snippet_check.py --collection bench/data/collection.jsonl --db DB [--build build-rel]
        [--n 1000] [--seed 22] [--min-len 12] [--by word|occurrence] [--show 20]

DB is an index of the same collection (lupe-index --db DB --jsonl FILE).  Standard library only.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORD = re.compile(r"[^\W\d_]+")
SCAN = 64 * 1024  # bytes of a body searched first (lib/index/schema.h, LUPE_SNIPPET_SCAN_MAX)
KEPT = 1024 * 1024  # bytes of a body its record keeps for snippets (LUPE_RECORD_DEEP_MAX)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--collection", required=True, help="JSON Lines: id, title, text")
    ap.add_argument("--db", required=True, help="a lupe index of the collection")
    ap.add_argument("--build", default="build", help="meson build folder with examples/lupe-search")
    ap.add_argument("--n", type=int, default=1000, help="queries (default 1000)")
    ap.add_argument("--seed", type=int, default=22)
    ap.add_argument("--min-len", type=int, default=12, help="letters of a query word at least")
    ap.add_argument("--show", type=int, default=0, help="print this many misses")
    ap.add_argument("--by", choices=("word", "occurrence"), default="word",
                    help="draw distinct words alike (default), or as often as they occur")
    a = ap.parse_args()

    bodies = {}
    vocab = set()
    occurrences = []
    with open(a.collection, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            d = json.loads(line)
            text = d.get("text") or ""
            bodies[d["id"]] = text
            long_words = [w for w in WORD.findall(text) if len(w) >= a.min_len]
            vocab.update(long_words)
            if a.by == "occurrence":
                occurrences.extend(long_words)
    rng = random.Random(a.seed)
    if a.by == "word":
        words = rng.sample(sorted(vocab), min(a.n, len(vocab)))
    else:
        words = []
        seen = set()
        while len(words) < min(a.n, len(vocab)):
            w = rng.choice(occurrences)
            if w not in seen:
                seen.add(w)
                words.append(w)

    build = a.build if os.path.isabs(a.build) else os.path.join(ROOT, a.build)
    search = os.path.join(build, "examples", "lupe-search")
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as qf:
        qf.write("\n".join(words) + "\n")
    try:
        out = subprocess.run([search, "--db", a.db, "--json", "--limit", "1", "--queries", qf.name],
                             stdout=subprocess.PIPE, check=True).stdout.decode("utf-8")
    finally:
        os.unlink(qf.name)
    lines = out.splitlines()
    assert len(lines) == len(words), (len(lines), len(words))

    holds = shows = holds_kept = shows_kept = holds_scan = shows_scan = 0
    misses = []
    for word, line in zip(words, lines):
        r = json.loads(line)
        if not r.get("hits"):
            continue
        hit = r["hits"][0]
        as_written = re.compile(r"(?<!\w)%s(?!\w)" % re.escape(word))
        if not as_written.search(bodies.get(hit["id"], "")):
            continue
        holds += 1
        # Where the body first holds it: past KEPT bytes the index keeps no text to show.
        body = bodies[hit["id"]]
        at = len(body[:as_written.search(body).start()].encode("utf-8"))
        end = at + len(word.encode("utf-8"))
        kept, scan = end <= KEPT, end <= SCAN
        holds_kept += kept
        holds_scan += scan
        if as_written.search(hit["snippet"]):
            shows += 1
            shows_kept += kept
            shows_scan += scan
        else:
            misses.append((word, hit["id"], at, hit["snippet"]))
    print("queries %d, top hit holds the word as written %d, snippet shows it %d: %.1f%%"
          % (len(words), holds, shows, 100.0 * shows / holds if holds else 0.0))
    for size, h, s in ((SCAN, holds_scan, shows_scan), (KEPT, holds_kept, shows_kept)):
        print("of those holding it in their first %d KB: %d, snippet shows it %d: %.1f%%"
              % (size // 1024, h, s, 100.0 * s / h if h else 0.0))
    for word, doc, at, snip in misses[:a.show]:
        print("MISS %s  [%s @%d]  %s" % (word, doc, at, snip[:200]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
