/*
 * GS1 Digital Link URIs (see dl.h): st_dl_parse finds the primary key in any
 * http(s) URI, checks the qualifier path and the query against the DL rules
 * and hands the AI data to st_ai_validate; st_dl_build writes the canonical
 * form. The allowed qualifier sequences come from the AI table (dl_quals).
 */
#include "gs1/dl.h"

#include <stdint.h>
#include <string.h>

#include "common/error.h"
#include "common/sbuf.h"

/* Deprecated convenience alphas (gs1-facts 3.4): accepted on input, never emitted. */
static const struct dl_alpha {
    const char *name; /* as written in the URI */
    const char *ai;   /* the AI it stands for */
} dl_alphas[] = {
    {"gtin", "01"},   {"sscc", "00"},    {"lot", "10"},    {"ser", "21"},    {"cpv", "22"},
    {"gln", "414"},   {"glnx", "254"},   {"party", "417"}, {"giai", "8004"}, {"grai", "8003"},
    {"gdti", "253"},  {"gcn", "255"},    {"ginc", "401"},  {"gsin", "402"},  {"itip", "8006"},
    {"cpid", "8010"}, {"cpsn", "8011"},  {"gmn", "8013"},  {"gsrn", "8018"}, {"gsrnp", "8017"},
    {"srin", "8019"}, {"refno", "8020"},
};

#define DL_MAX_ALTS 4 /* alternative qualifier sequences of one key ("22,10,21|235": 2) */
#define DL_MAX_SEQ 8  /* AIs in one qualifier sequence */

/* One alternative qualifier sequence, as slices of the table's dl_quals. */
typedef struct dl_seq {
    size_t n;                   /* AIs in the sequence */
    const char *ai[DL_MAX_SEQ]; /* each AI's digits (not NUL-terminated) */
    size_t len[DL_MAX_SEQ];     /* and their length */
} dl_seq;

/* The qualifier sequences allowed after one primary key. */
typedef struct dl_alts {
    size_t n;                /* alternatives (0: the key takes no qualifiers) */
    dl_seq alt[DL_MAX_ALTS]; /* in table order */
} dl_alts;

/* Where the key and its qualifiers sit in a parsed path. */
typedef struct dl_path {
    const st_ai_def *key;           /* the primary key */
    size_t kseg;                    /* index of the key's AI segment */
    dl_alts alts;                   /* the key's qualifier sequences */
    unsigned mask;                  /* bit a set: alts.alt[a] still fits the qualifiers */
    size_t nq;                      /* qualifiers after the key */
    const st_ai_def *q[DL_MAX_SEQ]; /* their definitions, in path order */
} dl_path;

/* Where one element's value came from in the URI, to map error positions. */
typedef struct dl_src {
    size_t off;  /* offset of the raw (percent-encoded) value */
    size_t len;  /* raw length */
    uint8_t pad; /* zeros prepended (legacy GTIN) */
} dl_src;

/* Path segments: seg[k] is the offset of the '/' that starts segment k. */
typedef struct dl_segs {
    size_t m;                      /* segments */
    size_t end;                    /* offset where the path ends ('?', '#' or n) */
    uint16_t seg[ST_ID_MAX_INPUT]; /* the '/' offsets */
} dl_segs;

/* Split the key's dl_quals ("22,10,21|235") into a. Tokens beyond the caps are
 * dropped (the generated table stays well inside them). */
static void dl_alts_parse(const char *q, dl_alts *a)
{
    a->n = 0;
    if (!q || !*q)
        return;
    a->n = 1;
    a->alt[0].n = 0;
    while (*q) {
        size_t len = strcspn(q, ",|");
        dl_seq *s = &a->alt[a->n - 1];
        if (len && s->n < DL_MAX_SEQ) {
            s->ai[s->n] = q;
            s->len[s->n++] = len;
        }
        q += len;
        if (*q == '|' && a->n < DL_MAX_ALTS)
            a->alt[a->n++].n = 0;
        if (*q)
            q++;
    }
}

/* Index of def in sequence s, or -1. */
static int dl_seq_index(const dl_seq *s, const st_ai_def *def)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->len[i] == def->ai_len && !memcmp(s->ai[i], def->ai, s->len[i]))
            return (int)i;
    return -1;
}

