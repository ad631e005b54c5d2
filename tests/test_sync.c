/*
 * lupe_sync_path() against real folders built in a temp dir: stable ids,
 * incremental re-syncs, deletion, ignore rules, extraction (HTML entities,
 * charsets, titles of data/corpus), dates, bad input.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

static char *tmp;       /* the test's temp dir (realpath) */
static char dbpath[PATH_MAX];

/* Warnings seen by the callback, one "path: message" a line. */
static char warnings[16384];

static int collect(const lupe_sync_event *ev, void *ctx)
{
	(void)ctx;
	if (ev->kind == LUPE_SYNC_WARNING) {
		size_t n = strlen(warnings);
		snprintf(warnings + n, sizeof warnings - n, "%s: %s\n", ev->path, ev->message);
	}
	return 0;
}

static void mkdirs(const char *path)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
}

/* Write n bytes (n < 0: strlen) to tmp/rel, making folders. */
static void put(const char *rel, const char *data, long n)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	mkdirs(p);
	FILE *f = fopen(p, "wb");
	ck_assert_msg(f != NULL, "cannot write %s", p);
	fwrite(data, 1, n < 0 ? strlen(data) : (size_t)n, f);
	fclose(f);
}

static const char *at(const char *rel)
{
	static char p[4][PATH_MAX];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", tmp, rel);
	return p[k];
}

static lupe_db *db;

static void setup(void)
{
	char *t = fx_tmpdir();
	ck_assert(t != NULL);
	tmp = realpath(t, NULL);
	free(t);
	snprintf(dbpath, sizeof dbpath, "%s/db", tmp);
	db = fx_open_write(dbpath);
	ck_assert(db != NULL);
	warnings[0] = '\0';
}

static void teardown(void)
{
	lupe_close(db);
	if (chdir("/") != 0) /* one test works inside tmp */
		perror("chdir /");
	fx_rmrf(tmp);
	free(tmp);
}

static int sync_with(const char *path, unsigned flags, lupe_sync_stats *st)
{
	lupe_sync_options o = LUPE_SYNC_OPTIONS_INIT;
	o.flags = flags;
	o.callback = collect;
	return lupe_sync_path(db, path, &o, st);
}

static uint64_t count(void)
{
	uint64_t n = 0;
	ck_assert_int_eq(lupe_doc_count(db, &n), LUPE_OK);
	return n;
}

/* ---------------------------------------------------------------------- */

START_TEST(ids_stable_across_spellings)
{
	lupe_sync_stats st;
	put("k1/a.txt", "Der Kolibri schwirrt.\n", -1);
	put("k1/sub/b.md", "# Flamingo\n\nSteht auf einem Bein.\n", -1);
	ck_assert_int_eq(chdir(tmp), 0);
	char abs_slash[PATH_MAX];
	snprintf(abs_slash, sizeof abs_slash, "%s/k1/", tmp);
	const char *spellings[] = {"k1", "./k1", abs_slash, "k1/../k1/."};
	for (size_t i = 0; i < sizeof spellings / sizeof *spellings; i++) {
		ck_assert_int_eq(sync_with(spellings[i], 0, &st), LUPE_OK);
		ck_assert_uint_eq(st.files, 2);
		ck_assert_msg(count() == 2, "%s: %llu documents", spellings[i], (unsigned long long)count());
	}
	ck_assert_str_eq(fx_top(db, "Kolibri"), at("k1/a.txt"));
	ck_assert_str_eq(fx_top(db, "Flamingo"), at("k1/sub/b.md"));
}
END_TEST

