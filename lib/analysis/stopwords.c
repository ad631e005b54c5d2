/*
 * The Snowball German stop list (snowballstem.org, algorithms/german/
 * stop.txt, 231 words; additions below), in the form the analyzer tests:
 * case-folded and in canonical spelling (lupe_de_spelling leaves every
 * entry unchanged), so "daß" is stored as "dass".  Snowball lists the
 * possessive "unser" only through its stems (unse, unsem, unsen, unses),
 * since its list is meant to be matched after stemming; we match before
 * stemming and so add the inflected forms unsere, unserem, unseren,
 * unserer, unseres.
 *
 * Added to Snowball's list: the question words it lacks (wann, warum,
 * weshalb, wieso, wer, wem, wen, wessen, woher, wohin and the wo- adverbs
 * womit, wofür, worum, wodurch, worin, woran, worauf, wozu), "viele"/"vielen"
 * of "wie viele", and the passive auxiliary (wurde, wurden, worden) beside
 * the "werden" Snowball has.  In a question these say what kind of answer is
 * wanted, not what it is about; measured on the public question set
 * (bench/README.md) they lift MRR@10 by 0.003 and change nothing on the
 * compound set.  Stopwords are only flagged, so phrases still match them.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/german.h"

/* Sorted by bytes (UTF-8 order) for bsearch; tests/test_german.c looks up every entry. */
static const char *const stopwords[] = {
	"aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an", "ander",
	"andere", "anderem", "anderen", "anderer", "anderes", "anderm", "andern", "anderr",
	"anders", "auch", "auf", "aus", "bei", "bin", "bis", "bist", "da", "damit", "dann",
	"das", "dass", "dasselbe", "dazu", "dein", "deine", "deinem", "deinen", "deiner",
	"deines", "dem", "demselben", "den", "denn", "denselben", "der", "derer", "derselbe",
	"derselben", "des", "desselben", "dessen", "dich", "die", "dies", "diese", "dieselbe",
	"dieselben", "diesem", "diesen", "dieser", "dieses", "dir", "doch", "dort", "du",
	"durch", "ein", "eine", "einem", "einen", "einer", "eines", "einig", "einige",
	"einigem", "einigen", "einiger", "einiges", "einmal", "er", "es", "etwas", "euch",
	"euer", "eure", "eurem", "euren", "eurer", "eures", "für", "gegen", "gewesen", "hab",
	"habe", "haben", "hat", "hatte", "hatten", "hier", "hin", "hinter", "ich", "ihm", "ihn",
	"ihnen", "ihr", "ihre", "ihrem", "ihren", "ihrer", "ihres", "im", "in", "indem", "ins",
	"ist", "jede", "jedem", "jeden", "jeder", "jedes", "jene", "jenem", "jenen", "jener",
	"jenes", "jetzt", "kann", "kein", "keine", "keinem", "keinen", "keiner", "keines",
	"können", "könnte", "machen", "man", "manche", "manchem", "manchen", "mancher",
	"manches", "mein", "meine", "meinem", "meinen", "meiner", "meines", "mich", "mir",
	"mit", "muss", "musste", "nach", "nicht", "nichts", "noch", "nun", "nur", "ob", "oder",
	"ohne", "sehr", "sein", "seine", "seinem", "seinen", "seiner", "seines", "selbst",
	"sich", "sie", "sind", "so", "solche", "solchem", "solchen", "solcher", "solches",
	"soll", "sollte", "sondern", "sonst", "um", "und", "uns", "unse", "unsem", "unsen",
	"unser", "unsere", "unserem", "unseren", "unserer", "unseres", "unses", "unter", "viel",
	"viele", "vielen", "vom", "von", "vor", "wann", "war", "waren", "warst", "warum", "was",
	"weg", "weil", "weiter", "welche", "welchem", "welchen", "welcher", "welches", "wem",
	"wen", "wenn", "wer", "werde", "werden", "weshalb", "wessen", "wie", "wieder", "wieso",
	"will", "wir", "wird", "wirst", "wo", "wodurch", "wofür", "woher", "wohin", "wollen",
	"wollte", "womit", "woran", "worauf", "worden", "worin", "worum", "wozu", "wurde",
	"wurden", "während", "würde", "würden", "zu", "zum", "zur", "zwar", "zwischen", "über",
};

/*
 * word[0..n) against the entry s, in bytes (UTF-8 order), a shorter word
 * first: as memcmp of the common length and then the lengths, without the
 * strlen and memcmp calls.  Every word the analyzer makes is looked up, and
 * bsearch's calls cost ~370 instructions a word more (0.6% of the 1,000
 * short queries', callgrind).
 */
static int cmp_entry(const char *word, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char a = (unsigned char)word[i], b = (unsigned char)s[i];
		if (!b)
			return 1; /* the entry ends first */
		if (a != b)
			return a < b ? -1 : 1;
	}
	return s[n] ? -1 : 0;
}

int lupe_de_is_stopword(const char *word, size_t len)
{
	if (len == 0 || len > 16)
		return 0;
	size_t lo = 0, hi = sizeof stopwords / sizeof stopwords[0];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = cmp_entry(word, len, stopwords[mid]);
		if (r == 0)
			return 1;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}
