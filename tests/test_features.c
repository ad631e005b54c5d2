/* Query features on real German text: suggestions, typos, NEAR, filters, facets, sorting, like, HTML, explain. */
#include <check.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include <unistd.h>

#include "fixture.h"
#include "index/document.h"
#include "query/build.h"
#include "query/fuzzy.h"
#include "query/parse.h"
#include "search/snippet.h"

#include <zstd.h>

static char *dir;
static lupe_db *db;

static const struct {
	const char *id, *title, *text, *source, *date, *path;
} docs[] = {
	{"k1", "Kommunikation im Unternehmen", "Die interne Kommunikation braucht eine klare Strategie und gute Werkzeuge.",
	 "blog", "2015-03-01", "/srv/blog/k1.txt"},
	{"k2", "Strategie für soziale Medien", "Eine Social-Media-Strategie beschreibt Ziele, Kanäle und Kommunikation.",
	 "blog", "2016-07-15", "/srv/blog/k2.txt"},
	{"k3", "Arbeitszeit", "Überstunden häufen sich, wenn die Strategie fehlt und die Kommunikation stockt.",
	 "news", "2019-11-30", "/srv/news/k3.txt"},
	{"k4", "Wetter", "Morgen scheint die Sonne über den Bergen, die Kommunikation mit dem Tal ist gut.",
	 "news", "2021-01-10", "/srv/news/k4.txt"},
};

static void setup(void)
{
	char p[4200];
	dir = fx_tmpdir();
	snprintf(p, sizeof p, "%s/db", dir);
	db = fx_open_write(p);
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		lupe_document d = LUPE_DOCUMENT_INIT;
		d.id = docs[i].id;
		d.title = docs[i].title;
		d.title_len = strlen(d.title);
		d.text = docs[i].text;
		d.text_len = strlen(d.text);
		d.source = docs[i].source;
		d.date = docs[i].date;
		d.path = docs[i].path;
		ck_assert_int_eq(lupe_add(db, &d), LUPE_OK);
	}
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
}

static void teardown(void)
{
	lupe_close(db);
	fx_rmrf(dir);
	free(dir);
}

static lupe_results *run(const char *q, const lupe_search_options *o)
{
	lupe_results *r = NULL;
	int rc = lupe_search(db, &r, q, strlen(q), o);
	ck_assert_msg(rc == LUPE_OK, "query %s: %s", q, lupe_errmsg(db));
	return r;
}

/* n documents on another topic (f0, f1, ...), so that the words a test searches are rare enough to weigh. */
static void add_other_topics(lupe_db *t, int n)
{
	for (int i = 0; i < n; i++) {
		char id[16], text[128];
		snprintf(id, sizeof id, "f%d", i);
		snprintf(text, sizeof text, "Ein anderes Thema Nummer %d über Gärten und Wetter.", i);
		ck_assert_int_eq(fx_add(t, id, "y", text), 0);
	}
}

/* Truncated compounds, completed at index time and at query time alike. */
START_TEST(test_truncated_compounds)
{
	char *d;
	lupe_db *t = fx_new_index(&d);
	ck_assert_int_eq(fx_add(t, "t1", "Hinweis", "Die Eingabe klappt nicht."), 0);
	ck_assert_int_eq(fx_add(t, "t2", "Daten", "Die Ein- und Ausgabe der Daten dauert."), 0);
	ck_assert_int_eq(fx_add(t, "t3", "Garten", "Wir teilen die Haus- und Gartenarbeit."), 0);
	ck_assert_int_eq(lupe_commit(t), LUPE_OK);
	ck_assert(fx_finds(t, "Eingabe", "t2", 10));       /* index side: eingabe at "Ein-" */
	ck_assert(fx_finds(t, "Hausarbeit", "t3", 10));
	ck_assert(fx_finds(t, "Ein- oder Ausgabe", "t1", 10)); /* query side: only t1's eingabe matches */
	ck_assert(!fx_finds(t, "Ausgabe", "t1", 10));
	fx_drop(t, d);
}
END_TEST

/*
 * A truncated word typed in a short query: it is completed with the
 * compound that ends the coordination, and it is not joined with its
 * neighbour as a made-up compound would be ("Ein-" + "Ausgang" is no
 * word, and its first word "ein" must not weigh like one).  And a hyphen
 * group with a word no document holds (Grundverordnung, Pflegeheimkosten)
 * is searched as its words, as the closed compound would be.  A compound
 * typed with a typo that no document holds whole is mended to the
 * reading whose parts the index holds (Haltestelle, not Kaltstelle), and
 * the suggestion names it as typed, unless the edit changed no part's
 * term and made no held word (Nichtvorhandensein).  A hyphen group whose
 * phrase finds nothing is searched as its words (Bundesliga-Trainer), and
 * two words joined by a hyphen are the compound they make.
 */
static const struct {
	const char *query, *top;
	const char *suggestion; /* NULL: none */
} keyword_rows[] = {
	{"Ein- Ausgang", "gang", NULL},
	{"Ein- und Ausgang", "gang", NULL},
	{"Ein- oder Ausgang", "gang", NULL},
	{"Vor- und Nachteile", "vorteil", NULL},
	{"Ein Ausgang", "gang", NULL},
	{"Datenschutz-Grundverordnung", "dsgvo", NULL},
	{"Datenschutzgrundverordnung", "dsgvo", NULL},
	{"Pflegeheimkosten-Rechner", "pflege", NULL},
	{"Bundesverfasungsgericht", "gericht", "Bundesverfassungsgericht"},
	{"Strassenbahnhaltstelle", "halt", "Strassenbahnhaltestelle"},
	{"Nichtvorhandensein", "nicht", NULL}, /* no "Nichtevorhandensein" */
	{"straßenbahnhaltstelle", "halt", "straßenbahnhaltestelle"}, /* spelling and case kept */
	{"Motorvaugruppe", "bau", "Motorbaugruppe"}, /* v -> b: a neighbouring key; Sau is more frequent */
	{"Bildunsgberatung", "bild", "Bildungsberatung"}, /* swapped, not the s deleted */
	{"Bundesliga-Trainer", "liga", NULL},            /* the words never side by side: searched apart */
	{"\"Bundesliga Trainer\"", "", NULL},            /* a quoted phrase stays one */
	{"Berechnung-Ergebnis", "calc", NULL},           /* the compound with its linking s, before the phrase */
	{"Internet2-Netzerk", "net", "Internet2-Netzwerk"}, /* a correction inside a hyphen group's phrase */
	{"Rotorn", "rotor", "Rotoren"}, /* rotor is rarer than rot (Rotern): each keeps its own weight */
	{"MP3-Player", "mp3", NULL},    /* "mp3" is a number token, and a word of the group */
	{"Zahl Darstellung", "zahlen", NULL}, /* the plural link -en-: Zahlendarstellung */
	{"Schüler:innenvertretung", "sv", NULL}, /* a gender marker inside a compound */
	{"Bürgerbeteiligung", "bb", NULL},        /* ... and the other way round */
	{"Schulednroulette", "sr", "Schuldenroulette"}, /* letters swapped across the link: schuld|en|roulette */
	{"Inlansnachfrage", "inl", "Inlandsnachfrage"}, /* the d dropped, not the s hit for a d */
	{"Berechnung Ergebnsi", "calc", "Berechnung Ergebnis"}, /* joined by the correction */
};

