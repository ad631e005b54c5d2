#!/usr/bin/env python3
"""Build the decompounder's dictionary as a C source file.

usage: gen_decomp_dict.py GERMAN_LIST OUTPUT.c [ENGLISH_LIST]

GERMAN_LIST is Debian's wngerman list (/usr/share/dict/ngerman), one word a
line.  ENGLISH_LIST (optional, e.g. wamerican's american-english) marks
German entries that are English words too, for the English guard in
decompound.c.  The output holds a read-only open-addressing hash table of
every usable word; see lib/analysis/README-decompound.md for the layout.
The hash function and flag values must match decompound.c.
"""

import sys
import unicodedata

# Flags, as in decompound.c.  wngerman keeps only the lower-case spelling of
# a word that is both a noun and another word (Bahn/bahn, Schule/schule), so
# F_LOWER alone does not mean "not a noun"; F_NOUN does mean "a noun".
F_NOUN = 1       # the list has the word capitalised only (a noun or a name)
F_LOWER = 2      # the list has it in lower case (verb, adjective, ... or noun)
F_ENGLISH = 4    # also an English word
F_FUNC = 8       # a function word or particle: never a part
F_TAKES_S = 16   # as a modifier mostly takes a linking -s- (betrieb|s|rat)

# Words that must never become a part: function words split
# lexicalised words along a prefix ("gegen|stand", "unter|richt", "zusammen|arbeit")
# and carry no meaning of their own for search.
FUNCTION_WORDS = """
aber alle allem allen aller alles also andere anderen anders auch auf aus ausser
bald beim bereits besonders bevor bis bisher bitte bloss dabei dadurch dafür
dagegen daher dahin damit danach daneben dann daran darauf daraus darin darum
darunter darüber dass davon davor dazu dein deine denn dennoch deren derer dessen
diese diesem diesen dieser dieses doch dort durch eben ebenfalls eher eine einem
einen einer eines einige einigen einmal empor entgegen entlang entweder etwa etwas
euer eure fast fort ganz gegen gegenüber gemäss genau gerade gern gleich halt
heim her heran herauf heraus herbei herein herum herunter hervor hier hierzu
hin hinauf hinaus hinein hinten hinter hinterher hinunter hinweg hinzu ihre ihrem
ihren ihrer ihres immer indem infolge innen innerhalb inzwischen jede jedem jeden
jeder jedes jedoch jene jenem jenen jener jenes jetzt kaum kein keine keinem keinen
keiner keines mehr mein meine meist mittels nach nachdem nahe neben nebst nicht
nichts noch nunmehr nur ober oben oberhalb obwohl oder ohne samt schon sehr seid
sein seine seinem seinen seiner seit seitdem selbst sich sind so sobald sodass
solch solche sollte sondern sonst sowie sowohl statt trotz über überall übrigens
umher unser unsere unten unter unterhalb viel viele vielleicht voll voller vom von
vor voran voraus vorbei vorher vorne vorüber während wann warum weder wegen weil
weiter welche welchem welchen welcher welches wenig wenige wenn wer wessen wider
wieder wieso wir wird wo wobei wodurch wohl worden wurde würde zudem zuerst zugleich
zunächst zurück zusammen zuvor zwar zwischen
miss anti rück
ein mit vor aus auf bei für zum zur dem den der die das des und nie wie was wer ist hat war sei los
ins ans vom beim aufs fürs übers unters vors durchs ums
schaft schaften schafts
""".split()  # the last line: the suffix -schaft (eigen|schaften) is no part

MIN_CHARS = 3        # shorter words are never parts (decompound.c asks for 4, 3 for heads)
MAX_BYTES = 63       # the runtime never looks up longer substrings


def fnv1a(data):
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def norm(word):
    return unicodedata.normalize("NFKC", word).casefold()


