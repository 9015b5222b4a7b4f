/*
 * Values of query parameters: lists split, canonicalised as capture.c stores
 * them (CBV Web URIs, identifier keys, ms UTC), capped, and normalised for
 * the page token; MATCH_ keys and EPC patterns as key ranges; hash IDs.
 *
 * MATCH_ values are canonical keys (st_cap_canon), matched exactly, except
 * patterns: urn:epc:idpat:S:CP.REF.* (and a bare GTIN Digital Link) is the
 * class key and every key under it (instances, lots); CP.*.* and *.*.* are
 * key prefixes by company prefix or scheme. A GTIN does not say where its
 * company prefix ends, so CP.*.* also matches the longer prefixes that begin
 * with CP's digits. A key range "key >= p AND key < p'" (p' = p with its
 * last byte plus one) stands for "key starts with p": byte order, so the
 * PostgreSQL backend must keep ident.key in the C collation.
 *
 * List values are split at '|' (the REST binding) or, when there is none, at
 * ',': freely between words and numbers; between URIs only when every piece
 * is a URI (',' may occur inside an EPC serial or a geo: location); never in
 * free text (EQ_stringValue, extension fields), which takes '|' only.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <serialtrack/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "epcis/cbv.h"
#include "store/capture.h"
#include "store/query_int.h"

#define DL_STEM "https://id.gs1.org"

/* ---- small helpers ---------------------------------------------------------------- */

const char *st_query_dup(st_query *q, const char *s, size_t n)
{
    return st_arena_strndup(q->a, s, n);
}

static int list_has(const strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], s))
            return 1;
    return 0;
}

static st_rc list_add(st_query *q, strlist *l, const char *s, size_t n)
{
    const char **v = st_arena_alloc(q->a, (l->n + 1) * sizeof *v);
    const char *c = st_query_dup(q, s, n);
    if (!v || !c)
        return ST_ERR_NOMEM;
    if (l->n)
        memcpy(v, l->v, l->n * sizeof *v);
    v[l->n++] = c;
    l->v = v;
    return ST_OK;
}

/* A strict decimal number (what JSON and xsd:decimal/double allow). */
int st_query_parse_num(const char *s, double *out)
{
    if (!s || !*s || (*s != '-' && *s != '+' && *s != '.' && (*s < '0' || *s > '9')))
        return -1;
    char *end = NULL;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(d))
        return -1;
    *out = d;
    return 0;
}

/* ---- values ------------------------------------------------------------------------- */

static int by_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The normalised form of the current parameter: its canonical values sorted,
 * so that a token outlives a reordering of list values. */
static st_rc set_norm(st_query *q, const strlist *l)
{
    size_t len = 1;
    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + 1;
    const char **s = malloc((l->n ? l->n : 1) * sizeof *s);
    char *out = st_arena_alloc(q->a, len);
    if (!s || !out) {
        free(s);
        return ST_ERR_NOMEM;
    }
    if (l->n) {
        memcpy(s, l->v, l->n * sizeof *s);
        qsort(s, l->n, sizeof *s, by_str);
    }
    char *p = out;
    for (size_t i = 0; i < l->n; i++) {
        size_t k = strlen(s[i]);
        memcpy(p, s[i], k);
        p += k;
        *p++ = '\x1f';
    }
    *p = '\0';
    free(s);
    q->cur_norm = out;
    return ST_OK;
}

st_rc st_query_norm1(st_query *q, const char *v)
{
    strlist l = {&v, 1};
    return set_norm(q, &l);
}

/* The canonical form of one value of kind vk (vocab for VK_VOCAB) into out. */
static st_rc canon_value(const char *name, const char *v, int vk, int vocab, char *out, size_t cap,
                         st_error *err)
{
    if (vk == VK_VOCAB) {
        char why[256];
        if (st_cbv_check(vocab, v, why, sizeof why) != ST_OK)
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s: %s", name, why);
        if (st_cap_canon(v, vocab, NULL, out, cap) != ST_OK)
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s: \"%.100s\" is not a %s value", name,
                           v, st_cbv_get(vocab)->field);
        return ST_OK;
    }
    if (vk == VK_URI) {
        if (!strchr(v, ':'))
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s: \"%.100s\" is not a URI", name, v);
        st_rc rc = st_cap_canon(v, -1, NULL, out, cap);
        if (rc == ST_ERR_BUFFER)
            return st_fail(err, ST_ERR_LIMIT, -1, NULL, "%s: a value is longer than %d bytes", name,
                           KEY_MAX - 1);
        if (rc)
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s: \"%.100s\" is not an identifier",
                           name, v);
        return ST_OK;
    }
    if (vk == VK_BOOL && strcmp(v, "true") && strcmp(v, "false"))
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s: \"%.100s\" is not true or false", name,
                       v);
    if (vk == VK_NUM) {
        double d;
        if (st_query_parse_num(v, &d))
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "%s: \"%.100s\" is not a number", name, v);
    }
    if (strlen(v) >= cap)
        return st_fail(err, ST_ERR_LIMIT, -1, NULL, "%s: a value is longer than %d bytes", name,
                       KEY_MAX - 1);
    strcpy(out, v);
    return ST_OK;
}