/* Write key's qualifier sequences for a message: "22,10,21 or 235". */
static void dl_alts_describe(const st_ai_def *key, char *out, size_t cap)
{
    st_sbuf b;
    st_sbuf_init(&b, out, cap);
    for (const char *q = key->dl_quals ? key->dl_quals : ""; *q; q++)
        if (*q == '|')
            st_sbuf_puts(&b, " or ");
        else
            st_sbuf_putc(&b, *q);
}

/* Length of "http://" or "https://" (scheme in any case) at the start of
 * s[0..n), or 0. */
static size_t dl_scheme_len(const char *s, size_t n)
{
    static const char http[] = "http";
    size_t i = 0;
    while (i < 4 && i < n && (s[i] | 0x20) == http[i])
        i++;
    if (i < 4)
        return 0;
    if (i < n && (s[i] | 0x20) == 's')
        i++;
    if (n - i < 3 || memcmp(s + i, "://", 3))
        return 0;
    return i + 3;
}

int st_dl_is_uri(const char *s, size_t n)
{
    return s && dl_scheme_len(s, n) > 0;
}

/* 1 when byte c may appear unescaped in a URI (RFC 3986 unreserved, reserved
 * or '%'). */
static int dl_uri_char(unsigned char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return 1;
    return c && strchr("-._~:/?#[]@!$&'()*+,;=%", c) != NULL;
}

/* 1 when c is an RFC 3986 unreserved character (never percent-encoded). */
static int dl_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* Value of hex digit c (either case), or -1. */
static int dl_hex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 1 when s[0..n) is non-empty and all digits. */
static int dl_all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

/* The AI named by s[0..n): digits looked up in the table, or a convenience
 * alpha. NULL when neither; *numeric says whether the name was all digits. */
static const st_ai_def *dl_name_ai(const char *s, size_t n, int *numeric)
{
    *numeric = dl_all_digits(s, n);
    if (*numeric)
        return st_ai_lookup(s, n);
    for (size_t i = 0; i < sizeof dl_alphas / sizeof dl_alphas[0]; i++)
        if (strlen(dl_alphas[i].name) == n && !memcmp(dl_alphas[i].name, s, n))
            return st_ai_lookup(dl_alphas[i].ai, strlen(dl_alphas[i].ai));
    return NULL;
}

/* Offset in the URI of path segment k (after its '/'). */
static size_t dl_seg_off(const dl_segs *g, size_t k)
{
    return (size_t)g->seg[k] + 1;
}

/* Length of path segment k (up to the next '/' or the end of the path). */
static size_t dl_seg_len(const dl_segs *g, size_t k)
{
    size_t e = k + 1 < g->m ? g->seg[k + 1] : g->end;
    return e - dl_seg_off(g, k);
}

/*
 * Check that qualifier def (its name at offset pos) may follow the key and the
 * qualifiers p->q[0..nq) already accepted; on success narrow p->mask and record
 * def. last[a] is the index in alternative a of the latest accepted qualifier.
 */
static st_rc dl_accept_qual(dl_path *p, int last[DL_MAX_ALTS], const st_ai_def *def, long pos,
                            st_error *err)
{
    const st_ai_def *key = p->key;
    unsigned mask = 0;
    int in_any = 0;
    for (size_t a = 0; a < p->alts.n; a++) {
        int i = dl_seq_index(&p->alts.alt[a], def);
        in_any |= i >= 0;
        if ((p->mask >> a & 1) && i > last[a]) {
            mask |= 1u << a;
            last[a] = i;
        }
    }
    if (mask && p->nq < DL_MAX_SEQ) {
        p->mask = mask;
        p->q[p->nq++] = def;
        return ST_OK;
    }
    char allowed[64];
    dl_alts_describe(key, allowed, sizeof allowed);
    if (!p->alts.n)
        return st_fail(err, ST_ERR_SYNTAX, pos, def->ai,
                       "AI %s cannot follow /%s/... in the path: AI %s takes no qualifiers",
                       def->ai, key->ai, key->ai);
    if (!in_any)
        return st_fail(err, ST_ERR_SYNTAX, pos, def->ai,
                       "AI %s is not a qualifier of /%s/... (allowed in the path: %s)", def->ai,
                       key->ai, allowed);
    for (size_t k = 0; k < p->nq; k++)
        if (p->q[k] == def)
            return st_fail(err, ST_ERR_SYNTAX, pos, def->ai,
                           "qualifier %s appears more than once in the path", def->ai);
    for (size_t k = 0; k < p->nq; k++)
        for (size_t a = 0; a < p->alts.n; a++) {
            int i = dl_seq_index(&p->alts.alt[a], def), j = dl_seq_index(&p->alts.alt[a], p->q[k]);
            if (i >= 0 && j > i)
                return st_fail(err, ST_ERR_SYNTAX, pos, def->ai,
                               "qualifier %s cannot come before %s (allowed order after "
                               "/%s/...: %s)",
                               p->q[k]->ai, def->ai, key->ai, allowed);
        }
    const st_ai_def *other = p->nq ? p->q[0] : key;
    for (size_t k = 0; k < p->nq; k++) {
        int together = 0;
        for (size_t a = 0; a < p->alts.n; a++)
            together |= dl_seq_index(&p->alts.alt[a], def) >= 0 &&
                        dl_seq_index(&p->alts.alt[a], p->q[k]) >= 0;
        if (!together) {
            other = p->q[k];
            break;
        }
    }
    return st_fail(err, ST_ERR_SYNTAX, pos, def->ai,
                   "qualifiers %s and %s cannot be combined after /%s/... (allowed: %s)", other->ai,
                   def->ai, key->ai, allowed);
}

