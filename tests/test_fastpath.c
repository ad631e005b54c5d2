/*
 * The two fast paths of analysis must not change a result:
 *
 *  - lupe_tokenize segments plain words itself and leaves the rest to ICU;
 *    its segments must equal ICU's over the whole text
 *    (lupe_tokenize_icu);
 *  - lupe_snippet analyses only windows found by a byte prefilter; its
 *    snippet, highlights and matches must equal those of the full analysis
 *    (lupe_snippet_ex with full = 1).
 *
 * Both are checked on a table of German cases made to trip them and on the
 * bundled articles (data/corpus), with queries made of each article's own
 * terms.  LUPE_FASTPATH_JSONL=FILE.jsonl runs the same comparisons over
 * every "title" and "text" of a JSON Lines file (bench/data/de-corpus.jsonl:
 * the 24 MB corpus); the test prints how many texts and hits it compared.
 */
#include <check.h>
#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "analysis/analyzer.h"
#include "analysis/tokenize.h"
#include "query/build.h"
#include "search/snippet.h"

/* Texts that reach every branch of the fold and the plain-chunk test. */
static const char *const cases[] = {
	"Die Ueberstunden der Mitarbeiter:innen und MitarbeiterInnen (Überstunden) sind gestiegen.",
	"Die Sch\xC3\xBCler:innenvertretung, B\xC3\xBCrger*innenbeteiligung, Lehrer_innenzimmer, "
	"Sch\xC3\xBClerInnenvertretung, Haus:innent\xC3\xBCr und die Sch\xC3\xBCler:innen-Vertretung.",
	"Haus- und Gartenarbeit, Wirtschafts-, Sozial- und Umweltpolitik sowie Ein- und Ausgabe.",
	"Die Kakao-Ernte und die Kakaoernte im Zooeingang; Zoo-Eingang.",
	"Die Social-Media-Strategie der Kommunikationsberater ist neu.",
	"Das Programm analy\xE2\x80\x90\n  siert binkd(8)-Protokolldateien und gs\xE2\x80\x90 hadow(5).",
	"Kom\xC2\xADmu\xC2\xADni\xC2\xADka\xC2\xADtion mit Soft-Hyphen und \xEF\xAC\x81nden (Ligatur).",
	"E-Mail an info@example.org oder https://www.example.org/pfad?x=1, www.lupe.de.",
	"Stra\xC3\x9F" "e, STRASSE, Ma\xC3\x9F" "e und Masse; \xC3\x84rztin, \xC3\x84RZTE, \xC3\xA4rztlich.",
	"z.B. usw. d.h. 3,5 Mio. Euro, 1.000.000 \xE2\x82\xAC, 2.0.1 und 10:30 Uhr; geht's? Peter's.",
	"\xE2\x80\x9E" "Fischglas\xE2\x80\x9C-artigen Zitate \xC2\xAB" "franz\xC3\xB6sisch\xC2\xBB und \xE2\x80\x9A" "einfach\xE2\x80\x98.",
	"Kolleg\xC2\xB7innen, Mitarbeiter*innen, Lehrer/-innen, Student_innen und Pr\xC3\xA4sident/in.",
	"PageNumber ReferenceValue iPhone McDonald's O'Neill l'\xC3\xA9t\xC3\xA9 caf\xC3\xA9 na\xC3\xAFve.",
	"x\xC2\xB2 + y\xC2\xB3 = \xC2\xBD; 5\xC2\xB0" "C; \xC2\xA7 12 Abs. 3; \xC3\x97 \xC3\xB7 \xC2\xB5m.",
	"u\xCC\x88" "ber (kombinierend) \xCE\xB1\xCE\xB2\xCE\xB3 \xD0\xB4\xD0\xB0 \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80 Ende.",
	"\"Zitat\" (Klammer) Ende. Frage? Ausruf! Doppelpunkt: Semikolon; Komma, \"(doppelt)\".",
	"Tab\tund\nZeilen\r\nwechsel\fund\vmehr   Leerzeichen \xC2\xA0gesch\xC3\xBCtzt\xE2\x80\xAFschmal.",
	"Bio- und Gentechnik, Vor- oder Nachteile, Personal-, Sach- und Reisekosten.",
	/* coordinations whose completed compound only the word before the hyphen can show (snippet.c) */
	"\xC3\x9C" "ber- und Unterf\xC3\xBChrung, Fern\xE2\x80\x90\n seh- und Radiotechnik, Kakao- und Erntezeit, "
	"\xEF\xAC\x81" "nanz- und Steuerpolitik, Ueber- oder Unterdruck.",
	"Social-Media- und Marketingabteilung - ein Gedankenstrich -, \xC3\x84rzte- und Pflegekammer, 3D- und "
	"4D-Druck, E- und U-Musik, Stra\xC3\x9F" "en- und Wegebau.",
	"www.example.de- und Webseiten, Peter's- und Pauls-Kirche, (Haus- und Gartenarbeit), \xE2\x80\x9EWohn- und "
	"Esszimmer\xE2\x80\x9C, Ein-/Ausgabe, Mess-,\tSteuer- und Regeltechnik.",
	"Neu\xC3\xBC" "bersetzung, Steuer, Feuer, Quelle, aktuell, Michael, Israel, Poet.",
	"feuerwehr-einsatz, bau-element, ko-existenz, zoo-ernte, Hausaerzte, Hausärzte.",
	"",
	"   ",
	"-",
	"--- ... !!! ((( )))",
	"Wort",
	/*
	 * Keys whose places are windows only where their term may stand
	 * (snippet.c, KR_SHORT and KR_SKIP): one- and two-letter terms as
	 * words, CamelCase and hyphen parts, ue for ü; terms whose key skips
	 * their e's after e, a hyphen, U+2010 or a sign, not after a letter.
	 */
	"Im Jahr 973 n. Chr. lebte ein Geologe; n-Gramme, (n), n\xE2\x80\x90\n Gramm, nBook und Kindern.",
	"Die MwSt. und die USt-IdNr., iPad und iOS; 10 Euro 2010, 10er-Pack und 1.10 Uhr; Ue, Oe und Tuer; OeNB, AeB.",
	"Die EU, die Pro-EU-Parteien und die E-U; \xC3\xBC" "ber Europa, Fr\xC3\xBC" "hjahr, E\xE2\x80\x90\n U und Erst\xC2\xAD" "ausgabe.",
	"Zuerst der Erste, der F\xC3\xBCrst und der Durst: Kakaoernte, Kakao-Ernte; erst recht, \xC3\xA9rst.",
	/* a key inside a key's place: "as" in JavaScript hides "script" */
	"JavaScript, TypeScript as well as AppleScript und Skript-Engine; Ausfall, Ast.",
	/* truncated compounds whose group starts after a sign, an e or not at a letter */
	"Kinder- und Jugendhilfe, \xE2\x80\x99Haus- und Gartenarbeit, Erd- und Gasleitung, Gr\xC3\xBCn\xE2\x80\x8BHaus- "
	"und Gartenarbeit, Ex-Kinder- und Jugendarbeit.",
	/* the head of a completion in the coordination's last word, its e dropped there or in the term */
	"Mais- und Kakaoernte, Kakao- und Weinernte, Bundes- und Landesliga, Kinder- und Zooaerzte.",
	/* box drawing and shapes between words, as manual pages draw tables */
	/* hyphen groups of plain words (tokenize.c, hyphen_chunk) and their neighbours */
	"Social-Media-Strategie. (Pr\xC3\xA4sentations-Folie) \"Haus-\" Haus-\r\nund Haus-\fund Haus-\vund "
	"Wirtschafts-, Sozial- und Umwelt-Politik; Haus-. (Haus-) -Wort Wort--Wort Wort- "
	"a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r Ein-/Ausgabe Sauerstoff-18 \xC3\x84rzte-Kammer: E-Mail-Adresse! Haus-",
	/* quiet signs (snippet.c): ellipses, angle brackets around URLs, pictographs and their selectors */
	"Tagesordnung\xE2\x80\xA6. Wort\xE2\x80\xA6Wort \xE2\x80\xA5 \xE2\x9F\xA8https://www.gnu.org/licenses/gpl.html"
	"\xE2\x9F\xA9 \xE2\x9F\xA8" "debian-l10n@lists.debian.org\xE2\x9F\xA9. Suche\xF0\x9F\x94\x8E\xEF\xB8\x8E" "Feld "
	"\xF0\x9F\x94\x8E\xEF\xB8\x8E Lupe\xEF\xB8\x8F, Haus\xE2\x80\xA6- und Gartenarbeit \xE2\x80\xA4 a\xE2\x80\xA4" "b.",
	"\xE2\x94\x82wptr \xE2\x94\x82 Schreibzeigerposition\xE2\x94\x82in der \xE2\x94\x9C\xE2\x94\x80\xE2\x94\xBC"
	"\xE2\x96\x88" "Block\xE2\x96\xA0" "Quadrat \xE2\x97\x8F Punkt\xE2\x97\xBF" "Ende \xE2\x94\x80\xE2\x94\x80.",
};

