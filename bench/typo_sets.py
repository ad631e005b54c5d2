#!/usr/bin/env python3
"""Typo question sets of the public typo set's kind, drawn anew with a seed:
how well do typo tolerance and did-you-mean hold beyond the one public set?

Each XQuAD question of xquad-de-public.tsv gets one typo of the usual kinds (a
letter dropped, doubled, two swapped, a neighbouring key on a German
keyboard; never the first or last letter) in its longest content word of 5
letters or more that the answering paragraph also writes, as the public set
does (typo-public.tsv: "one realistic typo in their longest content word").
Written as query TAB relevant-id TAB clean-word TAB typed-word, the columns
of typo-public.tsv, so bench/eval.py and bench/suggest_eval.py read it.

    python3 bench/typo_sets.py --seed 1 > /tmp/ty1.tsv
    cut -f1 /tmp/ty1.tsv > /tmp/ty1.q
    lupe-search --db IDX --json --queries /tmp/ty1.q > /tmp/ty1.json
    python3 bench/eval.py /tmp/ty1.tsv /tmp/ty1.json
    python3 bench/suggest_eval.py /tmp/ty1.tsv /tmp/ty1.json

--any-word takes the longest content word whether the paragraph writes it or
not (harder: a compound the collection lacks cannot be looked up).
"""
import argparse
import json
import os
import random
import re

ROWS = ["qwertzuiopü", "asdfghjklöä", "yxcvbnm"]
# Question and function words: never the word mistyped.
STOP = set("""wie viele welche welcher welches welchen welchem wer was wann wo warum wessen wem wen
woher wohin womit wodurch hat hatte haben hatten sind sein seine seiner war waren wurde wurden wird
werden ist der die das den dem des ein eine einer eines einem einen und oder nicht mit von für auf
aus bei nach über unter zwischen durch gegen ohne um als im in an zu zum zur vom beim sich man es
er sie""".split())
EVAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "eval")


def typo(w, rnd):
    for _ in range(20):
        i = rnd.randrange(1, len(w) - 1)
        kind = rnd.choice("dswr")
        if kind == "d":
            t = w[:i] + w[i + 1:]
        elif kind == "s":
            if w[i] == w[i + 1]:
                continue
            t = w[:i] + w[i + 1] + w[i] + w[i + 2:]
        elif kind == "w":
            t = w[:i] + w[i] + w[i:]
        else:
            ch, t = w[i].lower(), None
            for r in ROWS:
                if ch in r:
                    j = r.index(ch)
                    c = rnd.choice([r[x] for x in (j - 1, j + 1) if 0 <= x < len(r)])
                    t = w[:i] + (c.upper() if w[i].isupper() else c) + w[i + 1:]
            if t is None:
                continue
        if t != w:
            return t
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--eval-dir", default=EVAL, help="where xquad-de-public.tsv and xquad-de-paragraphs.jsonl are")
    ap.add_argument("--any-word", action="store_true")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    para = {}
    with open(os.path.join(a.eval_dir, "xquad-de-paragraphs.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            para[d["id"]] = set(re.findall(r"\w+", d.get("title", "") + " " + d["text"]))
    with open(os.path.join(a.eval_dir, "xquad-de-public.tsv"), encoding="utf-8") as f:
        for line in f:
            q, rid = line.rstrip("\n").split("\t")[:2]
            ws = [w for w in re.findall(r"\w+", q) if w.isalpha() and len(w) >= 5 and w.lower() not in STOP and
                  (a.any_word or w in para.get(rid, ()))]
            if not ws:
                continue
            w = max(ws, key=len)
            t = typo(w, rnd)
            if t:
                print("\t".join([re.sub(r"\b" + w + r"\b", t, q, count=1), rid, w, t]))


if __name__ == "__main__":
    main()