/* s[0..n) starts with a URI scheme and ':' */
static int has_scheme(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    if (!n || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
        return 0;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (c == ':')
            return 1;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.'))
            return 0;
    }
    return 0;
}

static char separator(const char *value, int split)
{
    if (split == SPLIT_NONE)
        return '\0';
    if (strchr(value, '|'))
        return '|';
    if (split == SPLIT_PIPE || !strchr(value, ','))
        return '\0';
    if (split == SPLIT_URIS)
        for (const char *p = value;;) {
            const char *e = strchr(p, ',');
            if (!has_scheme(p, e ? (size_t)(e - p) : strlen(p)))
                return '\0'; /* a comma inside one URI */
            if (!e)
                break;
            p = e + 1;
        }
    return ',';
}

/*
 * Split value into its list elements (enum split), canonicalise each and
 * append them to out. Sets the normalised form.
 */
st_rc st_query_values(st_query *q, const char *name, const char *value, int vk, int vocab,
                      int split, strlist *out, st_error *err)
{
    char sep = separator(value, split);
    size_t count = 0;
    const char *p = value;
    char one[KEY_MAX], canon[KEY_MAX];
    for (;;) {
        const char *e = sep ? strchr(p, sep) : NULL;
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (!len)
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                           *value ? "%s: an empty value in the list" : "%s needs a value", name);
        if (++count > ST_QUERY_MAX_VALUES)
            return st_fail(err, ST_ERR_LIMIT, -1, NULL, "%s holds more than %d values", name,
                           ST_QUERY_MAX_VALUES);
        if (len >= sizeof one)
            return st_fail(err, ST_ERR_LIMIT, -1, NULL, "%s: a value is longer than %d bytes", name,
                           KEY_MAX - 1);
        memcpy(one, p, len);
        one[len] = '\0';
        st_rc rc = canon_value(name, one, vk, vocab, canon, sizeof canon, err);
        if (rc)
            return rc;
        if (!list_has(out, canon) && list_add(q, out, canon, strlen(canon)))
            return ST_ERR_NOMEM;
        if (!e)
            break;
        p = e + 1;
    }
    return set_norm(q, out);
}

st_rc st_query_time_value(st_query *q, const char *name, const char *value, int64_t *ms,
                          st_error *err)
{
    if (st_cap_time_ms(value, ms) != ST_OK)
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                       "%s: \"%.100s\" is not a date-time (ISO 8601 with a time zone, e.g. "
                       "2024-05-01T10:00:00Z)",
                       name, value);
    char t[32];
    snprintf(t, sizeof t, "%" PRId64, *ms);
    return st_query_norm1(q, t);
}

/* GT_/GE_/LT_/LE_ operand: a date-time or a number. */
st_rc st_query_operand_value(st_query *q, const char *name, const char *value, int vk, operand *op,
                             st_error *err)
{
    memset(op, 0, sizeof *op);
    if (vk != VK_NUM && st_cap_time_ms(value, &op->ms) == ST_OK) {
        op->is_time = 1;
    } else if (vk == VK_TIME || st_query_parse_num(value, &op->num)) {
        if (vk == VK_TIME)
            return st_query_time_value(q, name, value, &op->ms, err);
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                       vk == VK_NUM ? "%s: \"%.100s\" is not a number"
                                    : "%s: \"%.100s\" is neither a number nor a date-time",
                       name, value);
    }
    return st_query_norm1(q, value);
}

/* ---- MATCH_ values and EPC patterns ------------------------------------------------ */

static st_rc add_prefix(st_query *q, qmatch *m, const char *p)
{
    size_t n = strlen(p);
    char hi[KEY_MAX];
    if (!n || n >= sizeof hi)
        return ST_ERR_INTERNAL;
    memcpy(hi, p, n + 1);
    hi[n - 1] = (char)(hi[n - 1] + 1);
    if (list_has(&m->pfx, p))
        return ST_OK;
    if (list_add(q, &m->pfx, p, n) || list_add(q, &m->hi, hi, n))
        return ST_ERR_NOMEM;
    return ST_OK;
}