static lupe_analyzer *an;
static lupe_tokenizer *tz;

static void setup(void)
{
	ck_assert_int_eq(lupe_analyzer_new(&an, NULL), LUPE_OK);
	ck_assert_int_eq(lupe_tokenizer_new(&tz), 0);
}

static void teardown(void)
{
	lupe_analyzer_free(an);
	lupe_tokenizer_free(tz);
}

static size_t n_texts, n_hits;

/* lupe_tokenize and ICU alone give the same segments. */
static void same_segments(const char *text, size_t len)
{
	const lupe_seg *s;
	size_t n;
	ck_assert_int_eq(lupe_tokenize(tz, text, len, &s, &n), 0);
	lupe_seg *fast = n ? malloc(n * sizeof *fast) : NULL;
	if (n)
		memcpy(fast, s, n * sizeof *fast);
	size_t nf = n;
	ck_assert_int_eq(lupe_tokenize_icu(tz, text, len, &s, &n), 0);
	ck_assert_msg(nf == n, "%zu segments, ICU %zu: %.80s", nf, n, text);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(fast[i].start == s[i].start && fast[i].end == s[i].end && fast[i].kind == s[i].kind &&
				      fast[i].flags == s[i].flags,
			      "segment %zu [%zu,%zu) k%d f%u, ICU [%zu,%zu) k%d f%u: %.80s", i, fast[i].start, fast[i].end,
			      fast[i].kind, fast[i].flags, s[i].start, s[i].end, s[i].kind, s[i].flags, text);
	free(fast);
}

