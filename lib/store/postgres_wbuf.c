/*
 * Buffers of the PostgreSQL write path (postgres_wbuf.h). The binary COPY
 * format: a signature, flags and header extension, then per row a 16-bit
 * field count and per field a 32-bit length (-1: NULL) and the value in
 * network byte order, then -1 as the trailer.
 */
#include "store/postgres_wbuf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void st_pgbuf_put(st_pgbuf *b, const void *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

void st_pgbuf_str(st_pgbuf *b, const char *s)
{
    st_pgbuf_put(b, s, strlen(s));
}

void st_pgbuf_int(st_pgbuf *b, int64_t v)
{
    char t[24];
    int k = snprintf(t, sizeof t, "%" PRId64, v);
    st_pgbuf_put(b, t, (size_t)k);
}

void st_pgbuf_hex(st_pgbuf *b, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char t[128];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        t[k++] = hex[p[i] >> 4];
        t[k++] = hex[p[i] & 15];
        if (k == sizeof t) {
            st_pgbuf_put(b, t, k);
            k = 0;
        }
    }
    st_pgbuf_put(b, t, k);
}

void st_pgbuf_reset(st_pgbuf *b)
{
    b->n = 0;
    b->oom = 0;
    if (b->p)
        b->p[0] = 0;
}

/* ---- array literals ------------------------------------------------------------------- */

void st_pgarr_int(st_pgarr *a, int64_t v, int null)
{
    st_pgbuf_put(&a->b, a->n++ ? "," : "{", 1);
    if (null)
        st_pgbuf_str(&a->b, "NULL");
    else
        st_pgbuf_int(&a->b, v);
}

void st_pgarr_text(st_pgarr *a, const char *s)
{
    st_pgbuf_put(&a->b, a->n++ ? "," : "{", 1);
    if (!s) {
        st_pgbuf_str(&a->b, "NULL");
        return;
    }
    st_pgbuf_put(&a->b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            st_pgbuf_put(&a->b, "\\", 1);
        st_pgbuf_put(&a->b, s, 1);
    }
    st_pgbuf_put(&a->b, "\"", 1);
}

const char *st_pgarr_end(st_pgarr *a)
{
    if (!a->n)
        st_pgbuf_put(&a->b, "{", 1);
    st_pgbuf_put(&a->b, "}", 1);
    return a->b.p;
}

void st_pgarr_reset(st_pgarr *a)
{
    st_pgbuf_reset(&a->b);
    a->n = 0;
}

/* ---- binary COPY rows ----------------------------------------------------------------- */

static void put_be(st_pgbuf *b, uint64_t v, int bytes)
{
    unsigned char t[8];
    for (int i = 0; i < bytes; i++)
        t[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
    st_pgbuf_put(b, t, (size_t)bytes);
}

static void header(st_pgbuf *b)
{
    if (!b->n) { /* signature, flags 0, no header extension */
        st_pgbuf_put(b, "PGCOPY\n\377\r\n\0", 11);
        put_be(b, 0, 4);
        put_be(b, 0, 4);
    }
}

void st_pgcopy_row(st_pgbuf *b, int fields)
{
    header(b);
    put_be(b, (uint64_t)fields, 2);
}

void st_pgcopy_int(st_pgbuf *b, int64_t v)
{
    put_be(b, 8, 4);
    put_be(b, (uint64_t)v, 8);
}

void st_pgcopy_opt(st_pgbuf *b, int64_t v)
{
    if (v > 0)
        st_pgcopy_int(b, v);
    else
        st_pgcopy_null(b);
}

void st_pgcopy_bytes(st_pgbuf *b, const void *p, size_t n)
{
    put_be(b, (uint64_t)n, 4);
    st_pgbuf_put(b, p, n);
}

void st_pgcopy_null(st_pgbuf *b)
{
    put_be(b, 0xffffffffu, 4);
}

void st_pgcopy_end(st_pgbuf *b)
{
    header(b);
    put_be(b, 0xffffu, 2);
}

/* ---- rows of integers, unique ------------------------------------------------------------ */

void st_pgtup_add(st_pgtup *t, const int64_t *row)
{
    if (t->oom)
        return;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        int64_t *v = realloc(t->v, cap * (size_t)t->w * sizeof *v);
        if (!v) {
            t->oom = 1;
            return;
        }
        t->v = v;
        t->cap = cap;
    }
    memcpy(t->v + t->n * (size_t)t->w, row, (size_t)t->w * sizeof *row);
    t->n++;
}

static int cmp_rows(const int64_t *a, const int64_t *b, int w)
{
    for (int i = 0; i < w; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

static int cmp2(const void *a, const void *b)
{
    return cmp_rows(a, b, 2);
}

static int cmp3(const void *a, const void *b)
{
    return cmp_rows(a, b, 3);
}

void st_pgtup_copy(st_pgtup *t, st_pgbuf *b)
{
    size_t w = (size_t)t->w;
    if (!t->n)
        return;
    qsort(t->v, t->n, w * sizeof *t->v, w == 2 ? cmp2 : cmp3);
    for (size_t i = 0; i < t->n; i++) {
        const int64_t *r = t->v + i * w;
        if (i && !cmp_rows(r - w, r, t->w))
            continue;
        st_pgcopy_row(b, t->w);
        for (size_t k = 0; k < w; k++)
            st_pgcopy_int(b, r[k]);
    }
    t->n = 0;
}

/* ---- a set of byte strings ------------------------------------------------------------ */

static uint64_t fnv(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

int st_pgbset_init(st_pgbset *s, size_t max)
{
    size_t slots = 16;
    while (slots < 2 * max + 2)
        slots *= 2;
    s->e = calloc(slots, sizeof *s->e);
    s->mask = slots - 1;
    return s->e ? 0 : -1;
}

int st_pgbset_find(st_pgbset *s, const void *p, size_t n, int add)
{
    for (size_t i = fnv(p, n) & s->mask;; i = (i + 1) & s->mask) {
        if (!s->e[i].p) {
            if (add) {
                s->e[i].p = p;
                s->e[i].n = n;
            }
            return 0;
        }
        if (s->e[i].n == n && !memcmp(s->e[i].p, p, n))
            return 1;
    }
}

void st_pgbset_free(st_pgbset *s)
{
    free(s->e);
    s->e = NULL;
}
