/* CBV 2.0 vocabularies: spellings, canonical Web URIs, checks (see cbv.h). */
#include "epcis/cbv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sbuf.h"

#define CBV_MAX_VALUE 256 /* longest value st_cbv_check compares against the terms */

/* How a value was spelled. */
enum cbv_spelling { SP_BARE, SP_CURIE, SP_URN, SP_WEB, SP_OTHER };

const st_cbv_vocab *st_cbv_get(int vocab)
{
    return vocab >= 0 && vocab < ST_CBV_COUNT ? &st_cbv_table[vocab] : NULL;
}

static int cmp_word(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

/* 1 when s[0..n) is a term of v. */
static int is_word_n(const st_cbv_vocab *v, const char *s, size_t n)
{
    char w[CBV_MAX_VALUE];
    if (n == 0 || n >= sizeof w)
        return 0;
    memcpy(w, s, n);
    w[n] = '\0';
    return bsearch(w, v->words, v->n, sizeof v->words[0], cmp_word) != NULL;
}

int st_cbv_is_word(int vocab, const char *word)
{
    const st_cbv_vocab *v = st_cbv_get(vocab);
    return v && word && is_word_n(v, word, strlen(word));
}

st_rc st_cbv_web_prefix(int vocab, char *out, size_t cap)
{
    const st_cbv_vocab *v = st_cbv_get(vocab);
    if (!v || !out)
        return ST_ERR_ARG;
    st_sbuf b;
    st_sbuf_init(&b, out, cap);
    st_sbuf_puts(&b, v->ns);
    st_sbuf_puts(&b, v->local);
    return st_sbuf_rc(&b);
}

static int starts_with(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && !memcmp(s, prefix, k);
}

/* 1 when s[0..n) starts with an RFC 3986 scheme and ':'. */
static int has_scheme(const char *s, size_t n)
{
    size_t i = 0;
    if (n == 0 || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
        return 0;
    while (i < n && s[i] != ':') {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.'))
            return 0;
        i++;
    }
    return i < n;
}

static int bare_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

/* The vocabulary whose 1.x URN prefix starts s[0..n), or -1. */
static int urn_vocab(const char *s, size_t n)
{
    for (int i = 0; i < ST_CBV_COUNT; i++)
        if (st_cbv_table[i].urn && starts_with(s, n, st_cbv_table[i].urn))
            return i;
    return -1;
}

/* Trim white space off value; *n receives the trimmed length. */
static const char *trim(const char *s, size_t *n)
{
    size_t k = strlen(s);
    while (k && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++, k--;
    while (k && (s[k - 1] == ' ' || s[k - 1] == '\t' || s[k - 1] == '\n' || s[k - 1] == '\r'))
        k--;
    *n = k;
    return s;
}

/* Canonicalise s[0..n) into b; *sp receives the spelling. */
static st_rc canon(const st_cbv_vocab *v, const char *s, size_t n, st_sbuf *b,
                   enum cbv_spelling *sp)
{
    *sp = SP_BARE;
    if (n == 0)
        return ST_ERR_SYNTAX;
    if (starts_with(s, n, "cbv:") || starts_with(s, n, "gs1:")) {
        *sp = SP_CURIE;
        if (n == 4)
            return ST_ERR_SYNTAX;
        st_sbuf_puts(b, s[0] == 'c' ? ST_CBV_NS : ST_GS1_VOC_NS);
        st_sbuf_putn(b, s + 4, n - 4);
        return ST_OK;
    }
    if (starts_with(s, n, ST_CBV_URN)) {
        int u = urn_vocab(s, n);
        *sp = SP_URN;
        if (u < 0) { /* urn:epcglobal:cbv:bt:..., :mda:...: not a vocabulary value */
            st_sbuf_putn(b, s, n);
            return ST_OK;
        }
        size_t k = strlen(st_cbv_table[u].urn);
        if (n == k)
            return ST_ERR_SYNTAX;
        st_sbuf_puts(b, st_cbv_table[u].ns);
        st_sbuf_puts(b, st_cbv_table[u].local);
        st_sbuf_putn(b, s + k, n - k);
        return ST_OK;
    }
    if (has_scheme(s, n)) {
        *sp = starts_with(s, n, v->ns) ? SP_WEB : SP_OTHER;
        st_sbuf_putn(b, s, n);
        return ST_OK;
    }
    for (size_t i = 0; i < n; i++)
        if (!bare_char(s[i]))
            return ST_ERR_SYNTAX;
    st_sbuf_puts(b, v->ns);
    st_sbuf_puts(b, v->local);
    st_sbuf_putn(b, s, n);
    return ST_OK;
}

st_rc st_cbv_canon(int vocab, const char *value, char *out, size_t cap)
{
    const st_cbv_vocab *v = st_cbv_get(vocab);
    if (!v || !value || !out)
        return ST_ERR_ARG;
    size_t n;
    enum cbv_spelling sp;
    const char *s = trim(value, &n);
    st_sbuf b;
    st_sbuf_init(&b, out, cap);
    st_rc rc = canon(v, s, n, &b, &sp);
    if (!rc)
        rc = st_sbuf_rc(&b);
    if (rc && cap)
        out[0] = '\0';
    return rc;
}

size_t st_cbv_distance(const char *a, size_t na, const char *b, size_t nb, size_t max)
{
    enum { M = 256 };
    size_t d0[M], d1[M], d2[M]; /* rows i-2, i-1, i */
    if (na >= M || nb >= M)
        return max + 1;
    if ((na > nb ? na - nb : nb - na) > max)
        return max + 1;
    for (size_t j = 0; j <= nb; j++)
        d1[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t best = d2[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t x = d1[j] + 1; /* deletion */
            if (d2[j - 1] + 1 < x)
                x = d2[j - 1] + 1; /* insertion */
            if (d1[j - 1] + cost < x)
                x = d1[j - 1] + cost; /* substitution */
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d0[j - 2] + 1 < x)
                x = d0[j - 2] + 1; /* transposition */
            d2[j] = x;
            if (x < best)
                best = x;
        }
        if (best > max)
            return max + 1;
        memcpy(d0, d1, (nb + 1) * sizeof d1[0]);
        memcpy(d1, d2, (nb + 1) * sizeof d2[0]);
    }
    return d1[nb] > max ? max + 1 : d1[nb];
}

/* Write into sug the term of v nearest to s[0..n) (spelled sp), spelled the
 * same way; "" when none is within distance 2. */
static void suggest(const st_cbv_vocab *v, const char *s, size_t n, enum cbv_spelling sp, char *sug,
                    size_t cap)
{
    size_t best = 3;
    sug[0] = '\0';
    for (size_t i = 0; i < v->n; i++) {
        char cand[CBV_MAX_VALUE];
        st_sbuf b;
        st_sbuf_init(&b, cand, sizeof cand);
        if (sp == SP_CURIE)
            st_sbuf_printf(&b, "%s:%s", v->curie, v->local);
        else if (sp == SP_URN && v->urn)
            st_sbuf_puts(&b, v->urn);
        else if (sp == SP_URN)
            return;
        else if (sp == SP_WEB)
            st_sbuf_printf(&b, "%s%s", v->ns, v->local);
        st_sbuf_puts(&b, v->words[i]);
        if (st_sbuf_rc(&b))
            continue;
        size_t d = st_cbv_distance(s, n, cand, b.n, 2);
        if (d < best) {
            best = d;
            snprintf(sug, cap, "%s", cand);
        }
    }
}

/* Which other vocabulary knows the Web URI u as a term, or -1. */
static int other_vocab(int vocab, const char *u)
{
    for (int i = 0; i < ST_CBV_COUNT; i++) {
        const st_cbv_vocab *o = &st_cbv_table[i];
        size_t k = strlen(o->ns), l = strlen(o->local);
        if (i == vocab || strncmp(u, o->ns, k) || strncmp(u + k, o->local, l))
            continue;
        if (is_word_n(o, u + k + l, strlen(u + k + l)))
            return i;
    }
    return -1;
}

st_rc st_cbv_check(int vocab, const char *value, char *why, size_t whycap)
{
    char dummy[1];
    if (!why || !whycap)
        why = dummy, whycap = sizeof dummy;
    why[0] = '\0';
    const st_cbv_vocab *v = st_cbv_get(vocab);
    if (!v || !value) {
        snprintf(why, whycap, "no value or no vocabulary (%d)", vocab);
        return ST_ERR_ARG;
    }
    size_t n;
    enum cbv_spelling sp;
    const char *s = trim(value, &n);
    int shown = n > 200 ? 200 : (int)n; /* quote at most this much of value */
    char u[CBV_MAX_VALUE * 2];
    st_sbuf b;
    st_sbuf_init(&b, u, sizeof u);
    st_rc rc = canon(v, s, n, &b, &sp);
    if (rc) {
        if (n == 0)
            snprintf(why, whycap, "empty %s", v->field);
        else if (sp == SP_BARE)
            snprintf(why, whycap,
                     "%s \"%.*s\" is neither a CBV word, a CURIE nor a URI (words are "
                     "letters, digits and '_')",
                     v->field, shown, s);
        else
            snprintf(why, whycap, "%s \"%.*s\" has nothing after its prefix", v->field, shown, s);
        return rc;
    }
    /* A URI outside the CBV and GS1 namespaces is a user vocabulary value. */
    if (sp == SP_OTHER && !starts_with(s, n, ST_CBV_NS) && !starts_with(s, n, ST_GS1_VOC_NS))
        return ST_OK;
    size_t k = strlen(v->ns), l = strlen(v->local);
    if (!st_sbuf_rc(&b)) {
        if (!strncmp(u, v->ns, k) && !strncmp(u + k, v->local, l) &&
            is_word_n(v, u + k + l, strlen(u + k + l)))
            return ST_OK;
        int o = other_vocab(vocab, u);
        if (o >= 0) {
            snprintf(why, whycap, "%s \"%.*s\" is a %s, not a %s", v->field, shown, s,
                     st_cbv_table[o].field, v->field);
            return ST_ERR_NOT_FOUND;
        }
    }
    char sug[CBV_MAX_VALUE];
    suggest(v, s, n, sp, sug, sizeof sug);
    if (sug[0])
        snprintf(why, whycap, "unknown %s \"%.*s\" (did you mean \"%s\"?)", v->field, shown, s,
                 sug);
    else
        snprintf(why, whycap, "unknown %s \"%.*s\"", v->field, shown, s);
    return ST_ERR_NOT_FOUND;
}