START_TEST(resync_reads_only_changes)
{
	lupe_sync_stats st;
	char name[64], text[128];
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "f/d%d/n%02d.txt", i % 3, i);
		snprintf(text, sizeof text, "Notiz Nummer %d über Igel.\n", i);
		put(name, text, -1);
	}
	ck_assert_int_eq(sync_with(at("f"), 0, &st), LUPE_OK);
	ck_assert_uint_eq(st.added, 20);
	ck_assert_uint_eq(count(), 20);

	ck_assert_int_eq(sync_with(at("f"), 0, &st), LUPE_OK);
	ck_assert_uint_eq(st.files, 20);
	ck_assert_uint_eq(st.unchanged, 20);
	ck_assert_uint_eq(st.added + st.updated + st.removed, 0);
	ck_assert_uint_eq(st.bytes, 0); /* nothing read */

	/* Another size. */
	put("f/d1/n01.txt", "Notiz Nummer 1 über Igel und Dachse.\n", -1);
	/* The same size, another mtime. */
	put("f/d2/n02.txt", "Notiz Nummer 2 über Hase.\n", -1);
	struct timeval tv[2] = {{1000000000, 0}, {1000000000, 0}};
	ck_assert_int_eq(utimes(at("f/d2/n02.txt"), tv), 0);
	ck_assert_int_eq(sync_with(at("f"), 0, &st), LUPE_OK);
	ck_assert_uint_eq(st.updated, 2);
	ck_assert_uint_eq(st.unchanged, 18);
	ck_assert_str_eq(fx_top(db, "Dachse"), at("f/d1/n01.txt"));
	ck_assert_str_eq(fx_top(db, "Hase"), at("f/d2/n02.txt"));

	/* A document deleted behind the sync's back is added again. */
	ck_assert_int_eq(lupe_delete(db, at("f/d0/n00.txt")), LUPE_OK);
	ck_assert_int_eq(sync_with(at("f"), 0, &st), LUPE_OK);
	ck_assert_uint_eq(st.added, 1);
	ck_assert_uint_eq(count(), 20);
}
END_TEST

START_TEST(deletion_removes)
{
	lupe_sync_stats st;
	put("g/weg.txt", "Ein Walross liegt am Strand.\n", -1);
	put("g/bleibt.txt", "Eine Seekuh schwimmt.\n", -1);
	put("g2/nachbar.txt", "Ein Walross im Nachbarordner.\n", -1); /* "g" is a prefix of "g2" */
	ck_assert_int_eq(sync_with(at("g"), 0, &st), LUPE_OK);
	ck_assert_int_eq(sync_with(at("g2"), 0, &st), LUPE_OK);
	ck_assert_uint_eq(count(), 3);
	ck_assert_int_eq(unlink(at("g/weg.txt")), 0);
	ck_assert_int_eq(sync_with(at("g"), 0, &st), LUPE_OK);
	ck_assert_uint_eq(st.removed, 1);
	ck_assert_uint_eq(count(), 2);
	ck_assert_str_eq(fx_top(db, "Walross"), at("g2/nachbar.txt"));

	/* KEEP_GONE keeps, prune removes what no longer exists anywhere. */
	ck_assert_int_eq(unlink(at("g2/nachbar.txt")), 0);
	ck_assert_int_eq(sync_with(at("g2"), LUPE_SYNC_KEEP_GONE, &st), LUPE_OK);
	ck_assert_uint_eq(st.removed, 0);
	ck_assert_uint_eq(count(), 2);
	/* Options of a version the library does not know are refused by both, before anything changes. */
	lupe_sync_options bad = LUPE_SYNC_OPTIONS_INIT;
	bad.version = LUPE_SYNC_OPTIONS_VERSION + 1;
	ck_assert_int_eq(lupe_sync_prune(db, &bad, &st), LUPE_EINVAL);
	ck_assert_int_eq(lupe_sync_path(db, at("g2"), &bad, &st), LUPE_EINVAL);
	ck_assert_uint_eq(count(), 2);
	ck_assert_int_eq(lupe_sync_prune(db, NULL, &st), LUPE_OK);
	ck_assert_uint_eq(st.removed, 1);
	ck_assert_uint_eq(count(), 1);
}
END_TEST