/* The snippet with the prefilter equals the one of the full analysis. */
static void same_snippet(const char *text, size_t len, const lupe_qterms *qt, size_t target)
{
	lupe_tokens toks = {0};
	lupe_buf a = {0}, b = {0};
	lupe_span *sa, *sb, *ma, *mb;
	size_t na, nb, nma, nmb;
	lupe_snip_keys *keys;
	ck_assert_int_eq(lupe_snip_keys_new(&keys, qt), 0);
	ck_assert_int_eq(lupe_snippet_ex(an, &toks, text, len, qt, keys, target, 1, &a, &sa, &na, &ma, &nma), 0);
	ck_assert_int_eq(lupe_snippet_ex(an, &toks, text, len, qt, keys, target, 0, &b, &sb, &nb, &mb, &nmb), 0);
	lupe_snip_keys_free(keys);
	if (!(a.len == b.len && memcmp(a.p, b.p, a.len) == 0) || nma != nmb) {
		fprintf(stderr, "matches full %zu fast %zu\n", nma, nmb);
		for (size_t i = 0; i < nma || i < nmb; i++)
			fprintf(stderr, "  %zu: full %.*s | fast %.*s\n", i, i < nma ? (int)(ma[i].end - ma[i].start) : 0,
				i < nma ? text + ma[i].start : "", i < nmb ? (int)(mb[i].end - mb[i].start) : 0,
				i < nmb ? text + mb[i].start : "");
	}
	ck_assert_msg(a.len == b.len && memcmp(a.p, b.p, a.len) == 0, "snippet differs:\n full %s\n fast %s", a.p,
		      b.p);
	ck_assert_msg(na == nb && (!na || memcmp(sa, sb, na * sizeof *sa) == 0), "highlights differ: %s", a.p);
	ck_assert_msg(nma == nmb && (!nma || memcmp(ma, mb, nma * sizeof *ma) == 0),
		      "matches differ (%zu vs %zu): %s", nma, nmb, a.p);
	n_hits++;
	free(sa);
	free(sb);
	free(ma);
	free(mb);
	lupe_buf_free(&a);
	lupe_buf_free(&b);
	lupe_tokens_release(&toks);
}