/* The documents keyword_rows are searched in (id, text). */
static const char *const keyword_docs[][2] = {
	{"ein", "Ein Satz, ein Wort, ein Ende, ein Ausgangspunkt."},
	{"gang", "Der Eingang ist links, der Ausgang rechts."},
	{"vorteil", "Die Vorteile überwiegen."},
	{"dsgvo", "Die Verordnung der Union regelt den Datenschutz."},
	{"pflege", "Die Kosten im Pflegeheim steigen."},
	{"gericht", "Das Verfassungsgericht des Bundes urteilte."},
	{"halt", "Die Strassenbahn hält an der Haltestelle."},
	{"kalt", "Die Kaltstelle im Keller der Strassenbahn."},
	{"dicht", "Das Fenster ist dicht, sein Vorhandensein bekannt."},
	{"nicht", "Das Vorhandensein ist nicht bekannt."},
	{"bau", "Die Baugruppe im Motor."},
	{"sau1", "Die Sau, der Motor, die Gruppe."},
	{"sau2", "Eine Sau sah Motor und Gruppe."},
	{"bild", "Die Bildung und ihre Beratung."},
	{"liga", "Der Trainer der Bundesliga lobt."},
	{"apart", "Die Berechnung dauert, das Ergebnis auch."},
	{"calc", "Das Berechnungsergebnis stimmt."},
	{"phrase", "Berechnung Ergebnis: eine Liste."},
	{"net", "Das erste Internet2-Netzwerk verband Universitäten."},
	{"rot1", "Die Rose ist rot."},
	{"rot2", "Der rote Ball rollt."},
	{"rot3", "Rot und Grün mischen."},
	{"rotor", "Die Rotoren drehen sich."},
	{"mp3", "Der Player spielt MP3 und Ogg."},
	{"zahlen", "Die Zahlendarstellung bleibt."},
	{"zahl2", "Eine Zahl und ihre Darstellung, die Zahl und die Darstellung."},
	{"sv", "Die Schülervertretung tagt."},
	{"bb", "Die Bürger*innenbeteiligung beginnt."},
	{"sv2", "Die Schüler und ihre Vertretung, die Bürger und die Beteiligung."},
	{"sr", "Die Schulden und das Roulette."},
	{"schule", "Die Schule beginnt, die Schule endet."},
	{"inl", "Im Inland steigt die Nachfrage."},
};

/*
 * A new index (fx_new_index: *dir for fx_drop) with
 * the documents docs[0..n) (id, text) and 20 of other topics, committed.
 */
static lupe_db *index_docs(char **dir, const char *const docs[][2], size_t n)
{
	lupe_db *t = fx_new_index(dir);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(fx_add(t, docs[i][0], "x", docs[i][1]), 0);
	add_other_topics(t, 20);
	ck_assert_int_eq(lupe_commit(t), LUPE_OK);
	return t;
}

/*
 * A part of one letter (the e of eBook, the i of iPhone) is no evidence of
 * the word: "Vitamin E" and a "Book" are no eBook.  Such a word is searched
 * as itself; a compound's parts of two letters or more still find the
 * parts apart (AutoFilter: a filter for the car).  Typo tolerance off, so
 * that only the parts can find the other documents.
 */
static const struct {
	const char *query, *want, *not_want; /* not_want NULL: none */
} letter_part_rows[] = {
	{"eBook", "ebook", "vit"},
	{"iPhone", "phone", "letter"},
	{"AutoFilter", "apart", NULL},
};

static const char *const letter_part_docs[][2] = {
	{"ebook", "Das eBook liegt bereit."},
	{"vit", "Vitamin E steht im Book."},
	{"phone", "Das iPhone klingelt."},
	{"letter", "Der Buchstabe i und das Phone daneben."},
	{"apart", "Ein Filter für das Auto."},
};

START_TEST(test_letter_parts)
{
	char *d;
	lupe_db *t = index_docs(&d, letter_part_docs, sizeof letter_part_docs / sizeof letter_part_docs[0]);
	for (size_t i = 0; i < sizeof letter_part_rows / sizeof letter_part_rows[0]; i++) {
		lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
		lupe_results *r = NULL;
		o.flags |= LUPE_SEARCH_EXACT;
		const char *q = letter_part_rows[i].query;
		ck_assert_int_eq(lupe_search(t, &r, q, strlen(q), &o), LUPE_OK);
		int want = 0, not_want = 0;
		for (size_t h = 0; h < lupe_results_count(r); h++) {
			const char *id = lupe_results_hit(r, h)->id;
			want |= strcmp(id, letter_part_rows[i].want) == 0;
			not_want |= letter_part_rows[i].not_want && strcmp(id, letter_part_rows[i].not_want) == 0;
		}
		ck_assert_msg(want, "row %zu: %s does not find %s", i, q, letter_part_rows[i].want);
		ck_assert_msg(!not_want, "row %zu: %s finds %s", i, q, letter_part_rows[i].not_want);
		lupe_results_free(r);
	}
	fx_drop(t, d);
}
END_TEST

START_TEST(test_keyword_rows)
{
	char *d;
	lupe_db *t = index_docs(&d, keyword_docs, sizeof keyword_docs / sizeof keyword_docs[0]);
	for (size_t i = 0; i < sizeof keyword_rows / sizeof keyword_rows[0]; i++) {
		ck_assert_msg(strcmp(fx_top(t, keyword_rows[i].query), keyword_rows[i].top) == 0,
			      "row %zu: %s: first hit %s, not %s", i, keyword_rows[i].query,
			      fx_top(t, keyword_rows[i].query), keyword_rows[i].top);
		lupe_results *r = NULL;
		ck_assert_int_eq(lupe_search(t, &r, keyword_rows[i].query, strlen(keyword_rows[i].query), NULL), LUPE_OK);
		const char *sug = lupe_results_suggestion(r);
		ck_assert_msg(keyword_rows[i].suggestion ? sug && strcmp(sug, keyword_rows[i].suggestion) == 0 : !sug,
			      "row %zu: %s: suggestion %s, not %s", i, keyword_rows[i].query, sug ? sug : "(none)",
			      keyword_rows[i].suggestion ? keyword_rows[i].suggestion : "(none)");
		lupe_results_free(r);
	}
	fx_drop(t, d);
}
END_TEST

/*
 * Proximity: two documents with the same words and lengths, the query's
 * words adjacent in one and eleven apart in the other.  The far one is
 * added first, so a tie in weight would put it first (Xapian breaks ties by
 * document number).  A mistyped word pairs with its neighbour as the word
 * typed right does (its corrections take its side of the pair).
 */
