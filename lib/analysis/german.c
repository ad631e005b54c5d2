/*
 * German word-level rules: gendered forms (lupe_de_degender), ASCII
 * transliterations of umlauts (lupe_de_spelling) and feminine -in/-innen
 * forms before stemming (lupe_de_prestem).  The stopword list lives in
 * stopwords.c.  Every rule here runs at index time and at query time alike,
 * so a rule that is slightly wrong but consistent costs little; a rule that
 * merges two different words, or changes a word on its second application,
 * costs recall or precision for good.  tests/test_german.c holds a numbered
 * row for every rule and every exception below.
 */
#include <stdint.h>
#include <string.h>

#include "analysis/german.h"

/* ---------------------------------------------------------------------- */
/* Person nouns                                                            */
/* ---------------------------------------------------------------------- */

/*
 * Both the gender marker of degender ("LinkedIn" is not "Linked" + In) and
 * the feminine -in of prestem ("Termin" is not "Term" + in) are only taken
 * when the base looks like a German person noun.  That is decided on the
 * ending of the base: derivational suffixes that form person nouns
 * (Lehrer, Student, Praktikant, Friseur, Biolog, Journalist, Autor, ...),
 * each with a minimum base length in bytes so that short words (Login,
 * Florin, Biotin) stay out, plus a list of irregular bases (Ärzt-in,
 * Köch-in, Freund-in).
 */
struct suffix_rule {
	const char *s;
	size_t min_base; /* minimum length of the whole base, bytes */
};

static const struct suffix_rule person_suffixes[] = {
	{"er", 4},    /* Lehrerin, Managerin, Ministerin, Oberin */
	{"ent", 5},   /* Studentin, Präsidentin, Patientin */
	{"ant", 5},   /* Praktikantin, Lieferantin */
	{"and", 5},   /* Doktorandin, Diplomandin */
	{"eur", 5},   /* Friseurin, Ingenieurin, Redakteurin */
	{"ör", 5},    /* Frisörin */
	{"log", 5},   /* Biologin, Psychologin; not Login */
	{"gog", 5},   /* Pädagogin, Demagogin */
	{"ist", 5},   /* Journalistin, Polizistin, Christin */
	{"or", 5},    /* Autorin, Direktorin, Professorin; not Florin */
	{"ar", 5},    /* Bibliothekarin, Notarin, Nachbarin */
	{"är", 5},    /* Sekretärin, Millionärin */
	{"at", 5},    /* Kandidatin, Soldatin, Diplomatin */
	{"ot", 5},    /* Pilotin, Patriotin; not Biotin */
	{"eut", 5},   /* Therapeutin */
	{"graf", 5},  /* Fotografin */
	{"graph", 5}, /* Geographin */
	{"nom", 5},   /* Astronomin, Ökonomin */
	{"soph", 5},  /* Philosophin */
	{"arch", 5},  /* Monarchin */
	{"urg", 5},   /* Chirurgin, Dramaturgin */
	{"tekt", 5},  /* Architektin */
	{"iast", 5},  /* Gymnasiastin */
	{"leg", 5},   /* Kollegin; not (wieder)beginnen */
	{"teg", 5},   /* Strategin */
	{"es", 6},    /* Portugiesin, Libanesin, Vietnamesin */
};

/* Irregular feminine bases, matched at the end of the base (Zahnärztin). */
static const char *const person_bases[] = {
	"ärzt", "anwält", "köch", "gött", "gräf", "fürst", "könig", "herzog",
	"freund", "kund", "held", "gatt", "wirt", "hirt", "beamt", "expert",
	"genoss", "chef", "bot", "pat", "zar", "jüd", "türk", "sklav",
	"französ", "chines", "griech", "russ", "löw", "hünd", "wölf", "füchs",
	"herr", "bär", "gehilf", "gesell", "kamerad", "gefährt", "zeug", "feind",
	"päpst", "bischöf", "kapitän", "athlet", "naut", "prophet", "rebell", "patron",
	"tyrann", "sultan", "dän", "schwed", "tschech", "slowak", "schott", "brit",
	"kurd", "serb",
};