static void qt_add(lupe_qterms *qt, const char *t, size_t n, int prefix)
{
	lupe_buf *l = prefix ? &qt->prefixes : &qt->terms;
	ck_assert_int_eq(lupe_buf_append(l, t, n), 0);
	ck_assert_int_eq(lupe_buf_putc(l, '\0'), 0);
	if (prefix)
		qt->n_prefixes++;
	else
		qt->n_terms++;
}

/*
 * Queries from the text's own terms: every `step`-th token's term (so
 * compound parts, joined forms and completed compounds come in), one term
 * prefix, and `other`, terms the text may not hold.
 */
static void check_text(const char *text, size_t len, const lupe_qterms *other)
{
	same_segments(text, len);
	lupe_tokens toks = {0};
	ck_assert_int_ge(lupe_analyze_into(an, &toks, text, len, 0), 0);
	static const size_t steps[] = {1, 3, 7, 13};
	for (size_t si = 0; si < sizeof steps / sizeof steps[0]; si++) {
		lupe_qterms qt = {0};
		for (size_t i = si; i < toks.n && qt.n_terms < 200; i += steps[si])
			if (!(toks.v[i].flags & LUPE_TOKEN_STOPWORD) || steps[si] == 1)
				qt_add(&qt, lupe_itok_term(&toks, &toks.v[i]), toks.v[i].term_len, 0);
		if (toks.n && toks.v[toks.n / 2].term_len >= 4)
			qt_add(&qt, lupe_itok_term(&toks, &toks.v[toks.n / 2]), 3, 1);
		if (other) {
			const char *p = other->terms.p;
			for (size_t i = 0; i < other->n_terms && qt.n_terms < 250; i++, p += strlen(p) + 1)
				qt_add(&qt, p, strlen(p), 0);
		}
		same_snippet(text, len, &qt, 240);
		same_snippet(text, len, &qt, 60);
		lupe_qterms_free(&qt);
	}
	/* Each token alone, for short texts: every kind of token must be found on its own. */
	for (size_t i = 0; len < 400 && i < toks.n; i++) {
		lupe_qterms qt = {0};
		qt_add(&qt, lupe_itok_term(&toks, &toks.v[i]), toks.v[i].term_len, 0);
		same_snippet(text, len, &qt, 100);
		lupe_qterms_free(&qt);
	}
	lupe_tokens_release(&toks);
	n_texts++;
}