/* Ignore rules: a row is a file, whether it is indexed by default, and with HIDDEN|NO_IGNORE. */
static const struct {
	const char *rel;
	int by_default, with_hidden_no_ignore;
} ignore_rows[] = {
	{"r/plain.txt", 1, 1},
	{"r/.hidden.txt", 0, 1},
	{"r/.versteckt/x.txt", 0, 1},
	{"r/.git/y.txt", 0, 0},                     /* never */
	{"r/node_modules/m.txt", 0, 1},             /* "node_modules/" (folders only) */
	{"r/sub/node_modules/m.txt", 0, 1},         /* unanchored: at any depth */
	{"r/debug.log.txt", 0, 1},                  /* "*.log.txt" */
	{"r/sub/keep.log.txt", 1, 1},               /* "!keep.log.txt" */
	{"r/top.txt", 0, 1},                        /* "/top.txt": anchored */
	{"r/sub/top.txt", 1, 1},
	{"r/build/out.txt", 0, 1},                  /* "build/" + "**" */
	{"r/docs/tmp/t.txt", 0, 1},                 /* "docs/tmp": anchored, has a slash */
	{"r/sub/docs/tmp/t.txt", 1, 1},
	{"r/deep/a/b/geheim.txt", 0, 1},            /* "**" + "/a/b/geheim.txt" */
	{"r/nested/drin.txt", 0, 1},                /* r/nested/.gitignore: "drin.txt" */
	{"r/nested/wieder.txt", 1, 1},
	{"r/nested/tief.txt", 0, 1},                /* r/nested/.gitignore: "/tief.txt" */
	{"r/nested/x/tief.txt", 1, 1},
	{"r/nested/x/y/z.txt", 0, 1},               /* r/nested/.gitignore: "x/y" */
	{"r/x/y/z.txt", 1, 1},
	{"r/ign/i.txt", 0, 1},                      /* .ignore: "ign/" */
	{"r/#hash.txt", 0, 1},                      /* "\#hash.txt" */
	{"r/nothing.dat", 0, 0},                    /* not a default extension */
};

static void ignore_fixture(void)
{
	put("r/.gitignore",
	    "# comment\n\nnode_modules/\n*.log.txt\n!keep.log.txt\n/top.txt\nbuild/**\ndocs/tmp\n**/a/b/geheim.txt\n"
	    "\\#hash.txt\nplain.txt/\n   \n"
	    /* Odd lines that must neither crash nor ignore anything listed above. */
	    "[\n!\n/\n\\\na[\n!!x\n\\!\n\r\n/[z-a]\n",
	    -1);
	put("r/.ignore", "ign/\n", -1);
	put("r/nested/.gitignore", "drin.txt\n/tief.txt\nx/y\n", -1);
	for (size_t i = 0; i < sizeof ignore_rows / sizeof *ignore_rows; i++) {
		char text[256];
		snprintf(text, sizeof text, "Datei Nummer zz%zuzz hier.\n", i);
		put(ignore_rows[i].rel, text, -1);
	}
}

static void check_ignore_rows(int col)
{
	for (size_t i = 0; i < sizeof ignore_rows / sizeof *ignore_rows; i++) {
		char q[32];
		snprintf(q, sizeof q, "zz%zuzz", i);
		int want = col ? ignore_rows[i].with_hidden_no_ignore : ignore_rows[i].by_default;
		int got = strcmp(fx_top(db, q), at(ignore_rows[i].rel)) == 0;
		ck_assert_msg(got == want, "row %zu %s: indexed %d, want %d", i, ignore_rows[i].rel, got, want);
	}
}

