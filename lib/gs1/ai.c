/*
 * Application Identifier element strings: parsing (bracketed and as scanned),
 * validation against the generated dictionary table (format, linters,
 * requires/excludes), and encoding back to both forms. See ai.h.
 */
#include "gs1/ai.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "common/error.h"
#include "common/sbuf.h"
#include "gs1/checkdigit.h"
#include "gs1/cset.h"

/* ---- table look-up ------------------------------------------------------- */

/* Direct indexes from an AI's numeric value to its table row (-1: none), one
 * per AI length, built once from the generated table. */
static int16_t idx2[100], idx3[1000], idx4[10000];
static pthread_once_t idx_once = PTHREAD_ONCE_INIT;

static void build_index(void)
{
    memset(idx2, 0xff, sizeof idx2);
    memset(idx3, 0xff, sizeof idx3);
    memset(idx4, 0xff, sizeof idx4);
    for (size_t i = 0; i < st_ai_table_len; i++) {
        const st_ai_def *d = &st_ai_table[i];
        unsigned v = 0;
        for (unsigned k = 0; k < d->ai_len; k++)
            v = v * 10 + (unsigned)(d->ai[k] - '0');
        int16_t *t = d->ai_len == 2 ? idx2 : d->ai_len == 3 ? idx3 : idx4;
        t[v] = (int16_t)i;
    }
}

static const st_ai_def *lookup_len(const char *s, size_t n)
{
    unsigned v = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned c = (unsigned char)s[k] - '0';
        if (c > 9)
            return NULL;
        v = v * 10 + c;
    }
    int16_t i = n == 2 ? idx2[v] : n == 3 ? idx3[v] : idx4[v];
    return i < 0 ? NULL : &st_ai_table[i];
}

const st_ai_def *st_ai_lookup(const char *ai, size_t n)
{
    if (n < 2 || n > 4)
        return NULL;
    pthread_once(&idx_once, build_index);
    return lookup_len(ai, n);
}

const st_ai_def *st_ai_lookup_prefix(const char *s, size_t avail)
{
    pthread_once(&idx_once, build_index);
    for (size_t n = 2; n <= 4 && n <= avail; n++) {
        const st_ai_def *d = lookup_len(s, n);
        if (d)
            return d;
    }
    return NULL;
}

/* ---- the container --------------------------------------------------------- */

void st_ai_init(st_aidata *d)
{
    d->n = 0;
    d->used = 0;
}

const char *st_ai_get(const st_aidata *d, const char *ai)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->e[i].def->ai, ai))
            return st_ai_value(d, i);
    return NULL;
}

st_rc st_ai_add(st_aidata *d, const char *ai, size_t ailen, const char *v, size_t vlen, long pos,
                st_error *err)
{
    const st_ai_def *def = st_ai_lookup(ai, ailen);
    if (!def)
        return st_fail(err, ST_ERR_UNKNOWN_AI, pos, NULL, "unknown AI (%.*s)",
                       (int)(ailen > 4 ? 4 : ailen), ai);
    for (size_t i = 0; i < d->n; i++) {
        if (d->e[i].def != def)
            continue;
        if (d->e[i].len == vlen && !memcmp(st_ai_value(d, i), v, vlen))
            return ST_OK; /* the same element read from a second symbol */
        return st_fail(err, ST_ERR_RULE, pos, def->ai,
                       "AI %s appears twice with different values", def->ai);
    }
    if (d->n >= ST_AI_MAX_ELEMENTS)
        return st_fail(err, ST_ERR_LIMIT, pos, def->ai,
                       "more than %d AI elements; the limit is %d", ST_AI_MAX_ELEMENTS,
                       ST_AI_MAX_ELEMENTS);
    if (vlen + 1 > sizeof d->data - d->used)
        return st_fail(err, ST_ERR_LIMIT, pos, def->ai,
                       "AI values exceed %d bytes in all; the limit is %d", ST_AI_MAX_DATA,
                       ST_AI_MAX_DATA);
    st_ai_elem *e = &d->e[d->n++];
    e->def = def;
    e->off = (uint16_t)d->used;
    e->len = (uint16_t)vlen;
    e->pos = pos;
    memcpy(d->data + d->used, v, vlen);
    d->data[d->used + vlen] = '\0';
    d->used += vlen + 1;
    return ST_OK;
}