/*
 * Words that end in -in but are not feminine forms although their base has
 * a person ending: chemistry (Glycerin, Keratin, Nikotin), plants and
 * stones (Rosmarin, Aquamarin), names (Valentin, Konstantin) and the adverb
 * "hierin".  Matched at the end of the word, so compounds are covered
 * (Nitroglycerin, Kartoffelgratin); entries starting with '=' must be the
 * whole word.
 */
static const char *const not_feminine[] = {
	"glycerin", "glyzerin", "cholesterin", "ergosterin", "=sterin", "=pterin",
	"luciferin", "=hierin", "stearin", "saccharin", "marin", "mandarin",
	"nikotin", "carotin", "karotin", "keratin", "kreatin", "platin",
	"chromatin", "gelatin", "statin", "gratin", "valentin", "konstantin",
	"=kristin", "=quentin", "terpentin", "serpentin", "byzantin", "chlorin", "sacharin", "santorin",
	"=schwerin", "=severin",
};

/* Lower-case one byte of ASCII; other bytes unchanged. */
static unsigned char lc(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

/*
 * Whether word[0..n) ends with `suf` (lower case), ignoring ASCII case and
 * the case of Ä/Ö/Ü (degender sees raw words such as "ÄrztIn").
 */
static int ends_with_ci(const char *word, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	if (k > n)
		return 0;
	const unsigned char *w = (const unsigned char *)word + (n - k);
	const unsigned char *s = (const unsigned char *)suf;
	for (size_t i = 0; i < k; i++) {
		unsigned char c = lc(w[i]);
		/* Ä Ö Ü are C3 84 / C3 96 / C3 9C; ä ö ü are C3 A4 / C3 B6 / C3 BC. */
		if (i > 0 && w[i - 1] == 0xC3 && (c == 0x84 || c == 0x96 || c == 0x9C))
			c = (unsigned char)(c + 0x20);
		if (c != s[i])
			return 0;
	}
	return 1;
}

static int is_person_base(const char *base, size_t n)
{
	for (size_t i = 0; i < sizeof person_suffixes / sizeof person_suffixes[0]; i++)
		if (n >= person_suffixes[i].min_base && ends_with_ci(base, n, person_suffixes[i].s))
			return 1;
	for (size_t i = 0; i < sizeof person_bases / sizeof person_bases[0]; i++)
		if (ends_with_ci(base, n, person_bases[i]))
			return 1;
	return 0;
}

static int is_not_feminine(const char *word, size_t n)
{
	for (size_t i = 0; i < sizeof not_feminine / sizeof not_feminine[0]; i++) {
		const char *e = not_feminine[i];
		if (e[0] == '=') {
			if (strlen(e + 1) == n && ends_with_ci(word, n, e + 1))
				return 1;
		} else if (ends_with_ci(word, n, e)) {
			return 1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* lupe_de_degender                                                        */
/* ---------------------------------------------------------------------- */

/* Whether the byte before `end` ends a lower-case letter (a-z, ä ö ü ß). */
static int lower_letter_before(const char *word, size_t end)
{
	const unsigned char *w = (const unsigned char *)word;
	if (end >= 1 && w[end - 1] >= 'a' && w[end - 1] <= 'z')
		return 1;
	return end >= 2 && w[end - 2] == 0xC3 &&
	       (w[end - 1] == 0xA4 || w[end - 1] == 0xB6 || w[end - 1] == 0xBC || w[end - 1] == 0x9F);
}

/* Whether the byte before `end` ends a letter of either case (ASCII or Latin-1 range). */
static int letter_before(const char *word, size_t end)
{
	const unsigned char *w = (const unsigned char *)word;
	if (end < 1)
		return 0;
	unsigned char c = lc(w[end - 1]);
	if (c >= 'a' && c <= 'z')
		return 1;
	return end >= 2 && w[end - 2] == 0xC3 && w[end - 1] >= 0x80 && w[end - 1] <= 0xBF &&
	       w[end - 1] != 0x97 && w[end - 1] != 0xB7; /* not × ÷ */
}

/* Length of the suffix "in"/"innen" (any case) at the end of word[0..n), or 0. */
static size_t gender_suffix_ci(const char *word, size_t n)
{
	if (ends_with_ci(word, n, "innen"))
		return 5;
	if (ends_with_ci(word, n, "in"))
		return 2;
	return 0;
}

size_t lupe_de_degender(const char *word, size_t len)
{
	const char *w = word;
	size_t n = len;
	int paren = 0;

	/* "Mitarbeiter(innen)", "Mitarbeiter(in)": judged on what is inside. */
	if (n > 0 && w[n - 1] == ')') {
		n--;
		paren = 1;
	}
	size_t suf = gender_suffix_ci(w, n);
	if (suf == 0 || n < suf + 3)
		return len;
	size_t end = n - suf; /* where the marker or separator ends */

	if (paren) {
		size_t base = end - 1;
		return (w[base] == '(' && base >= 2 && letter_before(w, base)) ? base : len;
	}

	/*
	 * Explicit markers: colon, star, middle dot (C2 B7) and the brackets
	 * above.  They only ever mean a gender ending, so any base of two
	 * letters or more is taken.
	 */
	size_t sep = 0;
	if (w[end - 1] == ':' || w[end - 1] == '*')
		sep = 1;
	else if (end >= 2 && (unsigned char)w[end - 2] == 0xC2 && (unsigned char)w[end - 1] == 0xB7)
		sep = 2;
	if (sep) {
		/*
		 * A capital "In" after a colon also starts a sentence written
		 * without a space ("Hinweis:In diesem Fall"): then the base must
		 * look like a person noun ("Lehrer:Innen").
		 */
		size_t base = end - sep;
		return (base >= 2 && letter_before(w, base) && (w[end] != 'I' || is_person_base(w, base))) ? base
													     : len;
	}

	/*
	 * Slash, slash-hyphen and underscore also occur in paths and
	 * identifiers ("sign_in", "ein/in"), so the base must look like a
	 * person noun as well.
	 */
	if (w[end - 1] == '_' || w[end - 1] == '/' ||
	    (end >= 2 && w[end - 2] == '/' && w[end - 1] == '-')) {
		size_t base = end - (w[end - 1] == '-' ? 2 : 1);
		return (base >= 2 && letter_before(w, base) && is_person_base(w, base)) ? base : len;
	}

	/*
	 * Binnen-I: a capital I right after a lower-case letter, the rest in
	 * lower case ("MitarbeiterInnen", "StudentIn").  "LinkedIn", "CheckIn",
	 * "PlugIn" fail the person-noun test.
	 */
	if (w[end] == 'I' && (suf == 2 ? w[end + 1] == 'n' : memcmp(w + end + 1, "nnen", 4) == 0) &&
	    lower_letter_before(w, end) && is_person_base(w, end))
		return end;
	return len;
}

/* Bytes of the lower-case letter (a-z, ä ö ü ß) at w[i], or 0. */
static size_t lower_letter_at(const unsigned char *w, size_t len, size_t i)
{
	if (i < len && w[i] >= 'a' && w[i] <= 'z')
		return 1;
	if (i + 1 < len && w[i] == 0xC3 && (w[i + 1] == 0xA4 || w[i + 1] == 0xB6 || w[i + 1] == 0xBC || w[i + 1] == 0x9F))
		return 2;
	return 0;
}

size_t lupe_de_degender_inner(const char *word, size_t len, char *out, size_t cap)
{
	const unsigned char *w = (const unsigned char *)word;
	for (size_t k = 2; k + 5 < len; k++) {
		size_t m; /* marker bytes before the ending */
		if (w[k] == ':' || w[k] == '*' || w[k] == '_' || (w[k] == '/' && w[k + 1] != '-'))
			m = 1;
		else if ((w[k] == 0xC2 && w[k + 1] == 0xB7) || (w[k] == '/' && w[k + 1] == '-'))
			m = 2;
		else if (w[k] == 'I' && lower_letter_before(word, k))
			m = 0; /* Binnen-I: the I is the ending's */
		else
			continue;
		size_t s = k + m;
		if (len - s < 5 || (w[s] != 'i' && w[s] != 'I') || memcmp(w + s + 1, "nnen", 4) != 0)
			continue;
		/* The rest: lower-case letters only, three at least. */
		size_t r = s + 5, l, letters = 0;
		for (size_t i = r; i < len; i += l, letters++)
			if (!(l = lower_letter_at(w, len, i)))
				return 0;
		/*
		 * A person noun before the marker, whatever the marker: a colon
		 * or star without a space also runs words together
		 * ("Haus:innentür", "Thema:innenpolitik").
		 */
		if (letters < 3 || !letter_before(word, k) || !is_person_base(word, k) || k + (len - r) > cap)
			return 0;
		memcpy(out, word, k);
		memcpy(out + k, word + r, len - r);
		return k + (len - r);
	}
	return 0;
}

size_t lupe_de_unspelled(const char *raw, size_t len, char *out, size_t cap)
{
	const unsigned char *w = (const unsigned char *)raw;
	size_t o = 0;
	int pair = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = w[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		if (c >= 'a' && c <= 'z') {
			if (o + 1 > cap)
				return 0;
			pair |= c == 'e' && o > 0 && (out[o - 1] == 'a' || out[o - 1] == 'o' || out[o - 1] == 'u');
			out[o++] = (char)c;
			continue;
		}
		if (c != 0xC3 || i + 1 == len || w[i + 1] < 0x80 || w[i + 1] > 0xBF || w[i + 1] == 0x97 ||
		    w[i + 1] == 0xB7)
			return 0;
		unsigned char d = w[++i];
		if (o + 2 > cap)
			return 0;
		if (d == 0x9F) { /* ß */
			out[o++] = 's';
			out[o++] = 's';
			continue;
		}
		out[o++] = (char)0xC3;
		out[o++] = (char)(d <= 0x9E ? d + 0x20 : d);
	}
	return pair ? o : 0;
}

/* ---------------------------------------------------------------------- */
/* lupe_de_spelling                                                        */
/* ---------------------------------------------------------------------- */

/*
 * ae, oe, ue become ä, ö, ü unless the letters are not an umlaut.  The
 * decision for a pair looks at the original letters around it; a pair is
 * kept when
 *
 *  - (ue) the letter before is a vowel other than u: steuer, neue, bauer,
 *    frauen, but neu|übersetzung; (oe) the letter before is a, o or u:
 *    kakaoernte, zooeingang, but religioes (religiös), geoeffnet (geöffnet);
 *  - (ue) it follows q: quelle, bequem, queue;
 *  - the letter after is i (zu|einander, kamera|einstellung), or for oe/ue
 *    a or u, or for ue o: no German word has äi, öi, üi, öa, üa, üo;
 *  - it ends the word: naturae, reggae, aloe, oboe, tue, statue, queue,
 *    blue (no German word but menü ends in ä, ö, ü); likewise final -ues
 *    (blues, issues), -muel/-nuel(s/a) (samuel, manuel, manuela), -ael(s);
 *  - (ue) -uell- after t, d, x, s or in -anuell-: aktuell, virtuell,
 *    eventuell, individuell, duell, sexuell, visuell, manuell (but
 *    müll = muell, knüller, füllen stay umlauts);
 *  - (ue) zu + er/ei/ess: zuerst, zuerkennen, zueinander, aufzuessen,
 *    but zürich, zürnen, zürcher (zuer + i/n/c);
 *  - (ue) tuen/tuend not after s, tuest: wohltuend, statuen (but stünden);
 *  - the patterns of keep_patterns (michael, israel, aerobic, poet,
 *    koeffizient, duett, guerilla, influenz, o|e compounds, ...).
 *
 * convert_patterns go the other way (geuebt = geübt, partei|über, menü).
 * Checked against /usr/share/dict/ngerman: of 73160 words with umlauts,
 * written with ae/oe/ue, 15 do not come back; of 5879 words that contain
 * ae/oe/ue, 49 (names, Ghanaer, Tetraeder-like loans) are changed.
 */

/*
 * Exception patterns.  The pair the pattern is about is written in capitals
 * ("michAEl"); "^" anchors a pattern at the start of the word, "$" at its
 * end.  A pattern matches when its letters surround the pair in question.
 */
static const char *const keep_patterns[] = {
	/* ae: names, loanwords, Greek and Latin */
	"michAEl", "mikAEl", "raphAEl", "^rafAEl", "isrAEl", "ismAEl", "AEro", "pAElla",
	"mAEstro", "kafkAEsk", "tAEder", "xAEder", "AEpid", "trAEder",
	/* oe: o + e-word compounds, ko-, poe-, names */
	"obOE", "^alOE", "pOEt", "pOEsi", "pOEm", "kOExist", "kOEffiz", "kOEduk", "kOEvol",
	"kOErzi", "kOEnzym", "OEx", "OEmp", "OEntw", "OEntk", "OElekt", "OElement",
	"OEffekt", "OEnerg", "OEthik", "OEdit", "OEtage", "ttOEr", "kontOEr", "ctOEr",
	"echOEr", "pseudOE", "homOEh", "homOEro", "gOEthe", "^sOEben", "jOEl", "citrOEn",
	"^OEcd", "^OEm$",
	/* ue: loanwords and zu + e-verb */
	"dUEtt", "bagUEtt", "statUE", "blUEtooth", "blUEs", "gUErill",
	"pUErto", "flUEn", "ongrUEn", "akkUE", "tUErei", "tUErisch", "igtUEr", "idUEn$",
	"revUE", "sUEz", "venezUEl", "bUEnos", "zUEb", "zUEnt", "^sUEde$",
};

/* Patterns in which a pair is converted although a rule below would keep it. */
static const char *const convert_patterns[] = {
	"geUEb",   /* geuebt = geübt, not steuer */
	"UEber",   /* partei|über, routine|über, not the vowel rule */
	"UEbl",    /* industrie|üblich */
	"menUE",   /* menü ends in ü */
	"pOEtt",   /* spoetter = spötter, not poet */
	"AEisch",  /* europaeisch = europäisch, not kamera|einstellung */
	"prAEi",   /* praeimplantation */
	"bOEig",   /* boeig = böig */
	"tschUEs", /* tschüs */
};
/* The scanner keeps the original bytes just left of the current position, so
 * that out may equal in: a pair's left context is read before it is overwritten. */
#define BACK 32

struct scan {
	const unsigned char *in;
	size_t len;
	size_t i;                 /* current position */
	unsigned char back[BACK]; /* in[p] for p in [i - BACK, i) */
};

/* The original byte at position p (0 outside the word or beyond the window). */
static unsigned ch(const struct scan *s, size_t p, ptrdiff_t off)
{
	ptrdiff_t q = (ptrdiff_t)p + off;
	if (q < 0 || (size_t)q >= s->len)
		return 0;
	if ((size_t)q >= s->i)
		return s->in[q];
	if (s->i - (size_t)q > BACK)
		return 0;
	return s->back[(size_t)q % BACK];
}

/* Whether `str` occurs at position p + off. */
static int at(const struct scan *s, size_t p, ptrdiff_t off, const char *str)
{
	for (size_t k = 0; str[k]; k++)
		if (ch(s, p, off + (ptrdiff_t)k) != (unsigned char)str[k])
			return 0;
	return 1;
}

/* Whether position p + off is the end of the word. */
static int end_at(const struct scan *s, size_t p, ptrdiff_t off)
{
	ptrdiff_t q = (ptrdiff_t)p + off;
	return q >= 0 && (size_t)q == s->len;
}

/* Whether the pattern (see keep_patterns) matches around the pair at p. */
static int pattern_at(const struct scan *s, size_t p, const char *pat)
{
	int anchored = 0;
	if (*pat == '^') {
		anchored = 1;
		pat++;
	}
	ptrdiff_t off = 0;
	while (pat[off] && !(pat[off] >= 'A' && pat[off] <= 'Z'))
		off++;
	if (anchored && (ptrdiff_t)p != off)
		return 0;
	size_t k;
	for (k = 0; pat[k] && pat[k] != '$'; k++)
		if (ch(s, p, (ptrdiff_t)k - off) != lc((unsigned char)pat[k]))
			return 0;
	return pat[k] != '$' || end_at(s, p, (ptrdiff_t)k - off);
}

static int is_vowel(unsigned c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

/* Whether the character ending just before p + off is ä, ö or ü. */
static int umlaut_before(const struct scan *s, size_t p, ptrdiff_t off)
{
	unsigned b = ch(s, p, off - 1);
	return ch(s, p, off - 2) == 0xC3 && (b == 0xA4 || b == 0xB6 || b == 0xBC);
}

/* Whether the character starting at p + off is ä, ö or ü. */
static int umlaut_at(const struct scan *s, size_t p, ptrdiff_t off)
{
	unsigned b = ch(s, p, off + 1);
	return ch(s, p, off) == 0xC3 && (b == 0xA4 || b == 0xB6 || b == 0xBC);
}

/* Decide whether the pair at position p (in[p] is a/o/u, in[p+1] is e) is kept. */
static int keep_pair(const struct scan *s, size_t p)
{
	unsigned v = ch(s, p, 0);
	unsigned prev = ch(s, p, -1);
	unsigned next = ch(s, p, 2);

	/* Conversions that override the rules below (menuett is no menü). */
	if (pattern_at(s, p, "menUEtt"))
		return 1;
	for (size_t k = 0; k < sizeof convert_patterns / sizeof convert_patterns[0]; k++)
		if (pattern_at(s, p, convert_patterns[k]))
			return 0;

	for (size_t k = 0; k < sizeof keep_patterns / sizeof keep_patterns[0]; k++)
		if (pattern_at(s, p, keep_patterns[k]))
			return 1;

	/* Final pair and the final endings of Latin, English and names. */
	if (end_at(s, p, 2))
		return 1;
	if (v == 'u' && next == 's' && end_at(s, p, 3))
		return 1;
	if (next == 'l' && (v == 'a' || (v == 'u' && (prev == 'm' || prev == 'n'))) &&
	    (end_at(s, p, 3) || (ch(s, p, 3) == 's' && end_at(s, p, 4)) ||
	     (v == 'u' && ch(s, p, 3) == 'a' && end_at(s, p, 4))))
		return 1;

	/*
	 * A vowel after the pair: no German word has äi, öi, öa, öu, üi, üa,
	 * üu, üo, so these are compounds (kamera|einstellung, video|einstellung,
	 * zu|einander).  äa, äo, äu and öo do occur (mäander, paläontologie,
	 * häuser, homöopathie).
	 */
	if (next == 'i' || umlaut_at(s, p, 2) ||
	    (v != 'a' && (next == 'a' || next == 'u')) || (v == 'u' && next == 'o'))
		return 1;

	if (v == 'o' && (prev == 'a' || prev == 'u' || umlaut_before(s, p, 0)))
		return 1;
	if (v != 'u')
		return 0;

	/* ue from here on. */
	if ((is_vowel(prev) && prev != 'u') || umlaut_before(s, p, 0) || prev == 'q')
		return 1;
	if (at(s, p, 2, "ll") && (prev == 't' || prev == 'd' || prev == 'x' || prev == 's' ||
				  at(s, p, -2, "an")))
		return 1;
	if (prev == 'z' && next == 'r') {
		unsigned r = ch(s, p, 3);
		if (r != 0 && r != 'i' && r != 'n' && r != 'c')
			return 1;
	}
	if (prev == 'z' && at(s, p, 2, "ss"))
		return 1;
	if (prev == 't' && ch(s, p, -2) != 's' && next == 'n' &&
	    (ch(s, p, 3) == 'd' || end_at(s, p, 3)))
		return 1;
	if (prev == 't' && (at(s, p, 2, "st") && end_at(s, p, 4)))
		return 1;
	return 0;
}

/*
 * One left-to-right pass over in[0..len), writing out[0..n) (n <= len, at a
 * character boundary).  Returns the length written; *changed tells whether
 * a pair was converted.
 */
static size_t spelling_pass(const unsigned char *in, size_t len, size_t n, char *out, int *changed)
{
	struct scan s = {.in = in, .len = len, .i = 0};
	*changed = 0;
	while (s.i < n) {
		size_t i = s.i;
		unsigned char c = in[i];
		if (i + 1 < len && in[i + 1] == 'e' && (c == 'a' || c == 'o' || c == 'u') &&
		    !keep_pair(&s, i)) {
			if (i + 2 > n)
				break;
			s.back[i % BACK] = c;
			s.back[(i + 1) % BACK] = 'e';
			out[i] = (char)0xC3;
			out[i + 1] = (char)(c == 'a' ? 0xA4 : c == 'o' ? 0xB6 : 0xBC);
			s.i = i + 2;
			*changed = 1;
			continue;
		}
		s.back[i % BACK] = c;
		out[i] = (char)c;
		s.i = i + 1;
	}
	return s.i;
}

size_t lupe_de_spelling(const char *in, size_t len, char *out, size_t cap)
{
	const unsigned char *u = (const unsigned char *)in;
	size_t n = len < cap ? len : cap;

	/* Never cut a UTF-8 sequence when the output is truncated. */
	if (n < len)
		while (n > 0 && (u[n] & 0xC0) == 0x80)
			n--;

	/*
	 * Most words hold no a, o or u before an e: then a pass only copies
	 * them, byte by byte with its look-behind ring.  Looking for such a
	 * pair first and copying at once: -0.2% of the 1,000 short queries'
	 * instructions (callgrind), and every indexed word passes here too.
	 */
	size_t k = 0;
	while (k < n && !(k + 1 < len && u[k + 1] == 'e' && (u[k] == 'a' || u[k] == 'o' || u[k] == 'u')))
		k++;
	if (k == n) {
		memmove(out, in, n);
		return n;
	}
	int changed;
	size_t m = spelling_pass(u, len, n, out, &changed);
	/*
	 * A conversion can change the context of a pair that was kept ("aeroek":
	 * the ö breaks the pattern "aero").  Passing again until nothing changes
	 * makes the result a fixed point, so that the function is idempotent as
	 * the analyzer needs.  Every further pass converts a pair or stops.
	 */
	while (changed)
		m = spelling_pass((const unsigned char *)out, m, m, out, &changed);
	return m;
}

/* ---------------------------------------------------------------------- */
/* lupe_de_prestem                                                         */
/* ---------------------------------------------------------------------- */

/*
 * -innen or -in is removed when what is left is a person noun (see
 * is_person_base) and the word is not one of not_feminine.  Verbs in
 * -innen (beginnen, gewinnen, spinnen) and nouns such as Termin, Berlin,
 * Benzin, Medizin, Disziplin, Magazin, Vitamin, Protein, Cousin keep their
 * ending because their bases (beg, gew, term, berl, ...) have no person
 * ending.
 */
size_t lupe_de_prestem(const char *word, size_t len)
{
	size_t suf;
	if (len > 5 && memcmp(word + len - 5, "innen", 5) == 0)
		suf = 5;
	else if (len > 2 && memcmp(word + len - 2, "in", 2) == 0)
		suf = 2;
	else
		return len;
	if (suf == 2 && is_not_feminine(word, len))
		return len;
	return is_person_base(word, len - suf) ? len - suf : len;
}