START_TEST(test_table)
{
	lupe_qterms other = {0};
	qt_add(&other, "hausarbeit", 10, 0);
	qt_add(&other, "ernt", 4, 0);
	qt_add(&other, "email", 5, 0);
	/* short terms and skipped e's in every row (snippet.c, KR_SHORT, KR_SKIP) */
	qt_add(&other, "n", 1, 0);
	qt_add(&other, "eu", 2, 0);
	qt_add(&other, "erst", 4, 0);
	qt_add(&other, "as", 2, 0);
	qt_add(&other, "script", 6, 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_text(cases[i], strlen(cases[i]), &other);
	lupe_qterms_free(&other);
	ck_assert_uint_gt(n_hits, 300); /* compared, not skipped */
}
END_TEST

/*
 * The fold takes 8 bytes at a time and the scan 16 places at a time where
 * it can: every case again at each offset from a block's start, so that a
 * dropped e, an umlaut, a hyphen or a key falls on each side of a block's
 * edge and on the edge itself.
 */
START_TEST(test_block_edges)
{
	static const char *const edge_cases[] = {
		"STEUERBERATER Frauen bauen Steuer-Erklaerung Zooeingang neue Feuerwehr",
		"Kakao-Ernte Haus- und Gartenarbeit Mitarbeiter:innen MitarbeiterInnen",
		"\xC3\x9C" "berstunden Ueberstunden uebersetzen Stra\xC3\x9F" "e Strasse Ma\xC3\x9F" "nahmen",
		"aaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeuuuuuuuuuuuuuuuuEEEEEEEEEEEEEEEE ooooooooeeee",
		"Berater beraten Beratung, Beraterin; Kommunikationsberater und Strategieberater.",
	};
	lupe_qterms other = {0};
	qt_add(&other, "steuer", 6, 0);
	qt_add(&other, "berat", 5, 0);
	size_t before = n_hits;
	for (size_t c = 0; c < sizeof edge_cases / sizeof edge_cases[0]; c++)
		for (size_t pad = 0; pad <= 17; pad++) {
			char text[256];
			int n = snprintf(text, sizeof text, "%.*s %s", (int)pad, "xxxxxxxxxxxxxxxxxxxxxxxx", edge_cases[c]);
			ck_assert_int_gt(n, 0);
			check_text(text, (size_t)n, &other);
		}
	lupe_qterms_free(&other);
	ck_assert_uint_gt(n_hits - before, 1000); /* compared, not skipped */
}
END_TEST

/* The prefilter really skips text: a long body with one match far inside. */
START_TEST(test_windows_found)
{
	lupe_buf t = {0};
	for (int i = 0; i < 200; i++)
		ck_assert_int_eq(lupe_buf_append(&t, "Ein Satz ohne das gesuchte Wort, nur Füllmaterial. ", 51), 0);
	const char *w = "Die Kommunikationsberater kamen. ";
	ck_assert_int_eq(lupe_buf_append(&t, w, strlen(w)), 0);
	lupe_qterms qt = {0};
	qt_add(&qt, "berat", 5, 0);
	lupe_tokens toks = {0};
	lupe_buf out = {0};
	lupe_span *sp, *m;
	size_t nsp, nm;
	lupe_snip_keys *keys;
	ck_assert_int_eq(lupe_snip_keys_new(&keys, &qt), 0);
	ck_assert_int_ge(lupe_snippet(an, &toks, t.p, t.len, &qt, keys, 100, &out, &sp, NULL, &nsp, &m, &nm), 0);
	lupe_snip_keys_free(keys);
	ck_assert_uint_eq(nm, 1);
	ck_assert_int_eq(memcmp(t.p + m[0].start, "Kommunikationsberater", 21), 0);
	ck_assert_ptr_nonnull(strstr(out.p, "Kommunikationsberater"));
	/* Only the window was analysed: the token list holds a few tokens, not the 1,800 of the body. */
	ck_assert_uint_lt(toks.n, 20);
	same_snippet(t.p, t.len, &qt, 100);
	free(sp);
	free(m);
	lupe_buf_free(&out);
	lupe_buf_free(&t);
	lupe_tokens_release(&toks);
	lupe_qterms_free(&qt);
}
END_TEST

/*
 * Keys that stand in most words are windows only where their term may
 * stand: the n of "n. Chr." in a body of words with n's, the "rst" of
 * erst in Fürst and Durst, the "u" of EU in über and neuen.  (Six
 * sentences: their places, which all count, stay below PLACES_MAX.)
 */
START_TEST(test_short_keys)
{
	lupe_buf t = {0};
	for (int i = 0; i < 6; i++) {
		const char *s = "Ein F\xC3\xBCrst mit Durst sprach \xC3\xBC" "ber einen neuen Plan, den keiner kannte. ";
		ck_assert_int_eq(lupe_buf_append(&t, s, strlen(s)), 0);
	}
	const char *w = "Er lebte 973 n. Chr. als erster in der EU. ";
	ck_assert_int_eq(lupe_buf_append(&t, w, strlen(w)), 0);
	lupe_qterms qt = {0};
	qt_add(&qt, "n", 1, 0);
	qt_add(&qt, "erst", 4, 0);
	qt_add(&qt, "eu", 2, 0);
	lupe_tokens toks = {0};
	lupe_snip_keys *keys;
	ck_assert_int_eq(lupe_snip_keys_new(&keys, &qt), 0);
	ck_assert_int_eq(lupe_analyze_near(an, &toks, t.p, t.len, keys, 0), 0);
	lupe_snip_keys_free(keys);
	/* The three words of the last sentence, not the 60 words with an n, rst or u before it. */
	size_t found = 0;
	for (size_t i = 0; i < toks.n; i++) {
		ck_assert_uint_ge(toks.v[i].start, t.len - strlen(w));
		found += lupe_qterms_match(&qt, lupe_itok_term(&toks, &toks.v[i]), toks.v[i].term_len);
	}
	ck_assert_uint_eq(found, 3);
	same_snippet(t.p, t.len, &qt, 100);
	lupe_tokens_release(&toks);
	lupe_qterms_free(&qt);
	lupe_buf_free(&t);
}
END_TEST

/*
 * A truncation hyphen is a window only when a key that begins with its
 * modifier goes on with what the coordination's last word holds
 * (snippet.c, coord_holds): each completed compound alone, in a body long
 * enough for the prefilter to analyse windows, not the whole.
 */
START_TEST(test_completion_heads)
{
	static const char *const rows[] = {
		"Haus- und Gartenarbeit, Bundes- und Landesliga, Kinder- und Jugendhilfe.",
		"Mais- und Kakaoernte, Kakao- und Weinernte, Weizen- oder Kakaoernte, Kinder- und Zooaerzte.",
		"Zier- und Speise\xEF\xAC\x81sche, Süß- und Salzwasser\xEF\xAC\x81sche.",
	};
	size_t before = n_hits;
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		lupe_buf t = {0};
		for (int i = 0; i < 20; i++)
			ck_assert_int_eq(lupe_buf_append(&t, "Ein Satz ohne das gesuchte Wort, nur Füllmaterial. ", 52), 0);
		size_t at = t.len;
		ck_assert_int_eq(lupe_buf_append(&t, rows[r], strlen(rows[r])), 0);
		for (int i = 0; i < 20; i++)
			ck_assert_int_eq(lupe_buf_append(&t, " Noch ein Satz ohne das gesuchte Wort.", 38), 0);
		lupe_tokens toks = {0};
		ck_assert_int_ge(lupe_analyze_into(an, &toks, t.p + at, strlen(rows[r]), 0), 0);
		size_t completed = 0;
		for (size_t i = 0; i < toks.n; i++) {
			if (!(toks.v[i].flags & LUPE_TOKEN_COMPLETED))
				continue;
			lupe_qterms qt = {0};
			qt_add(&qt, lupe_itok_term(&toks, &toks.v[i]), toks.v[i].term_len, 0);
			same_snippet(t.p, t.len, &qt, 100);
			lupe_qterms_free(&qt);
			completed++;
		}
		ck_assert_uint_ge(completed, 2);
		lupe_tokens_release(&toks);
		lupe_buf_free(&t);
	}
	ck_assert_uint_ge(n_hits - before, 6);
}
END_TEST

