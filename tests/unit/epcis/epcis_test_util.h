/*
 * Helpers shared by the EPCIS unit tests in tests/unit/epcis: reading a
 * document and writing it again, comparing texts line by line, dumping event
 * trees, reading whole files. Test-only: every helper is static inline, so a
 * test that uses some of them compiles cleanly with -Wall -Wextra -Werror.
 */
#ifndef ST_EPCIS_TEST_UTIL_H
#define ST_EPCIS_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include "epcis/jsonld.h"
#include "epcis/tree_dump.h"
#include "epcis/write.h"
#include "epcis/xml.h"

/* ---- reading and writing whole documents ------------------------------------ */

/* A document read (every event kept) and what writing it gave. */
typedef struct conv {
    st_arena *a;      /* owns doc, notes and whatever a test builds from them */
    st_epcis_doc doc; /* the source */
    st_diag diag;     /* its read faults */
    st_diag notes;    /* the writer's notes */
    char *out;        /* the written document (malloc'd by open_memstream) */
    size_t n;         /* its length */
    st_rc rc;         /* first non-OK code of open, event or finish */
} conv;

/* Read buf[0..n) into doc (arena a, faults in diag) with the reader for its
 * format, keeping every event. */
static inline st_rc read_doc(st_epcis_doc *doc, st_arena *a, st_diag *diag, const char *buf,
                             size_t n)
{
    memset(doc, 0, sizeof *doc);
    doc->arena = a;
    doc->name = "test";
    st_diag_init(diag, a);
    return st_epcis_detect(buf, n) == ST_EPCIS_FMT_JSONLD
               ? st_jsonld_read(doc, buf, n, NULL, NULL, diag)
               : st_xml_read(doc, buf, n, NULL, NULL, diag);
}

/* Write the events of c->doc (already read) as fmt / ids into c->out, the
 * notes into c->notes, the first failure into c->rc. */
static inline void write_doc(conv *c, st_epcis_format fmt, st_epcis_ids ids)
{
    free(c->out);
    c->out = NULL;
    st_diag_init(&c->notes, c->a);
    FILE *f = open_memstream(&c->out, &c->n);
    assert_non_null(f);
    st_epcis_writer *w = NULL;
    c->rc = st_epcis_writer_open(fmt, ids, &c->doc, f, &c->notes, &w);
    for (size_t i = 0; i < c->doc.n_kept && c->rc == ST_OK; i++)
        c->rc = st_epcis_writer_event(w, c->doc.kept[i]);
    st_rc rc = st_epcis_writer_finish(w);
    if (c->rc == ST_OK)
        c->rc = rc;
    fclose(f);
}

/* Start c (a fresh arena) and read s[0..n) into it; the test fails when the
 * document has any read fault. */
static inline void load(conv *c, const char *s, size_t n)
{
    memset(c, 0, sizeof *c);
    c->a = st_arena_create(0);
    assert_non_null(c->a);
    st_rc rc = read_doc(&c->doc, c->a, &c->diag, s, n);
    if (rc != ST_OK || c->diag.n)
        fail_msg("the document does not read: rc %d, %zu faults, first: %s %s", rc, c->diag.n,
                 c->diag.n ? c->diag.items[0].path : "", c->diag.n ? c->diag.items[0].msg : "");
}

/* Read the NUL-terminated s (load), write it as fmt / ids (write_doc). */
static inline void convert(conv *c, const char *s, st_epcis_format fmt, st_epcis_ids ids)
{
    load(c, s, strlen(s));
    write_doc(c, fmt, ids);
}

/* Free what c holds. */
static inline void conv_free(conv *c)
{
    free(c->out);
    st_arena_destroy(c->a);
}

/* A malloc'd copy of s with its single quotes (used for legibility in
 * hand-written JSON-LD) made double. */
static inline char *dq(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    for (char *p = d; *p; p++)
        if (*p == '\'')
            *p = '"';
    return d;
}