/*
 * Try the primary key def named by segment k: every later segment pair must be
 * an allowed qualifier with a non-empty value. Fills p; errors name the first
 * offending segment.
 */
static st_rc dl_try_key(const char *s, const dl_segs *g, size_t k, const st_ai_def *def, dl_path *p,
                        st_error *err)
{
    memset(p, 0, sizeof *p);
    p->key = def;
    p->kseg = k;
    dl_alts_parse(def->dl_quals, &p->alts);
    p->mask = (1u << p->alts.n) - 1;
    int last[DL_MAX_ALTS];
    for (size_t a = 0; a < DL_MAX_ALTS; a++)
        last[a] = -1;
    for (size_t j = k; j + 1 < g->m; j += 2) {
        size_t off = dl_seg_off(g, j), len = dl_seg_len(g, j);
        const st_ai_def *q = def;
        if (j > k) {
            int numeric;
            q = dl_name_ai(s + off, len, &numeric);
            if (!q && numeric)
                return st_fail(err, ST_ERR_UNKNOWN_AI, (long)off, NULL,
                               "unknown AI %.*s in the path after /%s/...",
                               (int)(len > 8 ? 8 : len), s + off, def->ai);
            if (!q)
                return st_fail(err, ST_ERR_SYNTAX, (long)off, NULL,
                               "path segment '%.*s' after /%s/... is not a GS1 qualifier AI",
                               (int)(len > 32 ? 32 : len), s + off, def->ai);
            st_rc rc = dl_accept_qual(p, last, q, (long)off, err);
            if (rc)
                return rc;
        }
        if (dl_seg_len(g, j + 1) == 0)
            return st_fail(err, ST_ERR_SYNTAX, (long)dl_seg_off(g, j + 1), q->ai,
                           "AI %s has an empty value in the path", q->ai);
    }
    return ST_OK;
}

/* Find the right-most primary key whose following segments are valid
 * qualifier pairs (everything before it is stem). */
static st_rc dl_find_key(const char *s, const dl_segs *g, size_t path_off, dl_path *p,
                         st_error *err)
{
    st_error first;
    int tried = 0;
    for (size_t j = g->m; j >= 2; j -= 2) {
        size_t k = j - 2;
        int numeric;
        const st_ai_def *def = dl_name_ai(s + dl_seg_off(g, k), dl_seg_len(g, k), &numeric);
        if (!def || !(def->flags & ST_AI_DL_PKEY))
            continue;
        /* Only the right-most candidate's complaint is reported. */
        if (dl_try_key(s, g, k, def, p, tried ? NULL : &first) == ST_OK)
            return ST_OK;
        tried = 1;
    }
    if (tried) {
        if (err)
            *err = first;
        return first.rc;
    }
    return st_fail(err, ST_ERR_SYNTAX, (long)path_off, NULL, "no GS1 primary key in the path");
}

/*
 * Percent-decode s[off..off+n) into out (room for n bytes); '+' becomes a
 * space when plus_space (query values). %00 and malformed escapes fail.
 */