/* Key stems of EPC schemes for company-prefix patterns (CP.*.*, *.*.*):
 * the AI path, and whether an indicator/extension digit precedes the CP. */
static const struct {
    const char *scheme;
    const char *path;
    int digit;
} pattern_stems[] = {
    {"sgtin", "/01/", 1}, {"upui", "/01/", 1},  {"sscc", "/00/", 1},    {"itip", "/8006/", 1},
    {"sgln", "/414/", 0}, {"pgln", "/417/", 0}, {"grai", "/8003/0", 0}, {"giai", "/8004/", 0},
    {"gdti", "/253/", 0}, {"sgcn", "/255/", 0}, {"gsrn", "/8018/", 0},  {"gsrnp", "/8017/", 0},
    {"gsin", "/402/", 0}, {"ginc", "/401/", 0}, {"cpi", "/8010/", 0},
};

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

/*
 * An EPC pattern URI (urn:epc:idpat:SCHEME:F1.F2...): its keys or key
 * prefixes in m. Trailing fields may be '*': the last one (one GTIN, asset
 * type, location, ...), all but the company prefix, or all of them.
 */
static st_rc idpat(st_query *q, const char *name, const char *v, qmatch *m, st_error *err)
{
    static const char pre[] = "urn:epc:idpat:";
    const char *scheme = v + sizeof pre - 1;
    const char *colon = strchr(scheme, ':');
    if (!colon || colon == scheme)
        goto bad;
    size_t slen = (size_t)(colon - scheme);
    const char *f = colon + 1;
    int nf = 1, stars = 0, first_star = -1;
    for (const char *p = f, *s = f;; p++) {
        if (*p == '.' || !*p) {
            if (p - s == 1 && *s == '*') {
                if (first_star < 0)
                    first_star = nf - 1;
                stars++;
            } else if (first_star >= 0 || p == s) {
                goto bad; /* a field after a star, or an empty one */
            }
            if (!*p)
                break;
            nf++;
            s = p + 1;
        }
    }
    char tmp[KEY_MAX], canon[KEY_MAX];
    if (!stars) { /* no wildcard: the identifier itself */
        snprintf(tmp, sizeof tmp, "urn:epc:id:%s", scheme);
        if (st_cap_canon(tmp, -1, NULL, canon, sizeof canon) != ST_OK)
            goto bad;
        return list_has(&m->keys, canon) ? ST_OK : list_add(q, &m->keys, canon, strlen(canon));
    }
    if (stars == 1 && nf >= 3) { /* CP.REF.*: the class */
        int rc = st_cap_canon(v, -1, NULL, canon, sizeof canon);
        if (rc == ST_OK && strncmp(canon, DL_STEM "/", sizeof DL_STEM) && slen == 4 &&
            !strncmp(scheme, "sgln", 4)) {
            /* sgln CP.LR.*: the GLN, with any extension */
            snprintf(tmp, sizeof tmp, "urn:epc:id:sgln:%.*s0", (int)(strlen(f) - 1), f);
            rc = st_cap_canon(tmp, -1, NULL, canon, sizeof canon);
        }
        if (rc != ST_OK || strncmp(canon, DL_STEM "/", sizeof DL_STEM))
            goto bad;
        if (strstr(canon, "/8010/")) { /* variable-length part reference */
            if (list_add(q, &m->keys, canon, strlen(canon)))
                return ST_ERR_NOMEM;
            strcat(canon, "/");
        }
        return add_prefix(q, m, canon);
    }
    for (size_t i = 0; i < sizeof pattern_stems / sizeof *pattern_stems; i++) {
        const char *st = pattern_stems[i].scheme;
        if (strlen(st) != slen || strncmp(st, scheme, slen))
            continue;
        if (stars == nf) { /* *.*.*: the whole scheme */
            snprintf(tmp, sizeof tmp, "%s%s", DL_STEM, pattern_stems[i].path);
            if (!strcmp(st, "grai"))
                tmp[strlen(tmp) - 1] = '\0';
            return add_prefix(q, m, tmp);
        }
        size_t cp = strcspn(f, ".");
        if (stars != nf - 1 || cp < 6 || cp > 12 || !all_digits(f, cp))
            goto bad;
        for (int d = 0; d < (pattern_stems[i].digit ? 10 : 1); d++) {
            if (pattern_stems[i].digit)
                snprintf(tmp, sizeof tmp, "%s%s%d%.*s", DL_STEM, pattern_stems[i].path, d, (int)cp,
                         f);
            else
                snprintf(tmp, sizeof tmp, "%s%s%.*s", DL_STEM, pattern_stems[i].path, (int)cp, f);
            st_rc rc = add_prefix(q, m, tmp);
            if (rc)
                return rc;
        }
        return ST_OK;
    }
bad:
    return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                   "%s: \"%.100s\" is not an EPC pattern this "
                   "store can match (urn:epc:idpat:SCHEME:CP.REF.*, CP.*.* or *.*.*)",
                   name, v);
}