/* A body with more places than the limit is cut at the same word in both modes. */
START_TEST(test_many_places)
{
	lupe_buf t = {0};
	for (int i = 0; i < 2000; i++) { /* 54 KB: within the 64 KB read, far more places than are analysed */
		const char *w = i % 3 ? "Die Berater beraten. " : "Kommunikationsberater und Zoo-Eingang. ";
		ck_assert_int_eq(lupe_buf_append(&t, w, strlen(w)), 0);
	}
	lupe_qterms qt = {0};
	qt_add(&qt, "berat", 5, 0);
	qt_add(&qt, "eingang", 7, 0);
	same_snippet(t.p, t.len, &qt, 240);
	lupe_tokens toks = {0};
	lupe_snip_keys *keys;
	ck_assert_int_eq(lupe_snip_keys_new(&keys, &qt), 0);
	ck_assert_int_eq(lupe_analyze_near(an, &toks, t.p, t.len, keys, 0), 0);
	lupe_snip_keys_free(keys);
	size_t last = 0, matched = 0;
	for (size_t i = 0; i < toks.n; i++) {
		last = toks.v[i].end > last ? toks.v[i].end : last;
		matched += lupe_qterms_match(&qt, lupe_itok_term(&toks, &toks.v[i]), toks.v[i].term_len);
	}
	ck_assert_uint_lt(last, t.len / 4); /* stopped at the cut, well before the end */
	ck_assert_uint_ge(matched, 100);    /* but only after many places */
	lupe_tokens_release(&toks);
	lupe_qterms_free(&qt);
	lupe_buf_free(&t);
}
END_TEST

/*
 * Quiet signs (snippet.c, quiet_sign) make no window of their own, yet
 * count towards the places where the analysis stops as before.
 */