START_TEST(ignore_rules)
{
	lupe_sync_stats st;
	ignore_fixture();
	ck_assert_int_eq(sync_with(at("r"), 0, &st), LUPE_OK);
	check_ignore_rows(0);
	/* The switches, and re-syncing without them removes what is ignored again. */
	ck_assert_int_eq(sync_with(at("r"), LUPE_SYNC_HIDDEN | LUPE_SYNC_NO_IGNORE, &st), LUPE_OK);
	check_ignore_rows(1);
	ck_assert_int_eq(sync_with(at("r"), 0, &st), LUPE_OK);
	check_ignore_rows(0);
}
END_TEST

START_TEST(include_exclude_globs)
{
	lupe_sync_stats st;
	const char *inc[] = {"*.conf", "notes/*.dat", NULL};
	const char *exc[] = {"skip*", "alt", NULL};
	put("c/a.conf", "Schildkröte eins\n", -1);
	put("c/notes/b.dat", "Schildkröte zwei\n", -1);
	put("c/other/c.dat", "Schildkröte drei\n", -1);
	put("c/skip.conf", "Schildkröte vier\n", -1);
	put("c/alt/d.conf", "Schildkröte fünf\n", -1);
	put("c/e.txt", "Schildkröte sechs\n", -1);
	lupe_sync_options o = LUPE_SYNC_OPTIONS_INIT;
	o.include = inc;
	o.exclude = exc;
	ck_assert_int_eq(lupe_sync_path(db, at("c"), &o, &st), LUPE_OK);
	ck_assert_uint_eq(st.added, 2);
	ck_assert(fx_finds(db, "Schildkröte", at("c/a.conf"), 10));
	ck_assert(fx_finds(db, "Schildkröte", at("c/notes/b.dat"), 10));
	ck_assert_uint_eq(count(), 2);
}
END_TEST

START_TEST(html_extraction)
{
	lupe_sync_stats st;
	lupe_search_options so = LUPE_SEARCH_OPTIONS_INIT;
	lupe_results *r = NULL;
	put("h/s.html",
	    "<!DOCTYPE html><html><head><title>Die &Scaron;koda-Seite &amp; mehr</title>"
	    "<meta name=\"description\" content=\"Autos aus Mlad&aacute; Boleslav\">"
	    "<style>.geheimstil{}</style><script>var geheimskript;</script></head>"
	    "<body><h1>Überschrift</h1><p>Der &Scaron;koda Octavia&nbsp;f&auml;hrt &#x2192; weit.</p>"
	    "<!-- geheimkommentar --></body></html>",
	    -1);
	/* Declared windows-1252, bytes not UTF-8. */
	put("h/alt.htm", "<html><head><meta charset=\"windows-1252\"><title>Gr\xfc\xdf" "e</title></head>"
			 "<body>K\xe4sebr\xf6tchen \x80 5</body></html>", -1);
	/* No title: the first h1. */
	put("h/h1.html", "<html><body><h1>Nur &Uuml;berschrift</h1><p>Pinguin</p></body></html>", -1);
	/* A fragment: no <html>, <head> or <body>. */
	put("h/frag.html", "<title>Fragment Titel</title><p>Ein Tapir.</p>", -1);
	ck_assert_int_eq(sync_with(at("h"), 0, &st), LUPE_OK);
	ck_assert_uint_eq(st.added, 4);
	ck_assert_int_eq(lupe_search(db, &r, "Tapir", 5, &so), LUPE_OK);
	ck_assert_uint_eq(lupe_results_count(r), 1);
	ck_assert_str_eq(lupe_results_hit(r, 0)->title, "Fragment Titel");
	lupe_results_free(r);
	ck_assert_int_eq(lupe_search(db, &r, "Škoda", strlen("Škoda"), &so), LUPE_OK);
	ck_assert_uint_eq(lupe_results_count(r), 1);
	const lupe_hit *h = lupe_results_hit(r, 0);
	ck_assert_str_eq(h->title, "Die Škoda-Seite & mehr");
	ck_assert_str_eq(h->path, at("h/s.html"));
	lupe_results_free(r);
	ck_assert_str_eq(fx_top(db, "Boleslav"), at("h/s.html"));
	ck_assert_str_eq(fx_top(db, "Käsebrötchen"), at("h/alt.htm"));
	ck_assert_int_eq(lupe_search(db, &r, "Käsebrötchen", strlen("Käsebrötchen"), &so), LUPE_OK);
	ck_assert_uint_eq(lupe_results_count(r), 1);
	ck_assert_msg(strstr(lupe_results_hit(r, 0)->snippet, "€ 5"), "%s", lupe_results_hit(r, 0)->snippet);
	ck_assert_str_eq(lupe_results_hit(r, 0)->title, "Grüße");
	lupe_results_free(r);
	ck_assert_str_eq(fx_top(db, "title:Überschrift"), at("h/h1.html"));
	const char *secret[] = {"geheimstil", "geheimskript", "geheimkommentar", "DOCTYPE", "Scaron"};
	for (size_t i = 0; i < 5; i++)
		ck_assert_msg(!*fx_top(db, secret[i]), "%s found", secret[i]);
}
END_TEST