START_TEST(test_proximity)
{
	char *d;
	lupe_db *t = fx_new_index(&d);
	ck_assert_int_eq(fx_add(t, "far", "x", "Strategie eins zwei drei vier fünf sechs sieben acht neun zehn Kommunikation"), 0);
	ck_assert_int_eq(fx_add(t, "near", "x", "Strategie Kommunikation eins zwei drei vier fünf sechs sieben acht neun zehn"), 0);
	ck_assert_int_eq(lupe_commit(t), LUPE_OK);
	ck_assert_str_eq(fx_top(t, "Strategie Kommunikation"), "near");
	ck_assert_str_eq(fx_top(t, "Kommunikation und Strategie"), "near"); /* any order, stopwords skipped */
	ck_assert_str_eq(fx_top(t, "zehn Kommunikation"), "far");
	ck_assert_str_eq(fx_top(t, "Strategie Kommunikation eins zwei"), "near"); /* four content words */
	/* Five: no proximity (build.c, PROX_MAX_WORDS), the tie goes to the first added. */
	ck_assert_str_eq(fx_top(t, "Strategie Kommunikation eins zwei drei"), "far");
	ck_assert_str_eq(fx_top(t, "Strategie Kommunikatoin"), "near");
	ck_assert_str_eq(fx_top(t, "Stratgeie Kommunikation"), "near");
	ck_assert_str_eq(fx_top(t, "Stratgeie Kommunikatoin"), "near");
	ck_assert_str_eq(fx_top_exact(t, "Strategie Kommunikation eins"), "near");
	fx_drop(t, d);
}
END_TEST

START_TEST(test_compound_tier)
{
	/* Two words that form a compound the index holds: the document naming the
	 * compound comes first, even against one that repeats both words; with a
	 * third word, a document holding all three words wins. */
	char *d;
	lupe_db *t = fx_new_index(&d);
	/* "words": both words five times in a short text; "compound": the compound once
	 * in a long page of other words (as in the public compound set). */
	char words[512] = "", page[8192] = "Eine lange Seite.";
	for (int i = 0; i < 5; i++)
		strcat(words, "Die Berechnung liefert ein Ergebnis. ");
	for (int i = 0; i < 60; i++)
		strcat(page, " Tabellen Zellen Formeln Diagramme Druck Versand Vorlagen Makros Seite Spalte");
	strcat(page, " Unten steht das Berechnungsergebnis.");
	ck_assert_int_eq(fx_add(t, "words", "x", words), 0);
	ck_assert_int_eq(fx_add(t, "compound", "x", page), 0);
	add_other_topics(t, 40);
	ck_assert_int_eq(fx_add(t, "all3", "x", "Berechnung und Ergebnis der Zellen im Export."), 0);
	ck_assert_int_eq(fx_add(t, "other", "x", "Nichts davon."), 0);
	ck_assert_int_eq(lupe_commit(t), LUPE_OK);
	ck_assert_str_eq(fx_top(t, "Berechnung Ergebnis"), "compound");
	ck_assert_str_eq(fx_top(t, "Berechnung Ergebnis Export"), "all3");
	fx_drop(t, d);
}
END_TEST

/*
 * Question words ("Wann", "Wer", "wurde") are stopwords: in a question they
 * say what kind of answer is wanted, not what it is about.  The quiz line
 * shares three of the question's words, all of them question words apart
 * from "gebaut"; the answer shares the two that name the subject.
 */