START_TEST(test_quiet_signs)
{
	lupe_qterms qt = {0};
	qt_add(&qt, "wort", 4, 0);
	lupe_tokens toks = {0};
	lupe_snip_keys *keys;
	ck_assert_int_eq(lupe_snip_keys_new(&keys, &qt), 0);
	/* Only the word's window: none for the signs and the words around them. */
	const char *t = "Tagesordnung\xE2\x80\xA6 Verweis \xE2\x9F\xA8https://x.org/a\xE2\x9F\xA9 Lupe\xF0\x9F\x94\x8E"
			"\xEF\xB8\x8E und ein Wort.";
	const char *w = strstr(t, "Wort");
	ck_assert_int_eq(lupe_analyze_near(an, &toks, t, strlen(t), keys, 0), 0);
	ck_assert_uint_gt(toks.n, 0);
	for (size_t i = 0; i < toks.n; i++)
		ck_assert_uint_ge(toks.v[i].start, (size_t)(w - t));
	same_snippet(t, strlen(t), &qt, 100);
	/* 130 signs of each kind, then the word: the analysis stops before it, as at 130 other signs (ł). */
	static const char *const signs[] = {"\xE2\x80\xA6 ", "\xE2\x9F\xA8 ", "\xF0\x9F\x94\x8E\xEF\xB8\x8E ",
					    "\xEF\xB8\x8F ", "\xC5\x82 "};
	for (size_t k = 0; k < sizeof signs / sizeof signs[0]; k++) {
		lupe_buf b = {0};
		for (int i = 0; i < 130; i++)
			ck_assert_int_eq(lupe_buf_append(&b, signs[k], strlen(signs[k])), 0);
		ck_assert_int_eq(lupe_buf_append(&b, "Wort Wort", 9), 0);
		ck_assert_int_eq(lupe_analyze_near(an, &toks, b.p, b.len, keys, 0), 0);
		size_t found = 0;
		for (size_t i = 0; i < toks.n; i++)
			found += lupe_qterms_match(&qt, lupe_itok_term(&toks, &toks.v[i]), toks.v[i].term_len);
		ck_assert_msg(found == 0, "sign %zu: the word past 128 signs was analysed", k);
		same_snippet(b.p, b.len, &qt, 100);
		lupe_buf_free(&b);
	}
	lupe_snip_keys_free(keys);
	lupe_tokens_release(&toks);
	lupe_qterms_free(&qt);
}
END_TEST

/*
 * The window cache (snippet.c) serves each window's tokens from the first
 * hit of a query that met the window: one query's keys over thousands of
 * bodies, far more distinct windows than the cache has slots, so that
 * windows meet in a slot, and windows that differ in one byte, in their
 * length or only in case.  Each snippet must equal the full analysis.
 */
START_TEST(test_window_cache)
{
	static const char *const heads[] = {"Haus", "Garten", "Steuer", "Kommunikations", "Strategie", "Unternehmens",
		"Bau", "Zoo", "Kakao", "Feuer", "Stabs", "Lokal", "Ein", "Aus", "Ueber", "\xC3\x9C" "ber", "Stra\xC3\x9F" "en",
		"Vertriebs", "Personal", "Rechts", "Wirtschafts", "Sozial", "Umwelt", "Medien", "Social-Media-", "IT-", "Berufs",
		"Finanz", "Energie", "Steuerrechts"};
	static const char *const tails[] = {"berater", "beraterin", "beratung", "BERATER", "Berater", "beraters", "stelle",
		"Stellen", "ernte", "eingang", "garten", "arbeit", "-Berater", "beraterInnen", "berater:innen", "berat", "e"};
	lupe_qterms qt = {0};
	qt_add(&qt, "berat", 5, 0);
	qt_add(&qt, "stell", 5, 0);
	qt_add(&qt, "gart", 4, 0);
	qt_add(&qt, "steuerberat", 11, 0);
	qt_add(&qt, "ber", 3, 1);
	lupe_snip_keys *keys;
	ck_assert_int_eq(lupe_snip_keys_new(&keys, &qt), 0);
	lupe_tokens toks = {0};
	size_t compared = 0;
	size_t served[2] = {0, 0};
	for (size_t round = 0; round < 2; round++) /* the second round meets every window cached */
		for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++)
			for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++)
				for (size_t n = 0; n < 6; n++) {
					char text[512];
					/* The same word in several bodies, beside words of its own (n: a number, distinct windows). */
					int len = snprintf(text, sizeof text,
							   "Der %s%s kam%zu. Die Haus- und Gartenarbeit, %s%s%zu und %s%s.", heads[h],
							   tails[t], n, heads[(h + n) % (sizeof heads / sizeof heads[0])],
							   tails[t], n, heads[h], tails[(t + n) % (sizeof tails / sizeof tails[0])]);
					ck_assert_int_gt(len, 0);
					lupe_buf a = {0}, b = {0};
					lupe_span *sa, *sb, *ma, *mb;
					unsigned char *kb;
					size_t na, nb, nma, nmb;
					ck_assert_int_eq(lupe_snippet_ex(an, &toks, text, (size_t)len, &qt, keys, 100, 1, &a, &sa,
									 &na, &ma, &nma), 0);
					ck_assert_int_ge(lupe_snippet(an, &toks, text, (size_t)len, &qt, keys, 100, &b, &sb, &kb,
								      &nb, &mb, &nmb), 0);
					ck_assert_msg(a.len == b.len && memcmp(a.p, b.p, a.len) == 0,
						      "snippet differs:\n full %s\n cached %s", a.p, b.p);
					ck_assert_msg(na == nb && (!na || memcmp(sa, sb, na * sizeof *sa) == 0),
						      "highlights differ: %s", text);
					ck_assert_msg(nma == nmb && (!nma || memcmp(ma, mb, nma * sizeof *ma) == 0),
						      "matches differ: %s", text);
					compared++;
					served[round] = lupe_snip_keys_served(keys);
					free(sa);
					free(sb);
					free(kb);
					free(ma);
					free(mb);
					lupe_buf_free(&a);
					lupe_buf_free(&b);
				}
	ck_assert_uint_gt(compared, 5000);
	/* The second round is served from the cache (where its windows did not meet another in a slot). */
	ck_assert_uint_gt(served[1] - served[0], 500);
	lupe_snip_keys_free(keys);
	lupe_tokens_release(&toks);
	lupe_qterms_free(&qt);
}
END_TEST

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	lupe_buf b = {0};
	char tmp[8192];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		ck_assert_int_eq(lupe_buf_append(&b, tmp, n), 0);
	fclose(f);
	*len = b.len;
	ck_assert_int_eq(lupe_buf_terminate(&b), 0);
	return b.p;
}