/* The titles of the bundled articles: the heading, not the hash file name or a banner. */
static const struct {
	const char *file, *title;
} corpus_titles[] = {
	{"000_d5375fca1a9368d7.txt", "Sachar Kriwoj: 1. Social Media Management by E-Plus"},
	{"001_18b1f2334a26c98f.txt", "Erste Hilfe für Social Media Manager: Fünf praktische Tipps, die euch den "
				     "Arbeitsalltag erleichtern"},
	{"002_dfd74220ff8ed79c.txt", "\"Mit Mut und Leidenschaft Grabenkämpfe überwinden\""},
	{"003_7fdb0018013038aa.txt", "Straffer Zeitplan: Der Social Media Manager im Unternehmen"},
	{"004_8feeb118e7ecd11c.txt", "Kürzlich suchte ich auf Wikipedia eine Definition für das Berufsbild "
				     "„Social Media Manager“ (SMM)."},
};

START_TEST(corpus_titles_and_dates)
{
	lupe_sync_stats st;
	const char *src = getenv("LUPE_SOURCE_ROOT");
	char corpus[PATH_MAX];
	snprintf(corpus, sizeof corpus, "%s/data/corpus", src ? src : "..");
	ck_assert_int_eq(sync_with(corpus, 0, &st), LUPE_OK);
	ck_assert_uint_eq(st.added, 5);
	lupe_search_options so = LUPE_SEARCH_OPTIONS_INIT;
	lupe_results *r = NULL;
	ck_assert_int_eq(lupe_search(db, &r, "Social", 6, &so), LUPE_OK);
	ck_assert_uint_eq(lupe_results_count(r), 5);
	for (size_t k = 0; k < 5; k++) {
		const char *base = corpus_titles[k].file;
		const lupe_hit *h = NULL;
		for (size_t i = 0; i < lupe_results_count(r); i++) {
			const char *id = lupe_results_hit(r, i)->id;
			if (strlen(id) > strlen(base) && !strcmp(id + strlen(id) - strlen(base), base))
				h = lupe_results_hit(r, i);
		}
		ck_assert_msg(h != NULL, "%s not found", base);
		ck_assert_str_eq(h->title, corpus_titles[k].title);
		struct stat fs;
		ck_assert_int_eq(stat(h->path, &fs), 0);
		char want[32];
		struct tm tm;
		time_t t = fs.st_mtime;
		strftime(want, sizeof want, "%Y-%m-%d", gmtime_r(&t, &tm));
		ck_assert_msg(!strncmp(h->date, want, 10), "%s: date %s, mtime %s", base, h->date, want);
		ck_assert_int_eq(h->mtime, (int64_t)fs.st_mtime);
	}
	lupe_results_free(r);
}
END_TEST