static st_rc dl_unescape(const char *s, size_t off, size_t n, int plus_space, const st_ai_def *def,
                         char *out, size_t *outn, st_error *err)
{
    size_t o = 0;
    for (size_t i = off; i < off + n; i++) {
        char c = s[i];
        if (c == '%') {
            int hi = i + 2 < off + n ? dl_hex((unsigned char)s[i + 1]) : -1;
            int lo = hi >= 0 ? dl_hex((unsigned char)s[i + 2]) : -1;
            if (lo < 0)
                return st_fail(err, ST_ERR_SYNTAX, (long)i, def->ai,
                               "AI %s: malformed percent-encoding at offset %zu (expected %%XX)",
                               def->ai, i);
            if (hi == 0 && lo == 0)
                return st_fail(err, ST_ERR_SYNTAX, (long)i, def->ai,
                               "AI %s: %%00 at offset %zu is not allowed", def->ai, i);
            c = (char)(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        out[o++] = c;
    }
    *outn = o;
    return ST_OK;
}

/* Decode the value s[off..off+n) of def and append it to d, recording where it
 * came from in src. A GTIN (01) of 8, 12 or 13 digits is left-padded when
 * ST_DL_LEGACY_GTIN is set and refused otherwise. */
static st_rc dl_add(st_aidata *d, dl_src *src, const st_ai_def *def, const char *s, size_t off,
                    size_t n, int query, unsigned flags, st_error *err)
{
    char v[ST_ID_MAX_INPUT + 14];
    size_t vn = 0, pad = 0;
    st_rc rc = dl_unescape(s, off, n, query, def, v + 14, &vn, err);
    if (rc)
        return rc;
    const char *val = v + 14;
    if (!strcmp(def->ai, "01") && (vn == 8 || vn == 12 || vn == 13) && dl_all_digits(val, vn)) {
        if (!(flags & ST_DL_LEGACY_GTIN))
            return st_fail(err, ST_ERR_LENGTH, (long)off, def->ai,
                           "AI 01: a GTIN in a Digital Link must have 14 digits, not %zu "
                           "(legacy GTIN padding is off)",
                           vn);
        pad = 14 - vn;
        memset(v + 14 - pad, '0', pad);
        val -= pad;
        vn += pad;
    }
    size_t before = d->n;
    rc = st_ai_add(d, def->ai, def->ai_len, val, vn, (long)off, err);
    if (rc == ST_OK && d->n > before)
        src[d->n - 1] = (dl_src){off, n, (uint8_t)pad};
    return rc;
}

/*
 * Handle one query parameter s[a..b): ignored unless its name is numeric or a
 * convenience alpha; otherwise it must be a known DL attribute with a value,
 * not repeated and not one that belongs in the path.
 */
static st_rc dl_query_param(const char *s, size_t a, size_t b, const dl_path *p, st_aidata *d,
                            dl_src *src, unsigned flags, st_error *err)
{
    const char *eq = memchr(s + a, '=', b - a);
    if (!eq)
        return ST_OK;
    size_t nlen = (size_t)(eq - (s + a)), voff = (size_t)(eq - s) + 1;
    int numeric;
    const st_ai_def *def = dl_name_ai(s + a, nlen, &numeric);
    if (!def && !numeric)
        return ST_OK; /* not GS1 data */
    if (!def)
        return st_fail(err, ST_ERR_UNKNOWN_AI, (long)a, NULL, "unknown AI %.*s in the query",
                       (int)(nlen > 8 ? 8 : nlen), s + a);
    if (voff == b)
        return st_fail(err, ST_ERR_SYNTAX, (long)voff, def->ai,
                       "AI %s has an empty value in the query", def->ai);
    for (size_t i = 0; i < d->n; i++)
        if (d->e[i].def == def)
            return st_fail(err, ST_ERR_SYNTAX, (long)a, def->ai,
                           "AI %s appears more than once in the URI", def->ai);
    for (size_t k = 0; k < p->alts.n; k++)
        if ((p->mask >> k & 1) && dl_seq_index(&p->alts.alt[k], def) >= 0)
            return st_fail(err, ST_ERR_SYNTAX, (long)a, def->ai,
                           "AI %s must be in the path after /%s/..., not in the query", def->ai,
                           p->key->ai);
    if (!(def->flags & ST_AI_DL_ATTR))
        return st_fail(err, ST_ERR_SYNTAX, (long)a, def->ai,
                       "AI %s is not allowed as a Digital Link query attribute", def->ai);
    return dl_add(d, src, def, s, voff, b - voff, 1, flags, err);
}

/* Turn an error position inside a decoded value back into an offset in the
 * URI (the value may have been percent-decoded or padded). */
static void dl_map_error(const char *s, const st_aidata *d, const dl_src *src, st_error *err)
{
    if (!err || err->position < 0 || !err->ai[0])
        return;
    for (size_t i = 0; i < d->n; i++)
        if (d->e[i].pos == err->position)
            return; /* the start of a value: already a URI offset */
    for (size_t i = 0; i < d->n; i++) {
        const st_ai_elem *e = &d->e[i];
        if (strcmp(e->def->ai, err->ai) || (size_t)e->pos != src[i].off)
            continue;
        long rel = err->position - e->pos;
        if (rel <= 0 || rel > (long)e->len)
            return;
        size_t want = rel > (long)src[i].pad ? (size_t)rel - src[i].pad : 0, got = 0, r = 0;
        while (got < want && r < src[i].len) {
            r += s[src[i].off + r] == '%' ? 3 : 1;
            got++;
        }
        err->position = (long)(src[i].off + r);
        return;
    }
}

st_rc st_dl_parse(const char *s, size_t n, unsigned flags, st_aidata *d, st_error *err)
{
    st_error_clear(err);
    if (!s || !d)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "st_dl_parse: NULL input or output");
    st_ai_init(d);
    if (n > ST_ID_MAX_INPUT)
        return st_fail(err, ST_ERR_LIMIT, ST_ID_MAX_INPUT, NULL,
                       "URI holds %zu bytes; the limit is %d", n, ST_ID_MAX_INPUT);
    size_t p = dl_scheme_len(s, n);
    if (!p)
        return st_fail(err, ST_ERR_SYNTAX, 0, NULL,
                       "a Digital Link URI starts with http:// or https://");
    size_t end = p; /* the fragment, from '#', is ignored */
    while (end < n && s[end] != '#')
        end++;
    for (size_t i = 0; i < end; i++)
        if (!dl_uri_char((unsigned char)s[i]))
            return st_fail(err, ST_ERR_SYNTAX, (long)i, NULL,
                           "byte 0x%02X at offset %zu is not allowed in a URI; percent-encode it",
                           (unsigned char)s[i], i);
    size_t path = p;
    while (path < end && s[path] != '/' && s[path] != '?')
        path++;
    if (path == p)
        return st_fail(err, ST_ERR_SYNTAX, (long)p, NULL, "no domain after the scheme");

    dl_segs g;
    g.m = 0;
    g.end = path;
    while (g.end < end && s[g.end] != '?')
        g.end++;
    for (size_t i = path; i < g.end; i++)
        if (s[i] == '/')
            g.seg[g.m++] = (uint16_t)i;
    if (g.m >= 2 && dl_seg_len(&g, g.m - 1) == 0)
        return st_fail(err, ST_ERR_SYNTAX, (long)g.seg[g.m - 1], NULL,
                       "the path ends with '/' after the last value");

    dl_path kp;
    st_rc rc = dl_find_key(s, &g, path, &kp, err);
    if (rc)
        return rc;

    dl_src src[ST_AI_MAX_ELEMENTS];
    for (size_t j = kp.kseg, qi = 0; j + 1 < g.m; j += 2) {
        const st_ai_def *def = j == kp.kseg ? kp.key : kp.q[qi++];
        size_t voff = dl_seg_off(&g, j + 1);
        rc = dl_add(d, src, def, s, voff, dl_seg_len(&g, j + 1), 0, flags, err);
        if (rc)
            return rc;
    }

    if (g.end < end) {
        size_t params = 0;
        for (size_t i = g.end + 1; i <= end; i++)
            params += i == end || s[i] == '&';
        if (params > ST_DL_MAX_QUERY_PARAMS)
            return st_fail(err, ST_ERR_LIMIT, (long)g.end, NULL,
                           "the query holds %zu parameters; the limit is %d", params,
                           ST_DL_MAX_QUERY_PARAMS);
        size_t a = g.end + 1;
        while (a <= end) {
            size_t b = a;
            while (b < end && s[b] != '&')
                b++;
            if (b > a && (rc = dl_query_param(s, a, b, &kp, d, src, flags, err)))
                return rc;
            a = b + 1;
        }
    }

    rc = st_ai_validate(d, err);
    if (rc)
        dl_map_error(s, d, src, err);
    return rc;
}

/* Append v[0..n) with every byte outside the RFC 3986 unreserved set written
 * as %XX (upper-case hex). */
static void dl_put_escaped(st_sbuf *b, const char *v, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (dl_unreserved(c)) {
            st_sbuf_putc(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            st_sbuf_putn(b, e, 3);
        }
    }
}

/* Index of the element of d whose AI is ai[0..n), or -1. */
static int dl_find_elem(const st_aidata *d, const char *ai, size_t n)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->e[i].def->ai_len == n && !memcmp(d->e[i].def->ai, ai, n))
            return (int)i;
    return -1;
}