def read_list(path):
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    entries = {}  # normalised word -> flags
    for raw in read_list(sys.argv[1]):
        if not raw.isalpha() or not raw[1:].islower() and len(raw) > 1:
            continue  # abbreviations (ABC), names like McDonald, apostrophes
        w = norm(raw)
        if len(w) < MIN_CHARS or len(w.encode()) > MAX_BYTES:
            continue
        fl = F_NOUN if raw[0].isupper() else F_LOWER
        entries[w] = entries.get(w, 0) | fl
    if len(sys.argv) == 4:
        # English words the German list lacks go in too, flagged English
        # only: the decompounder leaves them whole and never uses them as
        # parts (password must not become pass|word).
        for raw in read_list(sys.argv[3]):
            if not raw.isalpha() or not raw.islower():
                continue
            w = norm(raw)
            if len(w) >= MIN_CHARS and len(w.encode()) <= MAX_BYTES:
                entries[w] = entries.get(w, 0) | F_ENGLISH
    for w in FUNCTION_WORDS:
        if w in entries:
            entries[w] |= F_FUNC

    # A dictionary-only stand-in for frequencies (Koehn & Knight use corpus
    # counts): how many nouns of the list are built with the word as one of
    # two parts.  "berater" and "kommunikation" make many compounds, "verb"
    # and "raucher" few; a lexicalised word such as "verbraucher" makes
    # more than its accidental parts.  Every word of the list counts (its
    # inflected forms too), with simplified linking rules: the prior only
    # needs to be roughly right.
    family = dict.fromkeys(entries, 0)
    # How often a word is a modifier with a linking -s- and without one
    # (betriebs|rat against haus|boot), for F_TAKES_S.
    with_s = dict.fromkeys(entries, 0)
    without_s = dict.fromkeys(entries, 0)
    # Every reading counts (strass|en|bahn as well as strasse|n|bahn): the
    # head counts then tell them apart, since "strasse" ends many words of
    # the list and "strass" none.
    links = ("", "s", "es", "n", "en", "e")
    usable = (F_NOUN | F_LOWER)
    for w, fl in entries.items():
        if len(w) < 7 or not fl & usable:
            continue
        seen = set()
        for i in range(4, len(w) - 2):
            hfl = entries.get(w[i:])
            if hfl is None or hfl & F_FUNC or not hfl & usable:
                continue
            for link in links:
                j = i - len(link)
                if j < 4 or not w.startswith(link, j):
                    continue
                for m in (w[:j], w[:j] + "e"):
                    mfl = entries.get(m, F_FUNC)
                    if mfl & usable and not mfl & F_FUNC:
                        seen.add(m)
                        seen.add(w[i:])
                        if m == w[:j] and link == "s":
                            with_s[m] += 1
                        elif m == w[:j] and link == "":
                            without_s[m] += 1
        for p in seen:
            family[p] += 1

    # A modifier that takes -s- in most of its compounds: an s after it is
    # the link, not the start of the next part (betriebs|panne, not
    # betrieb|spanne).
    for w in entries:
        if with_s[w] >= 3 and with_s[w] > 2 * without_s[w]:
            entries[w] |= F_TAKES_S

    words = sorted(entries, key=lambda x: x.encode())
    nslots = 1
    while nslots < len(words) * 2:
        nslots *= 2
    mask = nslots - 1
    slots = [0] * nslots
    fps = [0] * nslots
    blob = bytearray(b"\0")  # offset 0 means an empty slot
    for w in words:
        b = w.encode()
        off = len(blob)
        prior = min(255, family[w])
        blob += bytes((len(b), entries[w], prior)) + b
        h = fnv1a(b)
        fp = (h >> 24) or 1
        i = h & mask
        while slots[i]:
            i = (i + 1) & mask
        slots[i] = off
        fps[i] = fp

    with open(sys.argv[2], "w", encoding="ascii") as out:
        out.write("/* Generated by tools/gen_decomp_dict.py from %s: do not edit. */\n"
                  % sys.argv[1].rsplit("/", 1)[-1])
        out.write("#include <stdint.h>\n\n")
        out.write("const uint32_t lupe_decomp_dict_nwords = %d;\n" % len(words))
        out.write("const uint32_t lupe_decomp_dict_mask = 0x%x;\n" % mask)
        out.write("const uint32_t lupe_decomp_dict_slots[] = {\n")
        for k in range(0, nslots, 12):
            out.write(",".join(str(x) for x in slots[k:k + 12]) + ",\n")
        out.write("};\n")
        out.write("const uint8_t lupe_decomp_dict_fp[] = {\n")
        for k in range(0, nslots, 32):
            out.write(",".join(str(x) for x in fps[k:k + 32]) + ",\n")
        out.write("};\n")
        # The words as string literal pieces (much faster to compile than a
        # list of numbers); adjacent literals are joined by the compiler.
        out.write("const char lupe_decomp_dict_blob[%d] =\n" % len(blob))
        for k in range(0, len(blob), 96):
            piece = blob[k:k + 96]
            out.write('"' + "".join("\\%03o" % c if c < 32 or c > 126 or c in (34, 63, 92)
                                    else chr(c) for c in piece) + '"\n')
        out.write(";\n")


if __name__ == "__main__":
    main()