/* Text titles: a row is the text and its title. */
static const struct {
	const char *text, *title;
} text_titles[] = {
	{"Kurzer Titel hier\n\nText.", "Kurzer Titel hier"},
	{"Frage an dich?\nzwei\nEchter Titel steht hier\n", "Echter Titel steht hier"},
	{"Ein langer erster Satz, der als Titel dienen muss, weil keine kurze Zeile kommt. Zweiter Satz.",
	 "Ein langer erster Satz, der als Titel dienen muss, weil keine kurze Zeile kommt."},
	{"Am 1. Mai war es warm genug für alle, die draußen waren. Ende.",
	 "Am 1. Mai war es warm genug für alle, die draußen waren."},
};

START_TEST(text_and_markdown_titles)
{
	lupe_sync_stats st;
	char rel[64];
	for (size_t i = 0; i < sizeof text_titles / sizeof *text_titles; i++) {
		snprintf(rel, sizeof rel, "t/%zu.txt", i);
		put(rel, text_titles[i].text, -1);
	}
	put("t/m.md", "Vorspann ohne Punkt hier\n\n## Die *echte* Überschrift ##\n\nText.\n", -1);
	put("t/s.markdown", "Setext Überschrift\n==================\n\nText.\n", -1);
	ck_assert_int_eq(sync_with(at("t"), 0, &st), LUPE_OK);
	lupe_search_options so = LUPE_SEARCH_OPTIONS_INIT;
	so.limit = 20;
	lupe_results *r = NULL;
	char q[PATH_MAX];
	snprintf(q, sizeof q, "path:%s", tmp);
	ck_assert_int_eq(lupe_search(db, &r, q, strlen(q), &so), LUPE_OK);
	size_t checked = 0;
	for (size_t i = 0; i < lupe_results_count(r); i++) {
		const lupe_hit *h = lupe_results_hit(r, i);
		const char *b = strrchr(h->id, '/') + 1;
		const char *want = !strcmp(b, "m.md") ? "Die *echte* Überschrift"
				   : !strcmp(b, "s.markdown") ? "Setext Überschrift"
							       : text_titles[atoi(b)].title;
		ck_assert_msg(!strcmp(h->title, want), "%s: title '%s', want '%s'", b, h->title, want);
		checked++;
	}
	ck_assert_uint_eq(checked, 6);
	lupe_results_free(r);
}
END_TEST

/*
 * A UTF-8 file read in part, the cut inside a two-byte letter, is still
 * read as UTF-8 (not as windows-1252, which garbles every umlaut).
 */
START_TEST(utf8_cut_in_a_sequence)
{
	lupe_sync_stats st;
	const char *text = "K\xc3\xa4sebr\xc3\xb6tchen f\xc3\xbcr J\xc3\xbcrgen, dann \xc3\x96lwechsel.\n";
	const char *cut = strstr(text, "\xc3\x96");
	put("u/teil.txt", text, -1);
	lupe_sync_options o = LUPE_SYNC_OPTIONS_INIT;
	o.callback = collect;
	o.max_file_bytes = (uint64_t)(cut - text) + 1; /* ends after the first byte of the O-umlaut */
	ck_assert_int_eq(lupe_sync_path(db, at("u"), &o, &st), LUPE_OK);
	ck_assert_str_eq(fx_top_exact(db, "K\xc3\xa4sebr\xc3\xb6tchen"), at("u/teil.txt"));
	ck_assert_str_eq(fx_top_exact(db, "J\xc3\xbcrgen"), at("u/teil.txt"));
}
END_TEST