START_TEST(test_question_words)
{
	char *d;
	lupe_db *t = fx_new_index(&d);
	ck_assert_int_eq(fx_add(t, "quiz", "Quiz", "Wann wurde das gebaut? Wer weiß es?"), 0);
	ck_assert_int_eq(fx_add(t, "answer", "Rheinbrücke",
				"Die Brücke über den Rhein ist 1890 aus Stahl und Stein gebaut worden."), 0);
	for (int i = 0; i < 20; i++) {
		char id[16], text[128];
		snprintf(id, sizeof id, "f%d", i);
		snprintf(text, sizeof text, "Ein Weg Nummer %d führt über den Fluss.", i);
		ck_assert_int_eq(fx_add(t, id, "y", text), 0);
	}
	ck_assert_int_eq(lupe_commit(t), LUPE_OK);
	static const struct {
		const char *q, *top;
	} rows[] = {
		{"Wann wurde die Brücke gebaut?", "answer"},
		{"Wer hat die Brücke gebaut?", "answer"},
		{"Wann wurde das gebaut?", "quiz"}, /* only question words and one more: still found */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		ck_assert_msg(strcmp(fx_top(t, rows[i].q), rows[i].top) == 0, "row %zu: %s -> %s", i, rows[i].q,
			      fx_top(t, rows[i].q));
	fx_drop(t, d);
}
END_TEST

/*
 * A quoted phrase among other words (a question quoting a name) counts as
 * a phrase and through its words: the answer says "zu Ehren von Tesla ...
 * Maßeinheit", not "die Tesla-Einheit", and must still come before a line
 * that shares only the question's other words.  A phrase alone is still
 * searched as a phrase only.  Rows: the query, the first hit, how many hits.
 */
START_TEST(test_quoted_phrase_words)
{
	char *d;
	lupe_db *t = fx_new_index(&d);
	ck_assert_int_eq(fx_add(t, "answer", "Physiker",
				"1960 wurde die Maßeinheit der Flussdichte zu Ehren von Tesla nach ihm benannt."), 0);
	ck_assert_int_eq(fx_add(t, "other", "Straßen", "Zu seinen Ehren wurde eine Straße nach ihm genannt."), 0);
	ck_assert_int_eq(fx_add(t, "exact", "Einheiten", "Eine Tesla Einheit misst die Flussdichte."), 0);
	for (int i = 0; i < 20; i++) {
		char id[16], text[128];
		snprintf(id, sizeof id, "f%d", i);
		snprintf(text, sizeof text, "Eine Straße Nummer %d wurde genannt.", i);
		ck_assert_int_eq(fx_add(t, id, "y", text), 0);
	}
	ck_assert_int_eq(lupe_commit(t), LUPE_OK);
	static const struct {
		const char *q, *top;
		size_t total;
	} rows[] = {
		{"Was wurde zu seinen Ehren \xe2\x80\x9e" "die Tesla-Einheit\xe2\x80\x9c genannt?", "answer", 0},
		{"\"Tesla Einheit\"", "exact", 1},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		lupe_results *r;
		ck_assert_int_eq(lupe_search(t, &r, rows[i].q, strlen(rows[i].q), NULL), LUPE_OK);
		size_t n = lupe_results_count(r);
		const char *top = n ? lupe_results_hit(r, 0)->id : "";
		ck_assert_msg(strcmp(top, rows[i].top) == 0, "row %zu: %s -> %s", i, rows[i].q, top);
		ck_assert_msg(!rows[i].total || n == rows[i].total, "row %zu: %zu hits", i, n);
		lupe_results_free(r);
	}
	fx_drop(t, d);
}
END_TEST

/*
 * BM25 saturation (k1): a word said five times counts for less than a
 * second query word said once.  "Island" is in a few more documents than
 * "Vulkan" (7 against 2), so it weighs a little less; the document
 * repeating "Vulkan" must still come after the one naming both.  With
 * Xapian's default k1 = 1.2 the repeating one wins; lupe uses 0.6.
 */
START_TEST(test_saturation)
{
	char *d;
	lupe_db *t = fx_new_index(&d);
	ck_assert_int_eq(fx_add(t, "repeat", "x",
				"Der Vulkan spuckt, der Vulkan raucht, der Vulkan bebt, der Vulkan glüht, der Vulkan schläft."),
			 0);
	ck_assert_int_eq(fx_add(t, "both", "x",
				"Der Vulkan spuckt, raucht, bebt und glüht, dann schläft er eine Weile auf Island."),
			 0);
	for (int i = 0; i < 100; i++) {
		char id[16], text[128];
		snprintf(id, sizeof id, "f%d", i);
		snprintf(text, sizeof text, "Ein anderes Thema Nummer %d über Gärten und Wetter%s.", i,
			 i < 6 ? " auf Island" : "");
		ck_assert_int_eq(fx_add(t, id, "y", text), 0);
	}
	ck_assert_int_eq(lupe_commit(t), LUPE_OK);
	ck_assert_str_eq(fx_top(t, "Vulkan Island"), "both");
	fx_drop(t, d);
}
END_TEST

/*
 * Did you mean.  Rows: a query, and the suggestion wanted (NULL: none).  The
 * fixture's four documents, and more: "Turin" (whose stem, turin, is one
 * edit from turbin, the stem of "Turbinen"), a document that holds
 * "Sepsis" once and "Skepsis" many times, one with "englisch" in lower case.
 */
START_TEST(test_suggestion)
{
	ck_assert_int_eq(fx_add(db, "t1", "Reise", "Die Reise führte nach Turin und weiter nach Mailand."), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "s1", "Medizin", "Eine Sepsis verlangt Skepsis. Skepsis, Skepsis, Skepsis."), LUPE_OK);
	ck_assert_int_eq(fx_add(db, "e1", "Sprache", "Der Text ist englisch, die Antwort auch englisch."), LUPE_OK);
	/* Four short documents say "verteidigen"; a fifth, longer one "Verteidigung". */
	for (int i = 0; i < 4; i++) {
		char id[16];
		snprintf(id, sizeof id, "v%d", i);
		ck_assert_int_eq(fx_add(db, id, "Sport", "Wir verteidigen."), LUPE_OK);
	}
	ck_assert_int_eq(fx_add(db, "v4", "Sport", "Die Verteidigung der Mannschaft stand lange gut, bis zum Schluss des Spiels."),
			 LUPE_OK);
	ck_assert_int_eq(fx_add(db, "k1", "Reise", "Wir fahren nach Südkalifornien, ans Meer."), LUPE_OK);
	for (int i = 0; i < 24; i++) { /* over 20 times as frequent: rare words once got a suggestion then */
		char id[16];
		snprintf(id, sizeof id, "s%d", i + 2);
		ck_assert_int_eq(fx_add(db, id, "Skepsis", "Skepsis ist angebracht."), LUPE_OK);
	}
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	static const struct {
		const char *q, *want;
	} rows[] = {
		{"Kommunkation", "Kommunikation"},
		{"Kommunikatoin", "Kommunikation"},
		{"Wie klappt die Kommunkation?", "Wie klappt die Kommunikation?"},
		{"kommunkation", "kommunikation"},  /* the user's lower-case first letter is kept */
		{"Englsich", "Englisch"},           /* and a capital where the documents say "englisch" */
		{"englsich", "englisch"},
		{"Veretidigung", "Verteidigung"},   /* a swap undone: the fifth document writes it */
		{"Südkalifornische", NULL},         /* "Südkaliforniische" stems as Südkalifornien, but no document writes it */
		{"Kommunikation", NULL},            /* known */
		{"Xommunikation", NULL},            /* the first letter is kept: no "Kommunikation" */
		{"Sepsis", NULL},                   /* in the index, however rare: no "Skepsis" */
		{"Turbinen", NULL},                 /* turbin -> turin is one edit, Turbinen -> Turin three */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		lupe_results *r = run(rows[i].q, NULL);
		const char *got = lupe_results_suggestion(r);
		if (rows[i].want)
			ck_assert_msg(got && strcmp(got, rows[i].want) == 0, "row %zu: %s -> %s, want %s", i, rows[i].q,
				      got ? got : "(none)", rows[i].want);
		else
			ck_assert_msg(got == NULL, "row %zu: %s -> %s, want none", i, rows[i].q, got);
		lupe_results_free(r);
	}
}
END_TEST

/*
 * A read-only handle makes its suggestions on the caller's thread, from
 * what the query's building looked up; lupe_open_options.suggest_thread is
 * ignored (no thread is started either way).  Both handles must say the
 * same, and both must see a commit made after the handle was opened:
 * "Kommunkation" gets no suggestion once a document holding it is committed.
 */
static const char *reader_suggestion(lupe_db *r, const char *q, char *buf, size_t cap)
{
	lupe_results *res = NULL;
	ck_assert_int_eq(lupe_search(r, &res, q, strlen(q), NULL), LUPE_OK);
	const char *s = lupe_results_suggestion(res);
	snprintf(buf, cap, "%s", s ? s : "(none)");
	lupe_results_free(res);
	return buf;
}