/* load() the single-quoted JSON-LD document s (dq). */
static inline void load_json(conv *c, const char *s)
{
    char *d = dq(s);
    load(c, d, strlen(d));
    free(d);
}

/* ---- reading with one reader ------------------------------------------------ */

/* A reading: the document, its diagnostics and their arena. */
typedef struct reading {
    st_arena *a;      /* owns doc and diag contents */
    st_epcis_doc doc; /* the document read */
    st_diag diag;     /* its faults */
    st_rc rc;         /* what the reader returned */
} reading;

/* Make r empty, with a fresh arena, ready for a reader. */
static inline void reading_start(reading *r)
{
    memset(r, 0, sizeof *r);
    r->a = st_arena_create(0);
    assert_non_null(r->a);
    r->doc.arena = r->a;
    r->doc.name = "test";
    st_diag_init(&r->diag, r->a);
}

/* Free what r holds. */
static inline void reading_done(reading *r)
{
    st_arena_destroy(r->a);
}

/* ---- comparing and printing ------------------------------------------------- */

/* Print every diagnostic (for failing assertions). */
static inline void show_diag(const st_diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        print_message("  diag: event %ld rc %d %s: %s\n", d->items[i].event, d->items[i].rc,
                      d->items[i].path, d->items[i].msg);
}

/* Compare line by line, so that a failure names the first line that differs. */
static inline void assert_same_text(const char *got, const char *want)
{
    int line = 1;
    while (*got || *want) {
        size_t gl = strcspn(got, "\n"), wl = strcspn(want, "\n");
        if (gl != wl || memcmp(got, want, gl))
            fail_msg("line %d differs:\n  got:  %.*s\n  want: %.*s", line, (int)gl, got, (int)wl,
                     want);
        got += gl + (got[gl] == '\n');
        want += wl + (want[wl] == '\n');
        line++;
    }
}

/* A growing text in an arena: the dumps of several trees, one after another. */
typedef struct text {
    st_arena *a; /* owns s */
    char *s;     /* NUL-terminated */
} text;

/* Append the st_evdump (with prefixes) of n to t. */
static inline void text_add(text *t, const st_evnode *n)
{
    const char *d = st_evdump(t->a, n, ST_EVDUMP_PREFIX);
    assert_non_null(d);
    size_t old = t->s ? strlen(t->s) : 0;
    char *s = st_arena_alloc(t->a, old + strlen(d) + 1);
    assert_non_null(s);
    memcpy(s, t->s ? t->s : "", old);
    strcpy(s + old, d);
    t->s = s;
}

/* ---- files ------------------------------------------------------------------ */

/* The whole file at path (malloc'd, *n bytes, not NUL-terminated); the test
 * fails when it cannot be opened. */
static inline char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *b = malloc(len > 0 ? (size_t)len : 1);
    assert_non_null(b);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}


/* Called by walk_examples for each matching file: its path, its path relative
 * to the walk's start (prefixed by the walk's rel), and its bare name. */
typedef void (*example_fn)(void *ctx, const char *path, const char *rel, const char *name);

/* Call fn for every file below dir whose name ends in one of the suffixes of
 * exts (NULL-terminated), depth first; rel names dir in the rel argument
 * ("" for none). A folder that cannot be opened fails the test. */
static inline void walk_examples(const char *dir, const char *rel, const char *const *exts,
                                 example_fn fn, void *ctx)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[2048], r[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            walk_examples(path, r, exts, fn, ctx);
            continue;
        }
        size_t len = strlen(e->d_name);
        for (const char *const *x = exts; *x; x++) {
            size_t k = strlen(*x);
            if (len > k && !strcmp(e->d_name + len - k, *x)) {
                fn(ctx, path, r, e->d_name);
                break;
            }
        }
    }
    closedir(d);
}

/* The suffixes of EPCIS example documents. */
static const char *const epcis_exts[] __attribute__((unused)) = {".xml", ".json", ".jsonld", NULL};

#endif