st_rc st_dl_build(const st_aidata *d, const char *stem, unsigned flags, char *out, size_t cap,
                  st_error *err)
{
    st_error_clear(err);
    if (!d || !out || !cap)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "st_dl_build: NULL data or empty output");
    out[0] = '\0';
    if (!stem)
        stem = ST_DL_CANONICAL_STEM;
    size_t sn = strlen(stem);
    while (sn && stem[sn - 1] == '/')
        sn--;
    if (!st_dl_is_uri(stem, sn) || memchr(stem, '?', sn) || memchr(stem, '#', sn))
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "Digital Link stem must be an http(s) URI without query or fragment");

    size_t key = d->n;
    for (size_t i = 0; i < d->n && key == d->n; i++)
        if (d->e[i].def->flags & ST_AI_DL_PKEY)
            key = i;
    if (key == d->n)
        return st_fail(err, ST_ERR_UNSUPPORTED, -1, NULL,
                       "the data holds no GS1 Digital Link primary key");

    /* Choose the qualifier sequence: first the one leaving the fewest elements
     * that could go neither in the path nor in the query (so that (01)(235)(10)
     * gives /01/../235/..?10=..), then the one covering the most elements,
     * then the first in the table. */
    dl_alts alts;
    dl_alts_parse(d->e[key].def->dl_quals, &alts);
    size_t best = 0, best_count = 0, best_bad = SIZE_MAX;
    for (size_t a = 0; a < alts.n; a++) {
        size_t c = 0, bad = 0;
        for (size_t i = 0; i < alts.alt[a].n; i++)
            c += dl_find_elem(d, alts.alt[a].ai[i], alts.alt[a].len[i]) >= 0;
        for (size_t i = 0; i < d->n; i++)
            bad += i != key && !(d->e[i].def->flags & ST_AI_DL_ATTR) &&
                   dl_seq_index(&alts.alt[a], d->e[i].def) < 0;
        if (bad < best_bad || (bad == best_bad && c > best_count)) {
            best = a;
            best_count = c;
            best_bad = bad;
        }
    }
    uint8_t in_path[ST_AI_MAX_ELEMENTS] = {0};
    int path_elems[DL_MAX_SEQ + 1], np = 0;
    path_elems[np++] = (int)key;
    in_path[key] = 1;
    for (size_t i = 0; best_count && i < alts.alt[best].n; i++) {
        int e = dl_find_elem(d, alts.alt[best].ai[i], alts.alt[best].len[i]);
        if (e >= 0) {
            path_elems[np++] = e;
            in_path[e] = 1;
        }
    }
    if (!(flags & ST_DL_KEY_ONLY))
        for (size_t i = 0; i < d->n; i++)
            if (!in_path[i] && !(d->e[i].def->flags & ST_AI_DL_ATTR))
                return st_fail(err, ST_ERR_UNSUPPORTED, -1, d->e[i].def->ai,
                               "AI %s cannot go in a Digital Link: it is not a path qualifier "
                               "of /%s/... here and not allowed as a query attribute",
                               d->e[i].def->ai, d->e[key].def->ai);

    st_sbuf b;
    st_sbuf_init(&b, out, cap);
    st_sbuf_putn(&b, stem, sn);
    for (int k = 0; k < np; k++) {
        const st_ai_elem *e = &d->e[path_elems[k]];
        st_sbuf_putc(&b, '/');
        st_sbuf_putn(&b, e->def->ai, e->def->ai_len);
        st_sbuf_putc(&b, '/');
        dl_put_escaped(&b, st_ai_value(d, (size_t)path_elems[k]), e->len);
    }
    char sep = '?';
    for (size_t i = 0; !(flags & ST_DL_KEY_ONLY) && i < d->n; i++) {
        if (in_path[i])
            continue;
        st_sbuf_putc(&b, sep);
        st_sbuf_putn(&b, d->e[i].def->ai, d->e[i].def->ai_len);
        st_sbuf_putc(&b, '=');
        dl_put_escaped(&b, st_ai_value(d, i), d->e[i].len);
        sep = '&';
    }
    if (st_sbuf_rc(&b)) {
        out[0] = '\0';
        return st_fail(err, ST_ERR_BUFFER, -1, NULL,
                       "the Digital Link URI does not fit in %zu bytes", cap);
    }
    return ST_OK;
}