/* ---- value validation ------------------------------------------------------ */

static const char *cset_name(char cset)
{
    switch (cset) {
    case 'N':
        return "digits";
    case 'X':
        return "CSET 82";
    case 'Y':
        return "CSET 39";
    default:
        return "CSET 64 (base64url)";
    }
}

/* Check v[0..n) against one component's character set; CSET 64 allows one or
 * two '=' of padding at the end when the whole length is a multiple of 3. */
static st_rc check_cset(const st_ai_def *def, const st_ai_comp *c, const char *v, size_t n,
                        long pos, st_error *err)
{
    unsigned bit = st_cset_for_letter(c->cset);
    size_t end = n;
    if (c->cset == 'Z') {
        while (end > 0 && n - end < 2 && v[end - 1] == '=')
            end--;
        if (end < n && n % 3 != 0)
            return st_fail(err, ST_ERR_CHARSET, pos + (long)end, def->ai,
                           "AI %s: '=' padding is allowed only when the length is a multiple of 3",
                           def->ai);
    }
    for (size_t i = 0; i < end; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (!st_cset_has(bit, ch)) {
            if (ch >= 0x21 && ch < 0x7f)
                return st_fail(err, ST_ERR_CHARSET, pos + (long)i, def->ai,
                               "AI %s: character '%c' at offset %zu is not allowed (%s only)",
                               def->ai, ch, i, cset_name(c->cset));
            return st_fail(err, ST_ERR_CHARSET, pos + (long)i, def->ai,
                           "AI %s: byte 0x%02X at offset %zu is not allowed (%s only)", def->ai,
                           ch, i, cset_name(c->cset));
        }
    }
    return ST_OK;
}

st_rc st_ai_check_value(const st_ai_def *def, const char *v, size_t n, long pos, st_error *err)
{
    if (n == 0)
        return st_fail(err, ST_ERR_LENGTH, pos, def->ai, "AI %s: value is empty", def->ai);
    if (n < def->min_len || n > def->max_len) {
        if (def->min_len == def->max_len)
            return st_fail(err, ST_ERR_LENGTH, pos, def->ai,
                           "AI %s: value has %zu characters; expected %u", def->ai, n,
                           def->min_len);
        if (n > def->max_len)
            return st_fail(err, ST_ERR_LENGTH, pos, def->ai,
                           "AI %s: value has %zu characters; at most %u allowed", def->ai, n,
                           def->max_len);
        return st_fail(err, ST_ERR_LENGTH, pos, def->ai,
                       "AI %s: value has %zu characters; at least %u needed", def->ai, n,
                       def->min_len);
    }
    size_t off = 0;
    for (unsigned k = 0; k < def->ncomp; k++) {
        const st_ai_comp *c = &def->comp[k];
        if (off == n && c->optional)
            break;
        size_t left = n - off, len;
        if (c->min == c->max) {
            if (left < c->min)
                return st_fail(err, ST_ERR_LENGTH, pos + (long)off, def->ai,
                               "AI %s: value has %zu characters; component %u needs %u more",
                               def->ai, n, k + 1, c->min);
            len = c->min;
        } else {
            len = left; /* only the last component has variable length */
            if (len > c->max || len < c->min)
                return st_fail(err, ST_ERR_LENGTH, pos + (long)off, def->ai,
                               "AI %s: component %u has %zu characters; %u to %u allowed",
                               def->ai, k + 1, len, c->min, c->max);
        }
        st_rc rc = check_cset(def, c, v + off, len, pos + (long)off, err);
        if (rc)
            return rc;
        for (unsigned l = 0; l < sizeof c->lint && c->lint[l]; l++) {
            size_t bad = 0;
            char why[160];
            why[0] = '\0';
            rc = st_lint_run((st_lint_id)c->lint[l], v + off, len, &bad, why, sizeof why);
            if (rc)
                return st_fail(err, rc, pos + (long)(off + bad), def->ai, "AI %s: %s", def->ai,
                               why[0] ? why : st_strerror(rc));
        }
        off += len;
    }
    if (off != n)
        return st_fail(err, ST_ERR_LENGTH, pos + (long)off, def->ai,
                       "AI %s: %zu unexpected characters after the value", def->ai, n - off);
    return ST_OK;
}