/* A GTIN without serial (https://id.gs1.org/01/ and 14 digits): a class,
 * matched like the pattern urn:epc:idpat:sgtin:CP.IIR.* */
static int is_gtin_class(const char *key)
{
    static const char stem[] = DL_STEM "/01/";
    return !strncmp(key, stem, sizeof stem - 1) && strlen(key) == sizeof stem - 1 + 14 &&
           all_digits(key + sizeof stem - 1, 14);
}

st_rc st_query_match_values(st_query *q, const char *name, const char *value, unsigned roles,
                            st_error *err)
{
    qmatch *m = &q->match[q->n_match];
    memset(m, 0, sizeof *m);
    m->roles = roles;
    strlist raw = {0};
    st_rc rc = st_query_values(q, name, value, VK_RAW, -1, SPLIT_URIS, &raw, err);
    if (rc)
        return rc;
    char canon[KEY_MAX];
    for (size_t i = 0; i < raw.n && !rc; i++) {
        const char *v = raw.v[i];
        if (!strncmp(v, "urn:epc:idpat:", 14)) {
            rc = idpat(q, name, v, m, err);
        } else if ((rc = canon_value(name, v, VK_URI, -1, canon, sizeof canon, err)) == ST_OK) {
            if (is_gtin_class(canon))
                rc = add_prefix(q, m, canon);
            else if (!list_has(&m->keys, canon))
                rc = list_add(q, &m->keys, canon, strlen(canon));
        }
    }
    if (rc)
        return rc;
    /* normalised: the keys and the prefixes, marked apart */
    strlist all = {0};
    for (size_t i = 0; i < m->keys.n + m->pfx.n; i++) {
        int k = i < m->keys.n;
        char t[KEY_MAX + 2];
        snprintf(t, sizeof t, "%c%s", k ? '=' : '^', k ? m->keys.v[i] : m->pfx.v[i - m->keys.n]);
        if (list_add(q, &all, t, strlen(t)))
            return ST_ERR_NOMEM;
    }
    q->n_match++;
    return set_norm(q, &all);
}

/* ---- event IDs ---------------------------------------------------------------------- */

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

st_rc st_query_event_ids(st_query *q, const char *name, const char *value, st_error *err)
{
    static const char ni[] = "ni:///sha-256;";
    st_rc rc = st_query_values(q, name, value, VK_RAW, -1, SPLIT_URIS, &q->eid_text, err);
    for (size_t i = 0; i < q->eid_text.n && !rc; i++) {
        const char *v = q->eid_text.v[i];
        if (strncasecmp(v, ni, sizeof ni - 1))
            continue;
        unsigned char h[33];
        int ok = 1;
        for (int k = 0; k < 32 && ok; k++) {
            int hi = hexval(v[sizeof ni - 1 + 2 * k]);
            int lo = hi < 0 ? -1 : hexval(v[sizeof ni + 2 * k]);
            ok = hi >= 0 && lo >= 0;
            if (ok)
                h[k] = (unsigned char)(hi << 4 | lo);
        }
        char after = ok ? v[sizeof ni - 1 + 64] : 'x';
        if (!ok || (after && after != '?'))
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                           "%s: \"%.100s\" is not a hash ID (ni:///sha-256; and 64 hex digits)",
                           name, v);
        char *blob = st_arena_alloc(q->a, 32);
        const char **vv = st_arena_alloc(q->a, (q->eid_hash.n + 1) * sizeof *vv);
        if (!blob || !vv)
            return ST_ERR_NOMEM;
        memcpy(blob, h, 32);
        if (q->eid_hash.n)
            memcpy(vv, q->eid_hash.v, q->eid_hash.n * sizeof *vv);
        vv[q->eid_hash.n++] = blob;
        q->eid_hash.v = vv;
    }
    return rc;
}