/* Threads of this process (Linux: the entries of /proc/self/task). */
static size_t threads_now(void)
{
	DIR *d = opendir("/proc/self/task");
	ck_assert_ptr_nonnull(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

START_TEST(test_suggestion_reader_thread)
{
	static const struct {
		const char *q, *want;
	} rows[] = {
		{"Kommunkation", "Kommunikation"},
		{"Wie klappt die Kommunkation?", "Wie klappt die Kommunikation?"},
		{"Stratgie und Kommunikation", "Strategie und Kommunikation"},
		{"Kommunikation", "(none)"},
		{"Xommunikation", "(none)"},
	};
	char path[4200];
	snprintf(path, sizeof path, "%s/db", dir);
	lupe_db *r[2] = {NULL, NULL};
	char msg[256], got[2][256];
	for (int t = 0; t < 2; t++) {
		lupe_open_options o = LUPE_OPEN_OPTIONS_INIT;
		o.suggest_thread = t == 0;
		o.flags = t == 1 ? LUPE_OPEN_WATCHED : LUPE_OPEN_READ;
		ck_assert_int_eq(lupe_open(&r[t], path, &o, msg, sizeof msg), LUPE_OK);
	}
	/* The watched reader's one thread starts at its first search. */
	size_t before = threads_now();
	reader_suggestion(r[1], rows[0].q, got[1], sizeof got[1]);
	ck_assert_uint_eq(threads_now(), before + 1);
	/* The suggestion starts none, whatever the option says (lupe.h). */
	before = threads_now();
	reader_suggestion(r[1], rows[0].q, got[1], sizeof got[1]);
	reader_suggestion(r[0], rows[0].q, got[0], sizeof got[0]);
	ck_assert_uint_eq(threads_now(), before);
	for (int round = 0; round < 3; round++) /* the thread serves one search after another */
		for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
			for (int t = 0; t < 2; t++)
				ck_assert_msg(strcmp(reader_suggestion(r[t], rows[i].q, got[t], sizeof got[t]), rows[i].want) == 0,
					      "reader %d, row %zu: %s -> %s, want %s", t, i, rows[i].q, got[t], rows[i].want);
	/* A commit after the readers opened: the word is known now. */
	ck_assert_int_eq(fx_add(db, "typo", "Tippfehler", "Die Kommunkation ist ein Tippfehler."), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	for (int t = 0; t < 2; t++)
		ck_assert_msg(strcmp(reader_suggestion(r[t], "Kommunkation", got[t], sizeof got[t]), "(none)") == 0,
			      "reader %d after the commit: %s", t, got[t]);
	lupe_close(r[0]);
	before = threads_now();
	lupe_close(r[1]); /* and ends at close */
	ck_assert_uint_eq(threads_now(), before - 1);
}
END_TEST

START_TEST(test_fuzzy)
{
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	o.flags = LUPE_SEARCH_EXACT; /* typo tolerance (on by default) would find it: tests/test_typo.c */
	lupe_results *r = run("Stratgie", &o);
	ck_assert_uint_eq(lupe_results_count(r), 0);
	lupe_results_free(r);
	o.flags = LUPE_SEARCH_FUZZY;
	r = run("Stratgie", &o);
	ck_assert_uint_eq(lupe_results_count(r), 3);
	lupe_results_free(r);
	/* exact matches rank above fuzzy ones */
	r = run("Sonne Strategi", &o);
	ck_assert_uint_ge(lupe_results_count(r), 1);
	lupe_results_free(r);
	/* never inside phrases */
	r = run("\"klare Stratgie\"", &o);
	ck_assert_uint_eq(lupe_results_count(r), 0);
	lupe_results_free(r);
}
END_TEST

/*
 * lupe_fuzzy_terms against brute force over every term of an index of the
 * bundled articles: all terms one edit away, and those two edits away that
 * share the first two letters, must come back (the function scans that
 * range and asks for one-edit variants only where the scan cannot reach);
 * with keep 1, only those with the same first letter.
 */
static int ref_distance(const char *a, size_t la, const char *b, size_t lb)
{
	int d[64][64];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

typedef struct {
	const char *term;
	size_t len;
	int maxdist;
	size_t keep;
	char found[64][64];
	int n;
} ref_ctx;

static int ref_cb(void *vc, const char *t, size_t n, lx_term_here *at)
{
	(void)at;
	ref_ctx *c = vc;
	if (n >= 60 || (n > c->len ? n - c->len : c->len - n) > 2)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (t[i] < 'a' || t[i] > 'z')
			return 0;
	if (memcmp(t, c->term, c->keep) != 0)
		return 0;
	int d = ref_distance(c->term, c->len, t, n);
	if (d == 1 || (d == 2 && c->maxdist == 2 && memcmp(t, c->term, 2) == 0)) {
		ck_assert_int_lt(c->n, 64);
		memcpy(c->found[c->n], t, n);
		c->found[c->n++][n] = '\0';
	}
	return 0;
}

START_TEST(test_fuzzy_terms_reference)
{
	const char *root = getenv("LUPE_SOURCE_ROOT");
	char path[4200];
	for (int i = 0; i < 5; i++) {
		static const char *const seeds[] = {"000_d5375fca1a9368d7.txt", "001_18b1f2334a26c98f.txt",
			"002_dfd74220ff8ed79c.txt", "003_7fdb0018013038aa.txt", "004_8feeb118e7ecd11c.txt"};
		snprintf(path, sizeof path, "%s/data/corpus/%s", root ? root : ".", seeds[i]);
		FILE *f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		static char text[1 << 20];
		size_t n = fread(text, 1, sizeof text - 1, f);
		fclose(f);
		text[n] = '\0';
		ck_assert_int_eq(fx_add(db, seeds[i], "", text), LUPE_OK);
	}
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	ck_assert_int_eq(lupe_db_sync(db), LUPE_OK);
	/* Misspellings with edits at the start, the middle and the end, and plain words. */
	static const char *const words[] = {"kommunkation", "komunikation", "okmmunikation", "kommunikatoin",
		"xommunikation", "stratgie", "strategei", "trategie", "mitarbeitr", "unternehmne", "nternehmen",
		"berater", "bertaer", "digitalisierng", "ueberstunden", "arbeitszeit", "arbeitzeit", "sozial"};
	int checked = 0;
	for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
		size_t len = strlen(words[w]);
		for (int run = 0; run < 4; run++) {
			int maxdist = 1 + run % 2;
			size_t keep = (size_t)run / 2;
			lupe_fuzzy_cand got[LUPE_FUZZY_MAX];
			int n = lupe_fuzzy_terms(db->x, words[w], len, maxdist, keep, got, LUPE_FUZZY_MAX);
			ref_ctx c = {words[w], len, maxdist, keep, {{0}}, 0};
			lupe_err err;
			ck_assert_int_eq(lx_allterms(db->x, "", 0, ref_cb, &c, &err), LUPE_OK);
			ck_assert_msg(c.n < LUPE_FUZZY_MAX, "%s: too many to compare", words[w]);
			ck_assert_msg(n == c.n, "%s (%d, keep %zu): %d candidates, brute force %d", words[w], maxdist, keep, n, c.n);
			for (int i = 0; i < c.n; i++) {
				int hit = 0;
				for (int k = 0; k < n; k++)
					hit |= strcmp(got[k].term, c.found[i]) == 0 &&
					       got[k].dist == ref_distance(words[w], len, c.found[i], strlen(c.found[i]));
				ck_assert_msg(hit, "%s (%d, keep %zu): %s missing", words[w], maxdist, keep, c.found[i]);
			}
			checked += c.n;
		}
	}
	ck_assert_int_gt(checked, 10); /* the words do have neighbours in the articles */
}
END_TEST

/*
 * A record keeps only the part of a long body that snippets read: the
 * whole body is indexed, the snippet and matches are those of the whole
 * body, and the stored record is bounded.
 */
static void full_body_snippet(const char *q, const char *text, size_t len, size_t target, lupe_buf *out)
{
	lq_node *tree = NULL;
	lx_query *xq = NULL;
	lupe_qterms qt = {0};
	lupe_snip_keys *keys = NULL;
	lupe_span *sp;
	size_t nsp;
	char perr[256];
	ck_assert_int_eq(lq_parse(q, strlen(q), &tree, perr, sizeof perr), 0);
	ck_assert_int_eq(lupe_query_build(db->x, 0, db->an, &db->toks, NULL, tree, &xq, &qt, &db->err), LUPE_OK);
	ck_assert_int_eq(lupe_snip_keys_new(&keys, &qt), 0);
	ck_assert_int_eq(lupe_snippet_ex(db->an, &db->toks, text, len, &qt, keys, target, 1, out, &sp, &nsp, NULL, NULL), 0);
	free(sp);
	lupe_snip_keys_free(keys);
	lupe_qterms_free(&qt);
	lx_q_free(xq);
	lq_free(tree);
}

START_TEST(test_long_body_record)
{
	static const char fill[] = "Ein Satz ohne das gesuchte Wort, nur Fuellmaterial. ";
	lupe_buf t = {0};
	while (t.len + sizeof fill < LUPE_SNIPPET_SCAN_MAX - 100)
		ck_assert_int_eq(lupe_buf_append(&t, fill, sizeof fill - 1), 0);
	/* A match that ends right before the 64 KB snippets read: its passage runs on past them. */
	const char *near_end = "Die Kommunikationsberater kamen. ";
	size_t at = t.len;
	ck_assert_int_eq(lupe_buf_append(&t, near_end, strlen(near_end)), 0);
	while (t.len < 3 * LUPE_RECORD_TEXT_MAX)
		ck_assert_int_eq(lupe_buf_append(&t, fill, sizeof fill - 1), 0);
	const char *far = "Eine Zwiebel am Ende. ";
	ck_assert_int_eq(lupe_buf_append(&t, far, strlen(far)), 0);
	ck_assert_int_eq(lupe_buf_terminate(&t), 0);
	ck_assert_int_eq(fx_add(db, "long", "Lang", t.p), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);

	/* The record holds the bounded body. */
	lupe_buf data = {0}, unpacked = {0};
	lupe_record rec;
	int found;
	ck_assert_int_eq(lx_first_data(db->x, "Qlong", 5, &data, &found, &db->err), LUPE_OK);
	ck_assert(found);
	ck_assert_int_eq(lupe_record_parse(data.p, data.len, &unpacked, &rec), 0);
	ck_assert_uint_le(rec.text_len, LUPE_RECORD_TEXT_MAX);
	ck_assert_uint_gt(rec.text_len, LUPE_RECORD_TEXT_MAX - 8);
	ck_assert_int_eq(memcmp(rec.text, t.p, rec.text_len), 0);
	/* ... and the rest, packed apart: all of this body (shorter than LUPE_RECORD_DEEP_MAX). */
	lupe_buf all = {0};
	ck_assert_ptr_nonnull(rec.tail);
	ck_assert_uint_eq(ZSTD_getDictID_fromFrame(rec.tail, rec.tail_len), lupe_zdict_de1_id);
	ck_assert_int_eq(lupe_record_text_all(&rec, &all), 0);
	ck_assert_uint_eq(all.len, t.len);
	ck_assert_int_eq(memcmp(all.p, t.p, t.len), 0);
	lupe_buf_free(&all);
	lupe_buf_free(&data);
	lupe_buf_free(&unpacked);

	/* The same snippet and match as from the whole body, at every passage length. */
	static const size_t targets[] = {0, 240, 4096, 100000};
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
		o.snippet_bytes = targets[i];
		lupe_results *r = run("Kommunikationsberater", &o);
		ck_assert_uint_eq(lupe_results_count(r), 1);
		const lupe_hit *h = lupe_results_hit(r, 0);
		lupe_buf want = {0};
		full_body_snippet("Kommunikationsberater", t.p, t.len, targets[i] ? targets[i] : 240, &want);
		ck_assert_str_eq(h->snippet, want.p);
		ck_assert_uint_le(h->snippet_len, LUPE_SNIPPET_BYTES_MAX + 16);
		ck_assert_ptr_nonnull(strstr(h->snippet, "Kommunikationsberater"));
		ck_assert_uint_eq(h->n_matches, 1);
		ck_assert_uint_eq(h->matches[0].start, at + 4);
		lupe_buf_free(&want);
		lupe_results_free(r);
	}
	/* A word only past the first 64 KB is shown where it is (issue 22), as the whole body's snippet. */
	lupe_results *r = run("Zwiebel", NULL);
	ck_assert_uint_eq(lupe_results_count(r), 1);
	const lupe_hit *h = lupe_results_hit(r, 0);
	ck_assert_str_eq(h->id, "long");
	ck_assert_msg(strstr(h->snippet, "Eine Zwiebel am Ende."), "snippet: %s", h->snippet);
	ck_assert_uint_eq(h->n_highlights, 1);
	ck_assert_str_eq(lupe_highlight_kind_name(h->highlight_kinds[0]), "exact");
	ck_assert_uint_ge(h->n_matches, 1);
	ck_assert_uint_eq(h->matches[0].start, t.len - strlen(far) + 5);
	ck_assert_uint_eq(h->matches[0].end, t.len - strlen(far) + 12);
	lupe_results_free(r);
	lupe_buf_free(&t);
}
END_TEST

/*
 * A body longer than LUPE_RECORD_DEEP_MAX: the record keeps that much of
 * it, a word within it is shown, a word past it is found (it is indexed)
 * with a passage from the start.
 */
START_TEST(test_deep_body_bounded)
{
	static const char fill[] = "Noch ein Satz ohne das gesuchte Wort, nur Fuellmaterial. ";
	lupe_buf t = {0};
	while (t.len < LUPE_RECORD_DEEP_MAX - 1000)
		ck_assert_int_eq(lupe_buf_append(&t, fill, sizeof fill - 1), 0);
	const char *inside = "Die Kartoffel liegt noch drin. ";
	ck_assert_int_eq(lupe_buf_append(&t, inside, strlen(inside)), 0);
	while (t.len < LUPE_RECORD_DEEP_MAX + 1000)
		ck_assert_int_eq(lupe_buf_append(&t, fill, sizeof fill - 1), 0);
	ck_assert_int_eq(lupe_buf_append(&t, "Die Paprika liegt draussen.", 27), 0);
	ck_assert_int_eq(lupe_buf_terminate(&t), 0);
	ck_assert_int_eq(fx_add(db, "deep", "Tief", t.p), LUPE_OK);
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);

	lupe_buf data = {0}, unpacked = {0}, all = {0};
	lupe_record rec;
	int found;
	ck_assert_int_eq(lx_first_data(db->x, "Qdeep", 5, &data, &found, &db->err), LUPE_OK);
	ck_assert(found);
	ck_assert_int_eq(lupe_record_parse(data.p, data.len, &unpacked, &rec), 0);
	ck_assert_int_eq(lupe_record_text_all(&rec, &all), 0);
	ck_assert_uint_le(all.len, LUPE_RECORD_DEEP_MAX);
	ck_assert_uint_gt(all.len, LUPE_RECORD_DEEP_MAX - 8);
	ck_assert_int_eq(memcmp(all.p, t.p, all.len), 0);
	/* A damaged tail is an error, not another text. */
	size_t at = data.len - 20;
	data.p[at] ^= 0x5A;
	ck_assert_int_eq(lupe_record_parse(data.p, data.len, &unpacked, &rec), 0);
	ck_assert_int_eq(lupe_record_text_all(&rec, &all), -1);
	lupe_buf_free(&all);
	lupe_buf_free(&unpacked);
	lupe_buf_free(&data);

	lupe_results *r = run("Kartoffel", NULL);
	ck_assert_uint_eq(lupe_results_count(r), 1);
	ck_assert_msg(strstr(lupe_results_hit(r, 0)->snippet, "Kartoffel"), "%s", lupe_results_hit(r, 0)->snippet);
	lupe_results_free(r);
	r = run("Paprika", NULL);
	ck_assert_uint_eq(lupe_results_count(r), 1);
	ck_assert_int_eq(strncmp(lupe_results_hit(r, 0)->snippet, "Noch ein Satz", 13), 0);
	ck_assert_uint_eq(lupe_results_hit(r, 0)->n_highlights, 0);
	lupe_results_free(r);
	lupe_buf_free(&t);
}
END_TEST

/*
 * Xapian 1.4.22 cannot read back some records it compressed itself (a
 * body that compresses very well, at some lengths: "Too few chunks of
 * compressed data").  lupe packs records itself; every one of these must
 * come back, by search (which reads every hit's record) and byte for byte.
 */
/* The body lengths: every third around the 8 KB above which lupe packs a record itself, then a wide sweep. */
static size_t read_back_len(size_t k)
{
	return k < 167 ? 7800 + 3 * k : 1000 + 197 * (k - 167);
}
#define READ_BACK_N (167 + 300)

START_TEST(test_records_read_back)
{
	static const char unit[] = "Eisregen. ";
	char id[32];
	for (size_t k = 0; k < READ_BACK_N; k++) {
		size_t len = read_back_len(k);
		char *t = malloc(len + 1);
		ck_assert_ptr_nonnull(t);
		for (size_t i = 0; i < len; i++)
			t[i] = unit[i % 10];
		t[len] = '\0';
		snprintf(id, sizeof id, "eis%zu", k);
		ck_assert_int_eq(fx_add(db, id, "Eis", t), LUPE_OK);
		free(t);
	}
	ck_assert_int_eq(lupe_commit(db), LUPE_OK);
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	o.limit = 1000;
	lupe_results *r = NULL;
	int rc = lupe_search(db, &r, "Eisregen", 8, &o);
	ck_assert_msg(rc == LUPE_OK, "%s", lupe_errmsg(db));
	ck_assert_uint_eq(lupe_results_count(r), READ_BACK_N);
	lupe_results_free(r);
	lupe_buf data = {0}, unpacked = {0};
	for (size_t k = 0; k < READ_BACK_N; k++) {
		size_t len = read_back_len(k);
		lupe_record rec;
		int found;
		snprintf(id, sizeof id, "Qeis%zu", k);
		ck_assert_int_eq(lx_first_data(db->x, id, strlen(id), &data, &found, &db->err), LUPE_OK);
		ck_assert(found);
		ck_assert_int_eq(lupe_record_parse(data.p, data.len, &unpacked, &rec), 0);
		ck_assert_uint_eq(rec.text_len, len);
		for (size_t i = 0; i < len; i += 997)
			ck_assert_int_eq(rec.text[i], unit[i % 10]);
	}
	lupe_buf_free(&data);
	lupe_buf_free(&unpacked);
}
END_TEST

/* Damaged records are refused, never read out of bounds; both record versions read. */
START_TEST(test_record_versions_and_damage)
{
	/* The fields: id "a", title "T", source "", path "", date "", mtime 7, text "Wort". */
	static const char fields[] = "\x01" "a" "\x01" "T" "\x00" "\x00" "\x00" "\x07" "\x04" "Wort";
	size_t fl = sizeof fields - 1;
	char v1[64], v2[64], z[256];
	v1[0] = v2[0] = z[0] = 'L';
	v1[1] = 1;
	memcpy(v1 + 2, fields, fl);
	v2[1] = 2, v2[2] = 0;
	memcpy(v2 + 3, fields, fl);
	z[1] = 2, z[2] = 1;
	size_t zn = ZSTD_compress(z + 3, sizeof z - 3, fields, fl, 3);
	ck_assert(!ZSTD_isError(zn));
	/* Packed with lupe's dictionary (a frame names it by id), and with another one. */
	char zd[256], zo[256];
	zd[0] = zo[0] = 'L';
	zd[1] = zo[1] = 2;
	zd[2] = zo[2] = 1;
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ck_assert_ptr_nonnull(cc);
	size_t zdn =
	    ZSTD_compress_usingDict(cc, zd + 3, sizeof zd - 3, fields, fl, lupe_zdict_de1, lupe_zdict_de1_size, 3);
	ck_assert(!ZSTD_isError(zdn));
	ck_assert_uint_eq(ZSTD_getDictID_fromFrame(zd + 3, zdn), lupe_zdict_de1_id);
	/* Another dictionary: lupe's with another id in its header (magic, then the id). */
	unsigned char *other = malloc(lupe_zdict_de1_size);
	ck_assert_ptr_nonnull(other);
	memcpy(other, lupe_zdict_de1, lupe_zdict_de1_size);
	other[4] ^= 1;
	size_t zon = ZSTD_compress_usingDict(cc, zo + 3, sizeof zo - 3, fields, fl, other, lupe_zdict_de1_size, 3);
	ck_assert(!ZSTD_isError(zon));
	ck_assert_uint_eq(ZSTD_getDictID_fromFrame(zo + 3, zon), lupe_zdict_de1_id ^ 1);
	free(other);
	ZSTD_freeCCtx(cc);
	lupe_buf scratch = {0};
	lupe_record rec;
	const struct {
		const char *data;
		size_t len;
		int ok;
	} cases[] = {
		{v1, 2 + fl, 1},   {v2, 3 + fl, 1},      {z, 3 + zn, 1},       {v1, 2 + fl - 1, 0}, {v2, 3 + fl - 2, 0},
		{z, 3 + zn - 1, 0}, {"L\x02\x05x", 4, 0}, {"L\x02", 2, 0},      {"L\x03\x00", 3, 0}, {"", 0, 0},
		{"L\x02\x01\x28\xb5\x2f\xfd", 7, 0}, {zd, 3 + zdn, 1}, {zo, 3 + zon, 0}, {zd, 3 + zdn - 1, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = lupe_record_parse(cases[i].data, cases[i].len, &scratch, &rec);
		ck_assert_msg(rc == (cases[i].ok ? 0 : -1), "case %zu: %d", i, rc);
		if (cases[i].ok) {
			ck_assert_uint_eq(rec.text_len, 4);
			ck_assert_int_eq(memcmp(rec.text, "Wort", 4), 0);
			ck_assert_int_eq(memcmp(rec.title, "T", 1), 0);
			ck_assert_int_eq(rec.mtime, 7);
		}
	}
	lupe_buf_free(&scratch);
}
END_TEST

START_TEST(test_near)
{
	ck_assert(fx_finds(db, "klare NEAR/2 Strategie", "k1", 10));
	/* "Überstunden häufen sich, wenn die Strategie fehlt und die Kommunikation": 9 words apart */
	ck_assert(!fx_finds(db, "Überstunden NEAR/8 Kommunikation", "k3", 10));
	ck_assert(fx_finds(db, "Überstunden NEAR/9 Kommunikation", "k3", 10));
	ck_assert(fx_finds(db, "Kommunikation NEAR/9 Überstunden", "k3", 10)); /* any order */
}
END_TEST

START_TEST(test_filters)
{
	ck_assert(fx_finds(db, "Kommunikation date:2016-01-01..2019-12-31", "k2", 10));
	ck_assert(fx_finds(db, "Kommunikation date:2016-01-01..2019-12-31", "k3", 10));
	ck_assert(!fx_finds(db, "Kommunikation date:2016-01-01..2019-12-31", "k1", 10));
	ck_assert(!fx_finds(db, "Kommunikation date:2016-01-01..2019-12-31", "k4", 10));
	ck_assert(fx_finds(db, "Kommunikation date:2020..", "k4", 10));
	ck_assert(!fx_finds(db, "Kommunikation date:2020..", "k3", 10));
	ck_assert(fx_finds(db, "Kommunikation path:/srv/news", "k4", 10));
	ck_assert(!fx_finds(db, "Kommunikation path:/srv/news", "k1", 10));
	lupe_results *r;
	ck_assert_int_eq(lupe_search(db, &r, "date:gestern", 12, NULL), LUPE_EQUERY);
	ck_assert_ptr_nonnull(strstr(lupe_errmsg(db), "date"));
}
END_TEST

START_TEST(test_facets_and_sort)
{
	const char *fields[] = {"source", "year", NULL};
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	o.facets = fields;
	o.sort = LUPE_SORT_DATE_DESC;
	lupe_results *r = run("Kommunikation", &o);
	ck_assert_uint_eq(lupe_results_count(r), 4);
	ck_assert_str_eq(lupe_results_hit(r, 0)->id, "k4");
	ck_assert_str_eq(lupe_results_hit(r, 3)->id, "k1");
	size_t n;
	const lupe_facet *f = lupe_results_facet(r, "source", &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(f[0].count + f[1].count, 4);
	ck_assert_uint_eq(f[0].count, 2);
	f = lupe_results_facet(r, "year", &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_ptr_null(lupe_results_facet(r, "title", &n));
	lupe_results_free(r);
	o.sort = LUPE_SORT_DATE_ASC;
	o.facets = NULL;
	r = run("Kommunikation", &o);
	ck_assert_str_eq(lupe_results_hit(r, 0)->id, "k1");
	lupe_results_free(r);
}
END_TEST

START_TEST(test_html_and_explain)
{
	lupe_search_options o = LUPE_SEARCH_OPTIONS_INIT;
	o.flags = LUPE_SEARCH_HTML | LUPE_SEARCH_EXPLAIN;
	lupe_results *r = run("Überstunden", &o);
	const lupe_hit *h = lupe_results_hit(r, 0);
	ck_assert_ptr_nonnull(strstr(h->snippet, "<mark>Überstunden</mark>"));
	ck_assert_uint_eq(h->n_highlights, 1);
	ck_assert_int_eq(strncmp(h->snippet + h->highlights[0].start, "Überstunden", strlen("Überstunden")), 0);
	ck_assert_ptr_nonnull(h->explain);
	ck_assert_ptr_nonnull(strstr(h->explain, "uberstund"));
	/* the body offsets point at the word in the original text */
	ck_assert_uint_ge(h->n_matches, 1);
	ck_assert_uint_eq(h->matches[0].start, 0);
	lupe_results_free(r);
}
END_TEST

/*
 * Highlights name what matched.  Optional stopwords are left out of a query
 * that has other words ("Wie ...?"), so they are not marked either; a
 * query of stopwords alone, or a phrase, keeps them.  Rows: the query, and
 * the words of k3's body that must be marked, each once per occurrence.
 */
START_TEST(test_stopword_highlights)
{
	static const struct {
		const char *q;
		const char *marked[4];
	} rows[] = {
		{"Wie häufen sich die Überstunden?", {"Überstunden", "häufen"}},
		{"Wann fehlt die Strategie", {"Strategie", "fehlt"}},
		{"die", {"die", "die"}},
		{"\"die Strategie\"", {"die", "Strategie", "die"}},
	};
	const char *body = docs[2].text;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		lupe_results *r = run(rows[i].q, NULL);
		const lupe_hit *h = NULL;
		for (size_t j = 0; j < lupe_results_count(r); j++)
			if (strcmp(lupe_results_hit(r, j)->id, "k3") == 0)
				h = lupe_results_hit(r, j);
		ck_assert_msg(h != NULL, "row %zu: k3 not found", i);
		size_t want = 0;
		while (want < 4 && rows[i].marked[want])
			want++;
		ck_assert_msg(h->n_matches == want, "row %zu (%s): %zu words marked, want %zu", i, rows[i].q,
			      h->n_matches, want);
		for (size_t m = 0; m < h->n_matches; m++) {
			const char *w = body + h->matches[m].start;
			size_t n = h->matches[m].end - h->matches[m].start;
			int ok = 0;
			for (size_t k = 0; k < want && !ok; k++)
				ok = strlen(rows[i].marked[k]) == n && memcmp(rows[i].marked[k], w, n) == 0;
			ck_assert_msg(ok, "row %zu (%s): \"%.*s\" is marked", i, rows[i].q, (int)n, w);
		}
		lupe_results_free(r);
	}
}
END_TEST

START_TEST(test_like)
{
	lupe_results *r = NULL;
	ck_assert_int_eq(lupe_like(db, &r, "k1", NULL), LUPE_OK);
	ck_assert_uint_ge(lupe_results_count(r), 1);
	for (size_t i = 0; i < lupe_results_count(r); i++)
		ck_assert_str_ne(lupe_results_hit(r, i)->id, "k1");
	lupe_results_free(r);
	ck_assert_int_eq(lupe_like(db, &r, "nope", NULL), LUPE_ENOTFOUND);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("features");
	TCase *tc = tcase_create("features");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_suggestion);
	tcase_add_test(tc, test_suggestion_reader_thread);
	tcase_add_test(tc, test_long_body_record);
	tcase_add_test(tc, test_deep_body_bounded);
	tcase_add_test(tc, test_records_read_back);
	tcase_add_test(tc, test_record_versions_and_damage);
	tcase_add_test(tc, test_proximity);
	tcase_add_test(tc, test_compound_tier);
	tcase_add_test(tc, test_question_words);
	tcase_add_test(tc, test_quoted_phrase_words);
	tcase_add_test(tc, test_saturation);
	tcase_add_test(tc, test_truncated_compounds);
	tcase_add_test(tc, test_keyword_rows);
	tcase_add_test(tc, test_letter_parts);
	tcase_add_test(tc, test_fuzzy);
	tcase_add_test(tc, test_fuzzy_terms_reference);
	tcase_add_test(tc, test_near);
	tcase_add_test(tc, test_filters);
	tcase_add_test(tc, test_facets_and_sort);
	tcase_add_test(tc, test_html_and_explain);
	tcase_add_test(tc, test_stopword_highlights);
	tcase_add_test(tc, test_like);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_NOFORK);
}