START_TEST(bad_input_warns_and_goes_on)
{
	lupe_sync_stats st;
	put("b/gut.txt", "Ein Dromedar in der Wüste.\n", -1);
	put("b/zeile\numbruch.txt", "Ein Seepferdchen im Wasser.\n", -1);
	put("b/kaputt\xff\xfe.txt", "Ein Okapi im Wald.\n", -1);
	put("b/bin.txt", "Nashorn\0\1\2", 10);
	put("b/leer.txt", "", 0);
	put("b/latin1.txt", "Gr\xf6\xdf" "ere K\xe4sebr\xf6tchen f\xfcr J\xfcrgen\n", -1);
	/* windows-1251, declared nowhere: ICU's detector (loaded when first needed) reads it. */
	put("b/ru.txt", "\xcf\xee\xe3\xee\xe4\xe0 \xe2 \xcc\xee\xf1\xea\xe2\xe5 \xf1\xe5\xe3\xee\xe4\xed\xff \xf5\xee\xf0\xee\xf8\xe0\xff, \xf1\xe2\xe5\xf2\xe8\xf2 \xf1\xee\xeb\xed\xf6\xe5 \xe8 \xe4\xf3\xe5\xf2 \xeb\xb8\xe3\xea\xe8\xe9 \xe2\xe5\xf2\xe5\xf0. \xc7\xe0\xe2\xf2\xf0\xe0 \xee\xe1\xe5\xf9\xe0\xfe\xf2 \xe4\xee\xe6\xe4\xfc, \xef\xee\xfd\xf2\xee\xec\xf3 \xe2\xee\xe7\xfc\xec\xe8\xf2\xe5 \xe7\xee\xed\xf2\xe8\xea. ", -1);
	ck_assert_int_eq(symlink("loop2", at("b/loop1.txt")), 0);
	ck_assert_int_eq(symlink("loop1.txt", at("b/loop2")), 0);
	ck_assert_int_eq(symlink(".", at("b/selbst")), 0); /* a folder link: not followed */
	ck_assert_int_eq(symlink("gut.txt", at("b/link.txt")), 0);
	ck_assert_int_eq(mkfifo(at("b/fifo.txt"), 0644), 0);
	/* Big: only the first max_file_bytes are read. */
	char *big = malloc(300000);
	for (size_t i = 0; i < 300000; i++)
		big[i] = i % 7 == 6 ? ' ' : 'a' + (char)(i % 7);
	memcpy(big, "Anfangswort ", 12);
	memcpy(big + 299980, " Zqxjvkqxyzw", 12); /* no compound part, no close word */
	put("b/gross.txt", big, 300000);
	free(big);
	/* A path longer than an id may be. */
	char longrel[300] = "b/";
	for (int i = 0; i < 220; i++)
		strcat(longrel, "x");
	strcat(longrel, ".txt");
	put(longrel, "Ein Gnu.\n", -1);

	lupe_sync_options o = LUPE_SYNC_OPTIONS_INIT;
	o.callback = collect;
	o.max_file_bytes = 100000;
	ck_assert_int_eq(lupe_sync_path(db, at("b"), &o, &st), LUPE_OK);
	ck_assert_msg(strstr(warnings, "bin.txt: binary"), "%s", warnings);
	ck_assert_msg(strstr(warnings, "leer.txt: empty"), "%s", warnings);
	ck_assert_msg(strstr(warnings, "loop1.txt: symbolic link loop"), "%s", warnings);
	ck_assert_msg(strstr(warnings, "gross.txt: bigger than 100000 bytes"), "%s", warnings);
	ck_assert_msg(strstr(warnings, "xxxx.txt: path longer than"), "%s", warnings);
	ck_assert_str_eq(fx_top(db, "Dromedar"), at("b/gut.txt")); /* and link.txt */
	ck_assert(fx_finds(db, "Dromedar", at("b/link.txt"), 10));
	ck_assert_str_eq(fx_top(db, "Seepferdchen"), at("b/zeile\numbruch.txt"));
	ck_assert_str_eq(fx_top(db, "Okapi"), at("b/kaputt\xff\xfe.txt"));
	ck_assert_str_eq(fx_top(db, "Käsebrötchen"), at("b/latin1.txt"));
	ck_assert_str_eq(fx_top(db, "зонтик"), at("b/ru.txt"));
	ck_assert_str_eq(fx_top(db, "Anfangswort"), at("b/gross.txt"));
	ck_assert_str_eq(fx_top(db, "Zqxjvkqxyzw"), "");
	ck_assert_str_eq(fx_top(db, "Nashorn"), "");
	ck_assert_uint_eq(count(), 7);

	/* A path that does not exist changes nothing. */
	ck_assert_int_eq(sync_with(at("b/fehlt"), 0, &st), LUPE_ENOTFOUND);
	ck_assert_uint_eq(count(), 7);
}
END_TEST

