/*
 * Buffers of the PostgreSQL write path (postgres_commit.c and its parts):
 * a growable byte buffer, array literals of integers and text ("{1,NULL}")
 * for the statements over unnest(), the rows of a binary COPY, and a set of
 * byte strings for duplicates within a group. A failed allocation is
 * remembered (oom) and later appends do nothing, so a caller checks once.
 * Ownership: a zeroed st_pgbuf / st_pgarr is empty; its memory (b.p) is the
 * caller's to free() once done; a reset keeps it for reuse.
 */
#ifndef ST_STORE_POSTGRES_WBUF_H
#define ST_STORE_POSTGRES_WBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct st_pgbuf {
    char *p;       /* malloc'd; NUL-terminated after each append */
    size_t n, cap; /* used and allocated */
    int oom;       /* an append failed */
} st_pgbuf;

/* Append bytes, a string, a decimal integer, lowercase hex of bytes. */
void st_pgbuf_put(st_pgbuf *b, const void *s, size_t n);
void st_pgbuf_str(st_pgbuf *b, const char *s);
void st_pgbuf_int(st_pgbuf *b, int64_t v);
void st_pgbuf_hex(st_pgbuf *b, const unsigned char *p, size_t n);
/* Empty b, keeping its memory. */
void st_pgbuf_reset(st_pgbuf *b);

/* An array literal being built. */
typedef struct st_pgarr {
    st_pgbuf b; /* the literal's text */
    size_t n;   /* elements */
} st_pgarr;

void st_pgarr_int(st_pgarr *a, int64_t v, int null);
/* s quoted and escaped; NULL for a NULL element. */
void st_pgarr_text(st_pgarr *a, const char *s);
/* Close the literal ("{}" when empty); the text, owned by a. */
const char *st_pgarr_end(st_pgarr *a);
void st_pgarr_reset(st_pgarr *a);

/* Rows of COPY ... (FORMAT binary): st_pgcopy_row, then exactly that many
 * fields, per row; st_pgcopy_end once before sending. */
void st_pgcopy_row(st_pgbuf *b, int fields);
void st_pgcopy_int(st_pgbuf *b, int64_t v); /* a BIGINT */
/* A BIGINT, or NULL when v <= 0 (an optional identifier). */
void st_pgcopy_opt(st_pgbuf *b, int64_t v);
void st_pgcopy_bytes(st_pgbuf *b, const void *p, size_t n); /* BYTEA, or TEXT in UTF-8 */
void st_pgcopy_null(st_pgbuf *b);
/* The trailer (and the header when no row was added). */
void st_pgcopy_end(st_pgbuf *b);

/* Rows of two or three BIGINT columns for a binary COPY, gathered in any
 * order and with repeats: sorted and made unique when written. */
typedef struct st_pgtup {
    int64_t *v;    /* n rows of w values */
    size_t n, cap; /* rows used and allocated */
    int w;         /* columns: 2 or 3 */
    int oom;       /* an append failed */
} st_pgtup;

/* Append a row of t->w values. */
void st_pgtup_add(st_pgtup *t, const int64_t *row);
/* Sort t's rows, drop repeated ones, append them to b as binary COPY rows;
 * t is emptied (its memory kept). */
void st_pgtup_copy(st_pgtup *t, st_pgbuf *b);

/* A set of byte strings, borrowed (they must outlive the set). */
typedef struct st_pgbset {
    struct st_pgbent {
        const void *p; /* borrowed */
        size_t n;
    } * e;
    size_t mask; /* slots - 1 */
} st_pgbset;

/* A set for at most max members. 0, or -1 when out of memory. */
int st_pgbset_init(st_pgbset *s, size_t max);
/* 1 when p[0..n) is in s; with add, it is added when it was not. */
int st_pgbset_find(st_pgbset *s, const void *p, size_t n, int add);
void st_pgbset_free(st_pgbset *s);

#endif