/* ---- requires / excludes ---------------------------------------------------- */

/* Does AI ai match pattern p[0..n) ("31nn", "310n", "01")? */
static int ai_matches(const char *ai, const char *p, size_t n)
{
    if (strlen(ai) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] != 'n' && p[i] != ai[i])
            return 0;
    return 1;
}

static int present(const st_aidata *d, const char *p, size_t n, const char *except)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->e[i].def->ai != except && ai_matches(d->e[i].def->ai, p, n))
            return 1;
    return 0;
}

/* Is one alternative "01+21" fully present? */
static int alt_satisfied(const st_aidata *d, const char *a, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && a[j] != '+')
            j++;
        if (!present(d, a + i, j - i, NULL))
            return 0;
        i = j + 1;
    }
    return 1;
}

/* Write a requirement group "01,03,8006" as "01, 03 or 8006". */
static void describe_group(st_sbuf *b, const char *g, size_t n)
{
    size_t alts = 1;
    for (size_t i = 0; i < n; i++)
        alts += g[i] == ',';
    size_t k = 0, i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && g[j] != ',')
            j++;
        if (k)
            st_sbuf_puts(b, k + 1 == alts ? " or " : ", ");
        for (size_t q = i; q < j; q++)
            if (g[q] == '+')
                st_sbuf_puts(b, " with ");
            else
                st_sbuf_putc(b, g[q]);
        k++;
        i = j + 1;
    }
}

static st_rc check_req(const st_aidata *d, const st_ai_elem *e, st_error *err)
{
    const char *r = e->def->req;
    while (*r) {
        size_t glen = strcspn(r, " ");
        int ok = 0;
        size_t i = 0;
        while (i < glen && !ok) {
            size_t j = i;
            while (j < glen && r[j] != ',')
                j++;
            ok = alt_satisfied(d, r + i, j - i);
            i = j + 1;
        }
        if (!ok) {
            char what[128];
            st_sbuf b;
            st_sbuf_init(&b, what, sizeof what);
            describe_group(&b, r, glen);
            return st_fail(err, ST_ERR_RULE, e->pos, e->def->ai, "AI %s requires %s",
                           e->def->ai, what);
        }
        r += glen;
        while (*r == ' ')
            r++;
    }
    return ST_OK;
}

static st_rc check_ex(const st_aidata *d, const st_ai_elem *e, st_error *err)
{
    const char *x = e->def->ex;
    while (*x) {
        size_t n = strcspn(x, ",");
        for (size_t i = 0; i < d->n; i++) {
            const st_ai_def *o = d->e[i].def;
            if (o != e->def && ai_matches(o->ai, x, n))
                return st_fail(err, ST_ERR_RULE, d->e[i].pos, e->def->ai,
                               "AI %s cannot be used together with AI %s", e->def->ai, o->ai);
        }
        x += n;
        if (*x == ',')
            x++;
    }
    return ST_OK;
}

st_rc st_ai_check_rules(const st_aidata *d, st_error *err)
{
    for (size_t i = 0; i < d->n; i++) {
        st_rc rc = check_ex(d, &d->e[i], err);
        if (!rc)
            rc = check_req(d, &d->e[i], err);
        if (rc)
            return rc;
    }
    return ST_OK;
}

st_rc st_ai_validate(const st_aidata *d, st_error *err)
{
    if (d->n == 0)
        return st_fail(err, ST_ERR_SYNTAX, 0, NULL, "no AI data");
    for (size_t i = 0; i < d->n; i++) {
        const st_ai_elem *e = &d->e[i];
        st_rc rc = st_ai_check_value(e->def, st_ai_value(d, i), e->len, e->pos, err);
        if (rc)
            return rc;
    }
    return st_ai_check_rules(d, err);
}

/* ---- parsing ------------------------------------------------------------------- */

