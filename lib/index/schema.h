/*
 * The on-disk schema of a lupe index, in one place: what lupe writes into a
 * Xapian database and beside it.  A leaf header (no includes): every layer
 * may read it (tests/test_layers.py).  Changing a value here changes the
 * format: bump LUPE_FORMAT and say how older indexes are read.
 * docs/ARCHITECTURE.md ("On disk") explains each part.
 */
#ifndef LUPE_SCHEMA_H
#define LUPE_SCHEMA_H

/* ---- term prefixes (Xapian's conventions where they exist) ---- */
#define LUPE_PFX_ID "Q"      /* the unique id term: "Q" + id */
#define LUPE_PFX_TITLE "S"   /* title words (also unprefixed, LUPE_TITLE_WDF times) */
#define LUPE_PFX_SOURCE "XS" /* the source, whole */
#define LUPE_PFX_PATH "XP"   /* the whole path; path: queries expand it as a prefix */
/* Bytes of LUPE_PFX_ID: the shard hash and lupe-shard-split skip them. */
#define LUPE_ID_PREFIX_LEN 1

/* ---- value slots ---- */
#define LUPE_SLOT_DATE 0   /* "YYYYMMDDHHMMSS", sorts as a string */
#define LUPE_SLOT_MTIME 1  /* decimal seconds */
#define LUPE_SLOT_SOURCE 2 /* the source as given, for facets */
#define LUPE_SLOT_YEAR 3   /* "YYYY" of the date, for facets */
/*
 * The position map of a long body (index/posmap.h): where every
 * LUPE_POSMAP_STEP-th body word starts, so that a snippet analyses only the
 * zones around the query's positions.  Only bodies of LUPE_POSMAP_MIN bytes
 * or more have one; an index without it (older ones) is read as before, so
 * LUPE_FORMAT stays.
 */
#define LUPE_SLOT_POSMAP 4
#define LUPE_POSMAP_MIN (16u * 1024)
#define LUPE_POSMAP_STEP 64

/* ---- metadata keys ---- */
#define LUPE_META_FORMAT "lupe.format"         /* marks a lupe index; its value is LUPE_FORMAT */
#define LUPE_FORMAT "1"
#define LUPE_META_DECOMPOUND "lupe.decompound" /* "0" when indexed without compound splitting */
#define LUPE_META_SHARD "lupe.shard"           /* "K/N" on shard K of N */
#define LUPE_META_SYNC_PREFIX "lupe.sync:"     /* + id: a synced file's size and mtime (sync.c) */
/*
 * The lexicon (lib/shim/lexicon.cc): + a two-byte prefix, the terms that
 * start with it and their frequencies; the stamp says which index they
 * describe.  "\x01" sorts before every other key.  An index without them
 * (older ones) is read as before, so LUPE_FORMAT stays.
 */
#define LUPE_META_LEXICON_PREFIX "\x01lupe:tl:"
#define LUPE_META_LEXICON_STAMP "\x01lupe:tl-stamp"
/*
 * The whole lexicon in a few values (round ten): + a decimal chunk number,
 * every prefix's value at once, for a reader that takes it in one
 * exchange a chunk.  It names the stamp it was written with.
 */
#define LUPE_META_LEXICON_WHOLE "\x01lupe:tl-all:"
/*
 * The whole lexicon's size (round fourteen): its payload's bytes in
 * decimal, a space, and the stamp it was written with.  A remote reader
 * reads it to decide whether to take the whole lexicon at its first batch
 * of words' variants (a few hundred KB cost less than their OR look-up).
 */
#define LUPE_META_LEXICON_WHOLE_SIZE "\x01lupe:tl-size"

/* ---- records (document data, index/document.c) ---- */
/* Bytes of a body searched for the best passage; the rest is not read.
 * Lucene's highlighter reads 50 KB by default. */
#define LUPE_SNIPPET_SCAN_MAX (64u * 1024)
/* The longest passage asked for (lupe_search_options.snippet_bytes). */
#define LUPE_SNIPPET_BYTES_MAX 4096u
/*
 * Bytes of a body its record keeps: what snippets and match offsets read
 * (LUPE_SNIPPET_SCAN_MAX) and room for a passage that starts near its end
 * to end (LUPE_SNIPPET_BYTES_MAX, twice over), so that a snippet is the
 * same as from the whole body.  Nothing reads further.
 */
#define LUPE_RECORD_TEXT_MAX (LUPE_SNIPPET_SCAN_MAX + 2 * LUPE_SNIPPET_BYTES_MAX)
/*
 * Bytes of a body a record keeps in all: past LUPE_RECORD_TEXT_MAX, the
 * rest (the tail) is packed apart and read only when the first
 * LUPE_SNIPPET_SCAN_MAX bytes do not show a query word as written
 * (search/snippet.h, lupe_snippet_deep).  As Elasticsearch's highlighter
 * reads 1,000,000 characters by default.
 */
#define LUPE_RECORD_DEEP_MAX (1024u * 1024)
/* Bytes of one document's body that are analysed and indexed. */
#define LUPE_TEXT_MAX (64u * 1024 * 1024)

/* ---- names beside an index PATH (the shim makes and removes them) ---- */
#define LUPE_SUFFIX_OLD ".lupe-old"         /* the old index during a swap */
#define LUPE_SUFFIX_COMPACT ".lupe-compact" /* a compaction's new copy */
#define LUPE_SUFFIX_BULK ".lupe-bulk-"      /* + K: a bulk load's part K */
#define LUPE_SUFFIX_NEW ".lupe-new-"        /* + pid: a new index built aside */
#define LUPE_SUFFIX_LOCK ".lupe-lock"       /* the writers' lock file */

#endif