static int stop_after_two(const lupe_sync_event *ev, void *ctx)
{
	int *n = ctx;
	return ev->kind == LUPE_SYNC_FILE && ++*n >= 2;
}

/* Events in order: total 0 before SCANNED, then done counting up to total, COMMITTING last. */
struct seen {
	int scanned, committing, bad;
	uint64_t total, last_done, files;
};

static int check_order(const lupe_sync_event *ev, void *ctx)
{
	struct seen *z = ctx;
	if (z->committing)
		z->bad = 1;
	if (ev->kind == LUPE_SYNC_SCANNED) {
		z->scanned = 1;
		z->total = ev->total;
	} else if (ev->kind == LUPE_SYNC_FILE) {
		if (!z->scanned || ev->total != z->total || ev->done < z->last_done || ev->done > ev->total)
			z->bad = 1;
		z->last_done = ev->done;
		z->files++;
	} else if (ev->kind == LUPE_SYNC_COMMITTING) {
		z->committing = 1;
	} else if (ev->kind == LUPE_SYNC_WARNING && !z->scanned && (ev->total || ev->done)) {
		z->bad = 1;
	}
	return 0;
}

START_TEST(callback_progress_and_stop)
{
	lupe_sync_stats st;
	int n = 0;
	for (int i = 0; i < 5; i++) {
		char rel[32];
		snprintf(rel, sizeof rel, "p/%d.txt", i);
		put(rel, "Ein Lemur.\n", -1);
	}
	lupe_sync_options o = LUPE_SYNC_OPTIONS_INIT;
	o.callback = stop_after_two;
	o.ctx = &n;
	ck_assert_int_eq(lupe_sync_path(db, at("p"), &o, &st), LUPE_OK);
	ck_assert_int_eq(st.stopped, 1);
	ck_assert_uint_eq(st.added, 2);
	ck_assert_uint_eq(count(), 2); /* committed */

	/* The order of events, with a warning during the walk (a symbolic link loop). */
	struct seen z = {0, 0, 0, 0, 0, 0};
	ck_assert_int_eq(symlink("loop.txt", at("p/loop.txt")), 0);
	o.callback = check_order;
	o.ctx = &z;
	ck_assert_int_eq(lupe_sync_path(db, at("p"), &o, &st), LUPE_OK);
	ck_assert(z.scanned && z.committing && !z.bad);
	ck_assert_uint_eq(z.total, 5);
	ck_assert_uint_eq(z.files, 5);
	ck_assert_uint_eq(z.last_done, 5);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sync");
	TCase *tc = tcase_create("sync");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ids_stable_across_spellings);
	tcase_add_test(tc, resync_reads_only_changes);
	tcase_add_test(tc, deletion_removes);
	tcase_add_test(tc, ignore_rules);
	tcase_add_test(tc, include_exclude_globs);
	tcase_add_test(tc, html_extraction);
	tcase_add_test(tc, corpus_titles_and_dates);
	tcase_add_test(tc, text_and_markdown_titles);
	tcase_add_test(tc, bad_input_warns_and_goes_on);
	tcase_add_test(tc, utf8_cut_in_a_sequence);
	tcase_add_test(tc, callback_progress_and_stop);
	suite_add_tcase(s, tc);
	return fx_run(s, CK_FORK_GETENV);
}
