/*
 * GS1 Company Prefix length table (the st_gcp_table_* functions declared in
 * include/serialtrack/id.h). The file becomes one sorted array of packed
 * keys, grouped by prefix digit count; a lookup tries the longest prefix of
 * the key first, each with one binary search.
 */
#include <serialtrack/id.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <serialtrack/limits.h>

#include "common/error.h"

#define GCP_MAX_DIGITS 12 /* longest prefix, and longest company prefix */
#define GCP_MIN_LEN 4     /* shortest company prefix */

struct st_gcp_table {
    uint64_t *keys;                   /* (prefix value << 4) | company prefix length, sorted */
    size_t start[GCP_MAX_DIGITS + 2]; /* k-digit prefixes are keys[start[k] .. start[k + 1]) */
};

/* One entry while loading. */
typedef struct gcp_row {
    uint64_t prefix; /* the prefix digits as a number */
    uint32_t line;   /* line it came from, for errors */
    uint8_t digits;  /* digits in the prefix (leading zeros count) */
    uint8_t len;     /* company prefix length it stands for */
} gcp_row;

/* The rows read so far. */
typedef struct gcp_rows {
    gcp_row *v;
    size_t n, cap;
} gcp_rows;

/* qsort order: prefix digit count, prefix value, line. */
static int row_cmp(const void *a, const void *b)
{
    const gcp_row *x = a, *y = b;
    if (x->digits != y->digits)
        return x->digits < y->digits ? -1 : 1;
    if (x->prefix != y->prefix)
        return x->prefix < y->prefix ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* Field separators and the CR of CRLF files. */
static int is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Parse the digit token s[0..n); 0 when it holds a non-digit. */
static int digits_token(const char *s, size_t n, uint64_t *v)
{
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = x;
    return 1;
}

/* Parse line number ln (s[0..n), starting at file offset off) into rows. */
static st_rc parse_line(const char *s, size_t n, size_t ln, long off, gcp_rows *rows, st_error *err)
{
    const char *hash = memchr(s, '#', n);
    if (hash)
        n = (size_t)(hash - s);
    size_t tok[3][2], nt = 0, i = 0; /* start, length of each token */
    while (i < n) {
        while (i < n && is_blank((unsigned char)s[i]))
            i++;
        if (i == n)
            break;
        size_t b = i;
        while (i < n && !is_blank((unsigned char)s[i]))
            i++;
        if (nt == 2)
            return st_fail(err, ST_ERR_SYNTAX, off + (long)b, NULL,
                           "line %zu: expected PREFIX or PREFIX LENGTH, found a third field", ln);
        tok[nt][0] = b;
        tok[nt][1] = i - b;
        nt++;
    }
    if (nt == 0)
        return ST_OK;

    gcp_row r = {0, (uint32_t)ln, 0, 0};
    const char *p = s + tok[0][0];
    size_t pn = tok[0][1];
    if (!digits_token(p, pn, &r.prefix))
        return st_fail(err, ST_ERR_SYNTAX, off + (long)tok[0][0], NULL,
                       "line %zu: prefix \"%.*s\" must be digits", ln, (int)(pn > 20 ? 20 : pn), p);
    if (nt == 1) {
        if (pn < GCP_MIN_LEN || pn > GCP_MAX_DIGITS)
            return st_fail(err, ST_ERR_LENGTH, off + (long)tok[0][0], NULL,
                           "line %zu: prefix must be %d to %d digits; found %zu", ln, GCP_MIN_LEN,
                           GCP_MAX_DIGITS, pn);
        r.len = (uint8_t)pn;
    } else {
        uint64_t len;
        if (pn > GCP_MAX_DIGITS)
            return st_fail(err, ST_ERR_LENGTH, off + (long)tok[0][0], NULL,
                           "line %zu: prefix must be 1 to %d digits; found %zu", ln, GCP_MAX_DIGITS,
                           pn);
        const char *q = s + tok[1][0];
        size_t qn = tok[1][1];
        if (qn > 2 || !digits_token(q, qn, &len) || len < GCP_MIN_LEN || len > GCP_MAX_DIGITS)
            return st_fail(err, ST_ERR_RANGE, off + (long)tok[1][0], NULL,
                           "line %zu: length \"%.*s\" must be a number from %d to %d", ln,
                           (int)(qn > 20 ? 20 : qn), q, GCP_MIN_LEN, GCP_MAX_DIGITS);
        r.len = (uint8_t)len;
    }
    r.digits = (uint8_t)pn;

    if (rows->n == rows->cap) {
        size_t cap = rows->cap ? rows->cap * 2 : 256;
        gcp_row *v = realloc(rows->v, cap * sizeof *v);
        if (!v)
            return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory after %zu prefixes",
                           rows->n);
        rows->v = v;
        rows->cap = cap;
    }
    rows->v[rows->n++] = r;
    return ST_OK;
}