START_TEST(test_bundled_articles)
{
	const char *root = getenv("LUPE_SOURCE_ROOT");
	char dir[4096], path[4096 + 512];
	snprintf(dir, sizeof dir, "%s/data/corpus", root ? root : ".");
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	lupe_qterms other = {0};
	qt_add(&other, "strategi", 8, 0);
	qt_add(&other, "kommunikation", 13, 0);
	size_t files = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		size_t len;
		char *text = read_file(path, &len);
		check_text(text, len, &other);
		free(text);
		files++;
	}
	closedir(d);
	ck_assert_uint_ge(files, 5);
	lupe_qterms_free(&other);
}
END_TEST

/* Opt-in: every title and text of a JSON Lines file.  Registered only when
 * LUPE_FASTPATH_JSONL is set (main), so that it is never counted as passed
 * without having run. */
START_TEST(test_jsonl_corpus)
{
	const char *path = getenv("LUPE_FASTPATH_JSONL");
	ck_assert_ptr_nonnull(path);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	lupe_qterms other = {0};
	qt_add(&other, "jahr", 4, 0);
	qt_add(&other, "datei", 5, 0);
	while ((n = getline(&line, &cap, f)) > 0) {
		json_object *o = json_tokener_parse(line);
		if (!o)
			continue;
		const char *fields[] = {"title", "text"};
		for (int k = 0; k < 2; k++) {
			json_object *v;
			if (json_object_object_get_ex(o, fields[k], &v) && json_object_is_type(v, json_type_string)) {
				size_t len = (size_t)json_object_get_string_len(v);
				check_text(json_object_get_string(v), len > LUPE_SNIPPET_SCAN_MAX ? LUPE_SNIPPET_SCAN_MAX : len,
					   &other);
			}
		}
		json_object_put(o);
	}
	free(line);
	fclose(f);
	lupe_qterms_free(&other);
	printf("test_fastpath: %s: %zu texts, %zu snippets compared, all equal\n", path, n_texts, n_hits);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fastpath");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 3600);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_block_edges);
	tcase_add_test(tc, test_windows_found);
	tcase_add_test(tc, test_short_keys);
	tcase_add_test(tc, test_completion_heads);
	tcase_add_test(tc, test_many_places);
	tcase_add_test(tc, test_quiet_signs);
	tcase_add_test(tc, test_window_cache);
	tcase_add_test(tc, test_bundled_articles);
	const char *jsonl = getenv("LUPE_FASTPATH_JSONL");
	if (jsonl && *jsonl)
		tcase_add_test(tc, test_jsonl_corpus);
	else
		printf("test_fastpath: test_jsonl_corpus not run (set LUPE_FASTPATH_JSONL=FILE.jsonl)\n");
	suite_add_tcase(s, tc);
	return fx_run(s, CK_FORK_GETENV);
}