/* "(01)0952...(10)AB\(C" -> elements. */
static st_rc parse_bracketed(const char *s, size_t n, st_aidata *d, st_error *err)
{
    size_t i = 0;
    char val[ST_AI_MAX_VALUE + 1];
    while (i < n) {
        if (s[i] != '(')
            return st_fail(err, ST_ERR_SYNTAX, (long)i, NULL,
                           "expected '(' to open an AI at offset %zu", i);
        size_t a = i + 1, b = a;
        while (b < n && b - a <= 4 && s[b] >= '0' && s[b] <= '9')
            b++;
        if (b >= n || s[b] != ')' || b - a < 2 || b - a > 4)
            return st_fail(err, ST_ERR_SYNTAX, (long)a, NULL,
                           "expected an AI of 2 to 4 digits and ')' at offset %zu", a);
        const st_ai_def *def = st_ai_lookup(s + a, b - a);
        if (!def)
            return st_fail(err, ST_ERR_UNKNOWN_AI, (long)a, NULL, "unknown AI (%.*s)",
                           (int)(b - a), s + a);
        size_t v = b + 1, k = v, vn = 0;
        while (k < n && s[k] != '(') {
            if (s[k] == '\\' && k + 1 < n && s[k + 1] == '(')
                k++; /* "\(" is a literal '(' */
            if (vn == ST_AI_MAX_VALUE)
                return st_fail(err, ST_ERR_LENGTH, (long)v, def->ai,
                               "AI %s: value has more than %d characters; at most %u allowed",
                               def->ai, ST_AI_MAX_VALUE, def->max_len);
            val[vn++] = s[k++];
        }
        st_rc rc = st_ai_add(d, def->ai, def->ai_len, val, vn, (long)v, err);
        if (rc)
            return rc;
        i = k;
    }
    return ST_OK;
}

static int is_sep(char c)
{
    return c == ST_GS || c == '^';
}

/* AI data without brackets; separators are GS or '^' (FNC1). */
static st_rc parse_unbracketed(const char *s, size_t n, long base, st_aidata *d, st_error *err)
{
    size_t i = 0;
    if (i < n && is_sep(s[i]))
        i++; /* a leading FNC1 */
    while (i < n) {
        const st_ai_def *def = st_ai_lookup_prefix(s + i, n - i);
        if (!def) {
            size_t k = i;
            while (k < n && k - i < 4 && s[k] >= '0' && s[k] <= '9')
                k++;
            if (k - i < 2)
                return st_fail(err, ST_ERR_SYNTAX, base + (long)i, NULL,
                               "expected an AI (digits) at offset %ld", base + (long)i);
            return st_fail(err, ST_ERR_UNKNOWN_AI, base + (long)i, NULL,
                           "no AI matches \"%.*s\" at offset %ld", (int)(k - i), s + i,
                           base + (long)i);
        }
        size_t v = i + def->ai_len, end;
        if (def->flags & ST_AI_PREDEF) {
            end = v + def->max_len;
            if (end > n) {
                size_t have = n - v;
                for (size_t q = v; q < n; q++)
                    if (is_sep(s[q])) {
                        have = q - v;
                        break;
                    }
                return st_fail(err, ST_ERR_LENGTH, base + (long)v, def->ai,
                               "AI %s: value has %zu characters; expected %u", def->ai, have,
                               def->max_len);
            }
            for (size_t q = v; q < end; q++)
                if (is_sep(s[q]))
                    return st_fail(err, ST_ERR_LENGTH, base + (long)v, def->ai,
                                   "AI %s: value has %zu characters; expected %u", def->ai,
                                   q - v, def->max_len);
        } else {
            end = v;
            while (end < n && !is_sep(s[end]))
                end++;
            if (end - v > def->max_len)
                return st_fail(err, ST_ERR_LENGTH, base + (long)v, def->ai,
                               "AI %s: value has %zu characters; at most %u allowed "
                               "(missing GS separator?)",
                               def->ai, end - v, def->max_len);
        }
        st_rc rc = st_ai_add(d, def->ai, def->ai_len, s + v, end - v, base + (long)v, err);
        if (rc)
            return rc;
        i = end;
        if (i < n && is_sep(s[i]))
            i++; /* the separator, or a superfluous one after a predefined-length AI */
    }
    return ST_OK;
}