/* Read every line of f into rows. */
static st_rc read_rows(FILE *f, const char *path, gcp_rows *rows, st_error *err)
{
    char line[ST_GCP_LINE_MAX];
    size_t n = 0, ln = 0;
    long off = 0, line_off = 0;
    int c;
    for (;;) {
        c = getc(f);
        if (c != EOF && c != '\n') {
            if (n == sizeof line)
                return st_fail(err, ST_ERR_LIMIT, line_off, NULL,
                               "line %zu holds more than %d bytes; the limit is %d", ln + 1,
                               ST_GCP_LINE_MAX, ST_GCP_LINE_MAX);
            line[n++] = (char)c;
            off++;
            continue;
        }
        if (c == EOF && ferror(f))
            return st_fail(err, ST_ERR_IO, off, NULL, "reading %s: %s", path, strerror(errno));
        if (c == EOF && n == 0)
            return ST_OK; /* the end, or a final line without '\n' was just done */
        if (++ln > ST_GCP_FILE_MAX_LINES)
            return st_fail(err, ST_ERR_LIMIT, line_off, NULL,
                           "%s holds more than %d lines; the limit is %d", path,
                           ST_GCP_FILE_MAX_LINES, ST_GCP_FILE_MAX_LINES);
        st_rc rc = parse_line(line, n, ln, line_off, rows, err);
        if (rc)
            return rc;
        if (c == EOF)
            return ST_OK;
        off++;
        line_off = off;
        n = 0;
    }
}

/* Sort rows, reject conflicting duplicates, and pack them into t. */
static st_rc build(gcp_rows *rows, st_gcp_table *t, st_error *err)
{
    if (rows->n)
        qsort(rows->v, rows->n, sizeof *rows->v, row_cmp);
    t->keys = malloc((rows->n ? rows->n : 1) * sizeof *t->keys);
    if (!t->keys)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory for %zu prefixes", rows->n);
    size_t m = 0;
    for (size_t i = 0; i < rows->n; i++) {
        const gcp_row *r = &rows->v[i];
        if (i > 0 && r->digits == rows->v[i - 1].digits && r->prefix == rows->v[i - 1].prefix) {
            const gcp_row *first = &rows->v[i - 1];
            if (r->len != first->len)
                return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                               "line %u: prefix %0*llu has length %u, but line %u gave it %u",
                               (unsigned)r->line, (int)r->digits, (unsigned long long)r->prefix,
                               (unsigned)r->len, (unsigned)first->line, (unsigned)first->len);
            continue; /* the same entry twice */
        }
        t->keys[m++] = r->prefix << 4 | r->len;
        t->start[r->digits + 1] = m;
    }
    /* groups with no rows start where the previous group ended */
    for (int k = 1; k <= GCP_MAX_DIGITS + 1; k++)
        if (t->start[k] < t->start[k - 1])
            t->start[k] = t->start[k - 1];
    return ST_OK;
}

/* Read the file at path (not kept) into a new table that the caller frees
 * with st_gcp_table_destroy; *out is NULL on failure. See id.h. */
st_rc st_gcp_table_load(const char *path, st_gcp_table **out, st_error *err)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no path or no output");
    FILE *f = fopen(path, "rb");
    if (!f)
        return st_fail(err, ST_ERR_IO, -1, NULL, "cannot open %s: %s", path, strerror(errno));
    gcp_rows rows = {NULL, 0, 0};
    st_gcp_table *t = calloc(1, sizeof *t);
    st_rc rc =
        t ? read_rows(f, path, &rows, err) : st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    fclose(f);
    if (!rc)
        rc = build(&rows, t, err);
    free(rows.v);
    if (rc) {
        st_gcp_table_destroy(t);
        return rc;
    }
    *out = t;
    return ST_OK;
}

/* Free t and its keys; NULL is fine. */
void st_gcp_table_destroy(st_gcp_table *t)
{
    if (!t)
        return;
    free(t->keys);
    free(t);
}

/* The company prefix length for the key digits[0..n) (only read): the
 * longest matching prefix wins; 0 when none matches. */
int st_gcp_table_lookup(const st_gcp_table *t, const char *digits, size_t n)
{
    if (!t || !digits)
        return 0;
    uint64_t pre[GCP_MAX_DIGITS + 1];
    size_t m = 0;
    uint64_t v = 0;
    while (m < n && m < GCP_MAX_DIGITS && digits[m] >= '0' && digits[m] <= '9') {
        v = v * 10 + (uint64_t)(digits[m] - '0');
        pre[++m] = v;
    }
    for (size_t k = m; k >= 1; k--) {
        size_t lo = t->start[k], hi = t->start[k + 1];
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            uint64_t p = t->keys[mid] >> 4;
            if (p == pre[k])
                return (int)(t->keys[mid] & 15);
            if (p < pre[k])
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    return 0;
}