/* ]E0 / ]E4: a bare GTIN-13 (or UPC-A as 13) / GTIN-8, returned as (01). */
static st_rc parse_ean(const char *s, size_t n, size_t want, long base, st_aidata *d,
                       st_error *err)
{
    if (n != want)
        return st_fail(err, ST_ERR_LENGTH, base, "01",
                       "EAN/UPC data must be %zu digits; found %zu characters", want, n);
    /* check here, before padding, so positions point into the input */
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return st_fail(err, ST_ERR_CHARSET, base + (long)i, "01",
                           "AI 01: character at offset %zu of the EAN/UPC data is not a digit", i);
    char want_cd = 0;
    if (st_cd_verify(s, n, &want_cd) != ST_OK)
        return st_fail(err, ST_ERR_CHECK_DIGIT, base + (long)n - 1, "01",
                       "AI 01: check digit is %c, expected %c", s[n - 1], want_cd);
    char gtin[15];
    memset(gtin, '0', 14);
    memcpy(gtin + 14 - want, s, want);
    gtin[14] = '\0';
    return st_ai_add(d, "01", 2, gtin, 14, base, err);
}

st_rc st_ai_parse_only(const char *s, size_t n, st_aidata *d, st_error *err)
{
    st_ai_init(d);
    if (n == 0)
        return st_fail(err, ST_ERR_SYNTAX, 0, NULL, "empty input");
    if (n > ST_ID_MAX_INPUT)
        return st_fail(err, ST_ERR_LIMIT, ST_ID_MAX_INPUT, NULL,
                       "input holds %zu bytes; the limit is %d", n, ST_ID_MAX_INPUT);
    if (s[0] == '(')
        return parse_bracketed(s, n, d, err);
    if (s[0] == ']') {
        if (n < 3)
            return st_fail(err, ST_ERR_SYNTAX, 0, NULL, "truncated symbology identifier");
        static const char *const ai_syms[] = {"]C1", "]e0", "]d2", "]Q3", "]J1"};
        for (size_t k = 0; k < sizeof ai_syms / sizeof ai_syms[0]; k++)
            if (!memcmp(s, ai_syms[k], 3))
                return parse_unbracketed(s + 3, n - 3, 3, d, err);
        if (!memcmp(s, "]E0", 3))
            return parse_ean(s + 3, n - 3, 13, 3, d, err);
        if (!memcmp(s, "]E4", 3))
            return parse_ean(s + 3, n - 3, 8, 3, d, err);
        return st_fail(err, ST_ERR_SYNTAX, 0, NULL,
                       "symbology identifier %.3s does not carry GS1 AI data", s);
    }
    return parse_unbracketed(s, n, 0, d, err);
}

st_rc st_ai_parse(const char *s, size_t n, st_aidata *d, st_error *err)
{
    st_rc rc = st_ai_parse_only(s, n, d, err);
    return rc ? rc : st_ai_validate(d, err);
}

/* ---- encoding -------------------------------------------------------------------- */

st_rc st_ai_to_hri(const st_aidata *d, char *out, size_t cap)
{
    st_sbuf b;
    st_sbuf_init(&b, out, cap);
    for (size_t i = 0; i < d->n; i++) {
        st_sbuf_putc(&b, '(');
        st_sbuf_puts(&b, d->e[i].def->ai);
        st_sbuf_putc(&b, ')');
        const char *v = st_ai_value(d, i);
        for (size_t k = 0; k < d->e[i].len; k++) {
            if (v[k] == '(')
                st_sbuf_putc(&b, '\\');
            st_sbuf_putc(&b, v[k]);
        }
    }
    return st_sbuf_rc(&b);
}

st_rc st_ai_to_unbracketed(const st_aidata *d, char sep, char *out, size_t cap)
{
    st_sbuf b;
    st_sbuf_init(&b, out, cap);
    for (size_t i = 0; i < d->n; i++) {
        st_sbuf_puts(&b, d->e[i].def->ai);
        st_sbuf_putn(&b, st_ai_value(d, i), d->e[i].len);
        if (i + 1 < d->n && !(d->e[i].def->flags & ST_AI_PREDEF))
            st_sbuf_putc(&b, sep);
    }
    return st_sbuf_rc(&b);
}
