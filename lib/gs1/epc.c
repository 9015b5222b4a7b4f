/*
 * EPC URIs <-> st_epc <-> AI data; see epc.h. What differs between schemes
 * (digit totals, which component is text, which AIs carry the key and the
 * serial) is one row of epc_schemes[]; the code below walks that row.
 */
#include "gs1/epc.h"

#include <stdio.h>
#include <string.h>
#include <serialtrack/limits.h>

#include "common/error.h"
#include "common/sbuf.h"
#include "gs1/checkdigit.h"
#include "gs1/tds.h"

/* How the reference component is written. */
enum { REF_DIGITS, REF_TEXT, REF_CPI };
/* How the serial component is written. */
enum { SER_NONE, SER_TEXT, SER_DIGITS, SER_INT };
/* How the key AI's value is built from company prefix and reference. */
enum {
    KEY_IND,   /* ref[0] + cp + ref[1..] + check: GTIN, SSCC (indicator/extension digit moves) */
    KEY_PLAIN, /* cp + ref + check: GLN, GDTI, GSRN, GCN, GSIN */
    KEY_GRAI,  /* "0" + cp + ref + check */
    KEY_BARE,  /* cp + ref, no check digit: GIAI, GINC, CPID */
};

/* One EPC scheme. */
typedef struct epc_scheme_def {
    const char *name;     /* URI name */
    uint8_t total;        /* digits of cp + ref (REF_DIGITS), or most characters of cp + ref */
    uint8_t ref;          /* REF_* */
    uint8_t ser;          /* SER_* */
    uint8_t ser_max;      /* longest serial */
    uint8_t itip;         /* 1: piece and total components follow the reference */
    uint8_t key;          /* KEY_* */
    const char *key_ai;   /* AI of the key */
    const char *ser_ai;   /* AI of the serial, or NULL when it ends the key AI's value */
    const char *ref_name; /* the reference component, for messages */
    const char *ser_name; /* the serial component, for messages */
} epc_scheme_def;

static const epc_scheme_def epc_schemes[ST_EPC_SCHEME_COUNT] = {
    [ST_EPC_SGTIN] = {"sgtin", 13, REF_DIGITS, SER_TEXT, 20, 0, KEY_IND, "01", "21",
                      "indicator and item reference", "serial"},
    [ST_EPC_SSCC] = {"sscc", 17, REF_DIGITS, SER_NONE, 0, 0, KEY_IND, "00", NULL,
                     "extension and serial reference", NULL},
    [ST_EPC_SGLN] = {"sgln", 12, REF_DIGITS, SER_TEXT, 20, 0, KEY_PLAIN, "414", "254",
                     "location reference", "extension"},
    [ST_EPC_GRAI] = {"grai", 12, REF_DIGITS, SER_TEXT, 16, 0, KEY_GRAI, "8003", NULL, "asset type",
                     "serial"},
    [ST_EPC_GIAI] = {"giai", 30, REF_TEXT, SER_NONE, 0, 0, KEY_BARE, "8004", NULL,
                     "individual asset reference", NULL},
    [ST_EPC_GDTI] = {"gdti", 12, REF_DIGITS, SER_TEXT, 17, 0, KEY_PLAIN, "253", NULL,
                     "document type", "serial"},
    [ST_EPC_PGLN] = {"pgln", 12, REF_DIGITS, SER_NONE, 0, 0, KEY_PLAIN, "417", NULL,
                     "party reference", NULL},
    [ST_EPC_GSRN] = {"gsrn", 17, REF_DIGITS, SER_NONE, 0, 0, KEY_PLAIN, "8018", NULL,
                     "service reference", NULL},
    [ST_EPC_GSRNP] = {"gsrnp", 17, REF_DIGITS, SER_NONE, 0, 0, KEY_PLAIN, "8017", NULL,
                      "service reference", NULL},
    [ST_EPC_SGCN] = {"sgcn", 12, REF_DIGITS, SER_DIGITS, 12, 0, KEY_PLAIN, "255", NULL,
                     "coupon reference", "serial"},
    [ST_EPC_CPI] = {"cpi", 30, REF_CPI, SER_INT, 12, 0, KEY_BARE, "8010", "8011", "part reference",
                    "serial"},
    [ST_EPC_ITIP] = {"itip", 13, REF_DIGITS, SER_TEXT, 20, 1, KEY_IND, "8006", "21",
                     "indicator and item reference", "serial"},
    [ST_EPC_UPUI] = {"upui", 13, REF_DIGITS, SER_TEXT, 28, 0, KEY_IND, "01", "235",
                     "indicator and item reference", "third party controlled extension"},
    [ST_EPC_GINC] = {"ginc", 30, REF_TEXT, SER_NONE, 0, 0, KEY_BARE, "401", NULL,
                     "consignment reference", NULL},
    [ST_EPC_GSIN] = {"gsin", 16, REF_DIGITS, SER_NONE, 0, 0, KEY_PLAIN, "402", NULL,
                     "shipper reference", NULL},
    [ST_EPC_LGTIN] = {"lgtin", 13, REF_DIGITS, SER_TEXT, 20, 0, KEY_IND, "01", "10",
                      "indicator and item reference", "lot"},
};

/* URI prefixes after "urn:epc:", by kind. */
static const char *const epc_kind_prefix[] = {
    [ST_EPC_KIND_ID] = "id:",
    [ST_EPC_KIND_CLASS] = "class:",
    [ST_EPC_KIND_IDPAT] = "idpat:",
    [ST_EPC_KIND_TAG] = "tag:",
};

/* The characters written literally in escaped components (TDS §4.3), those
 * written as %XX, and the CPI part reference's alphabet. */
static const char epc_literal[] = "!'()*+,-.:;=_";
static const char epc_escaped[] = "\"%&/<>?";
static const char epc_cpi_escaped[] = "#/";

/* Component indexes. */
enum { C_CP, C_REF, C_PIECE, C_TOTAL, C_SER };
static const uint8_t epc_wild_bit[] = {ST_EPC_WILD_CP, ST_EPC_WILD_REF, ST_EPC_WILD_PIECE,
                                       ST_EPC_WILD_TOTAL, ST_EPC_WILD_SER};

/* Character classes of the URI components. */
static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(int c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* 1 when c (not NUL) occurs in set. */
static int in_set(const char *set, int c)
{
    return c && strchr(set, c) != NULL;
}

/* Literal in a CSET 82 component / in a CPI part reference. */
static int x_literal(int c)
{
    return is_alnum(c) || in_set(epc_literal, c);
}

static int cpi_literal(int c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z') || c == '-';
}

/* The value of hex digit c, or -1. */
static int hexv(int c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* A decoded CSET 82 character (literal or one of the escaped seven). */
static int x_char(int c)
{
    return x_literal(c) || in_set(epc_escaped, c);
}

/* A decoded CPI part-reference character (CSET 39). */
static int cpi_char(int c)
{
    return cpi_literal(c) || in_set(epc_cpi_escaped, c);
}

/* The URI name of scheme; static, never NULL. */
const char *st_epc_scheme_name(int scheme)
{
    if (scheme <= 0 || scheme >= ST_EPC_SCHEME_COUNT)
        return "?";
    return epc_schemes[scheme].name;
}

/* The company prefix length of e (not NULL), 0 for a wildcard. */
int st_epc_gcp_len(const st_epc *e)
{
    return e->wild & ST_EPC_WILD_CP ? 0 : e->cp_len;
}

/* Reset e to "nothing": all zero, no filter. */
static void epc_clear(st_epc *e)
{
    memset(e, 0, sizeof *e);
    e->filter = -1;
}

/* ---- parsing ------------------------------------------------------------- */

/* Describe byte c for a message: "'x'" or "byte 0x1F". */
static const char *char_desc(int c, char buf[16])
{
    unsigned char u = (unsigned char)c;
    if (u > 0x20 && u < 0x7F)
        snprintf(buf, 16, "'%c'", u);
    else
        snprintf(buf, 16, "byte 0x%02X", u);
    return buf;
}

/*
 * Decode the component s[0..n), which starts at input offset pos, into
 * dst[0..max] (NUL-terminated; *len its length): %XX escapes undone, the
 * alphabet checked (CSET 82, or CSET 39 for a CPI part reference when cpi).
 */
static st_rc unescape(const char *s, size_t n, long pos, int cpi, const char *what, char *dst,
                      size_t max, uint8_t *len, st_error *err)
{
    char cb[16];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        long at = pos + (long)i;
        if (c == '%') {
            int hi = i + 2 < n ? hexv(s[i + 1]) : -1, lo = i + 2 < n ? hexv(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return st_fail(err, ST_ERR_SYNTAX, at, NULL,
                               "%s: '%%' at offset %ld does not start an escape like %%2F", what,
                               at);
            c = hi * 16 + lo;
            if (!in_set(cpi ? epc_cpi_escaped : epc_escaped, c))
                return st_fail(err, ST_ERR_CHARSET, at, NULL,
                               cpi ? "%s: escape %%%.2s at offset %ld is not allowed; only %%23 "
                                     "and %%2F are"
                                   : "%s: escape %%%.2s at offset %ld is not allowed; only %%22 "
                                     "%%25 %%26 %%2F %%3C %%3E %%3F are",
                               what, s + i + 1, at);
            i += 2;
        } else if (!(cpi ? cpi_literal(c) : x_literal(c))) {
            if (c == '#' || c == ' ')
                return st_fail(err, ST_ERR_CHARSET, at, NULL,
                               "%s: %s at offset %ld is never valid in an EPC URI", what,
                               char_desc(c, cb), at);
            if (in_set(cpi ? epc_cpi_escaped : epc_escaped, c))
                return st_fail(err, ST_ERR_CHARSET, at, NULL,
                               "%s: %s at offset %ld must be escaped as %%%02X", what,
                               char_desc(c, cb), at, (unsigned)c);
            return st_fail(err, ST_ERR_CHARSET, at, NULL, "%s: %s at offset %ld is not allowed",
                           what, char_desc(c, cb), at);
        }
        if (k >= max)
            return st_fail(err, ST_ERR_LENGTH, pos, NULL,
                           "%s is longer than %zu characters (offset %ld)", what, max, at);
        dst[k++] = (char)c;
    }
    dst[k] = '\0';
    *len = (uint8_t)k;
    return ST_OK;
}

/* Copy the digit component s[0..n) (at offset pos) into dst[0..max]. */
static st_rc copy_digits(const char *s, size_t n, long pos, const char *what, char *dst, size_t max,
                         uint8_t *len, st_error *err)
{
    char cb[16];
    for (size_t i = 0; i < n; i++)
        if (!is_digit((unsigned char)s[i]))
            return st_fail(err, ST_ERR_CHARSET, pos + (long)i, NULL,
                           "%s: %s at offset %ld is not a digit", what, char_desc(s[i], cb),
                           pos + (long)i);
    if (n > max)
        return st_fail(err, ST_ERR_LENGTH, pos, NULL, "%s has %zu digits; at most %zu fit", what, n,
                       max);
    memcpy(dst, s, n);
    dst[n] = '\0';
    if (len)
        *len = (uint8_t)n;
    return ST_OK;
}

/* Parse and check component c (text s[0..n) at offset pos) of scheme def into e. */
static st_rc parse_comp(const epc_scheme_def *def, int c, const char *s, size_t n, long pos,
                        st_epc *e, st_error *err)
{
    st_rc rc;
    switch (c) {
    case C_CP:
        rc = copy_digits(s, n, pos, "company prefix", e->cp, ST_EPC_CP_MAX, &e->cp_len, err);
        if (rc)
            return rc;
        if (n < 6)
            return st_fail(err, ST_ERR_LENGTH, pos, NULL,
                           "company prefix has %zu digits; it must have 6 to 12", n);
        return ST_OK;
    case C_REF:
        if (def->ref == REF_DIGITS) {
            rc = copy_digits(s, n, pos, def->ref_name, e->ref, ST_EPC_REF_MAX, &e->ref_len, err);
            if (rc)
                return rc;
            if (e->cp_len + n != def->total)
                return st_fail(err, ST_ERR_LENGTH, pos, NULL,
                               "%s: company prefix and %s must have %u digits together; found "
                               "%u + %zu",
                               def->name, def->ref_name, (unsigned)def->total, (unsigned)e->cp_len,
                               n);
            return ST_OK;
        }
        rc = unescape(s, n, pos, def->ref == REF_CPI, def->ref_name, e->ref,
                      (size_t)(def->total - e->cp_len), &e->ref_len, err);
        if (rc)
            return rc;
        if (!e->ref_len)
            return st_fail(err, ST_ERR_LENGTH, pos, NULL, "%s: %s is empty", def->name,
                           def->ref_name);
        return ST_OK;
    case C_PIECE:
    case C_TOTAL: {
        const char *what = c == C_PIECE ? "piece number" : "total count";
        char *dst = c == C_PIECE ? e->piece : e->total;
        rc = copy_digits(s, n, pos, what, dst, 2, NULL, err);
        if (rc)
            return rc;
        if (n != 2)
            return st_fail(err, ST_ERR_LENGTH, pos, NULL, "%s must be 2 digits; found %zu", what,
                           n);
        if (c == C_TOTAL &&
            (!strcmp(e->total, "00") || !strcmp(e->piece, "00") || strcmp(e->piece, e->total) > 0))
            return st_fail(err, ST_ERR_RANGE, pos, NULL,
                           "piece %s of total %s: both must be 01 or more and piece <= total",
                           e->piece, e->total);
        return ST_OK;
    }
    default:
        break;
    }
    /* the serial */
    if (def->ser == SER_TEXT) {
        rc = unescape(s, n, pos, 0, def->ser_name, e->ser, def->ser_max, &e->ser_len, err);
    } else {
        rc = copy_digits(s, n, pos, def->ser_name, e->ser, def->ser_max, &e->ser_len, err);
        if (!rc && def->ser == SER_INT && n > 1 && s[0] == '0')
            return st_fail(err, ST_ERR_SYNTAX, pos, NULL, "%s \"%.*s\" has a leading zero",
                           def->ser_name, (int)n, s);
    }
    if (rc)
        return rc;
    if (!e->ser_len)
        return st_fail(err, ST_ERR_LENGTH, pos, NULL, "%s: %s is empty (1 to %u characters)",
                       def->name, def->ser_name, (unsigned)def->ser_max);
    return ST_OK;
}

/* The scheme named s[0..n) exactly, or 0. */
static int find_scheme(const char *s, size_t n)
{
    for (int i = 1; i < ST_EPC_SCHEME_COUNT; i++)
        if (strlen(epc_schemes[i].name) == n && !memcmp(epc_schemes[i].name, s, n))
            return i;
    return 0;
}

/* Case-insensitive: does s[0..n) start with the lower-case ASCII prefix p? */
static int starts_ci(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != p[i])
            return 0;
    }
    return 1;
}

/*
 * Read "urn:epc:<kind>:<scheme>:" (and a tag's "<filter>.") from s[0..n)
 * into out; *p gets the offset of the first component, *tag the binary
 * scheme of a tag URI (else NULL).
 */
static st_rc parse_head(const char *s, size_t n, st_epc *out, size_t *p_out,
                        const st_tds_scheme **tag, st_error *err)
{
    if (!starts_ci(s, n, "urn:epc:"))
        return st_fail(err, ST_ERR_SYNTAX, 0, NULL, "an EPC URI starts with \"urn:epc:\"");
    size_t p = 8;
    int kind = 0;
    for (int k = ST_EPC_KIND_ID; k <= ST_EPC_KIND_TAG; k++) {
        size_t len = strlen(epc_kind_prefix[k]);
        if (n - p >= len && !memcmp(s + p, epc_kind_prefix[k], len)) {
            kind = k;
            p += len;
            break;
        }
    }
    if (!kind) {
        if (n - p >= 4 && (!memcmp(s + p, "pat:", 4) || !memcmp(s + p, "raw:", 4)))
            return st_fail(err, ST_ERR_UNSUPPORTED, (long)p, NULL,
                           "urn:epc:%.3s: URIs (tag patterns, raw tags) are not supported", s + p);
        return st_fail(err, ST_ERR_SYNTAX, (long)p, NULL,
                       "expected id:, class:, idpat: or tag: after \"urn:epc:\"");
    }
    out->kind = (uint8_t)kind;

    const char *colon = memchr(s + p, ':', n - p);
    if (!colon)
        return st_fail(err, ST_ERR_SYNTAX, (long)n, NULL, "expected ':' after the scheme name");
    size_t name_len = (size_t)(colon - (s + p));
    int shown = (int)(name_len > 32 ? 32 : name_len), scheme;
    *tag = NULL;
    if (kind == ST_EPC_KIND_TAG) {
        const st_tds_scheme *t = st_tds_scheme_find(s + p, name_len);
        for (size_t i = 0; t && i < name_len; i++)
            if (s[p + i] >= 'A' && s[p + i] <= 'Z')
                t = NULL; /* URI scheme names are lower case */
        if (!t)
            return st_fail(err, ST_ERR_UNSUPPORTED, (long)p, NULL,
                           "tag scheme \"%.*s\" is not supported; supported: " ST_TDS_SUPPORTED,
                           shown, s + p);
        scheme = t->epc;
        *tag = t;
    } else {
        scheme = find_scheme(s + p, name_len);
        if (!scheme)
            return st_fail(err, ST_ERR_SYNTAX, (long)p, NULL, "unknown EPC scheme \"%.*s\"", shown,
                           s + p);
        if (kind == ST_EPC_KIND_CLASS && scheme != ST_EPC_LGTIN)
            return st_fail(err, ST_ERR_UNSUPPORTED, (long)p, NULL,
                           "urn:epc:class: is defined for lgtin only, not %s",
                           epc_schemes[scheme].name);
        if (kind != ST_EPC_KIND_CLASS && scheme == ST_EPC_LGTIN)
            return st_fail(err, ST_ERR_SYNTAX, (long)p, NULL,
                           "lgtin is a class: write urn:epc:class:lgtin:");
    }
    out->scheme = (uint8_t)scheme;
    p += name_len + 1;

    if (*tag) {
        if (n - p < 2 || s[p] < '0' || s[p] > '7' || s[p + 1] != '.')
            return st_fail(err, ST_ERR_SYNTAX, (long)p, NULL,
                           "expected the filter value (0 to 7) and '.' after \"%s:\"",
                           (*tag)->name);
        out->filter = (int8_t)(s[p] - '0');
        out->tag_bits = (*tag)->bits;
        p += 2;
    }
    *p_out = p;
    return ST_OK;
}

/*
 * Read the components of out's scheme from s[p..n) into out: '.' between
 * them, the last running to the end; '*' wildcards in patterns. *last gets
 * the offset of the last component.
 */
static st_rc parse_body(const char *s, size_t n, size_t p, st_epc *out, size_t *last, st_error *err)
{
    static const char *const comp_names[] = {"company prefix", "reference", "piece number",
                                             "total count", "serial"};
    const epc_scheme_def *def = &epc_schemes[out->scheme];
    uint8_t comps[5], nc = 0;
    comps[nc++] = C_CP;
    comps[nc++] = C_REF;
    if (def->itip) {
        comps[nc++] = C_PIECE;
        comps[nc++] = C_TOTAL;
    }
    if (def->ser != SER_NONE)
        comps[nc++] = C_SER;
    for (unsigned k = 0; k < nc; k++) {
        size_t end = n;
        if (k + 1 < nc) {
            const char *dot = memchr(s + p, '.', n - p);
            if (!dot)
                return st_fail(err, ST_ERR_SYNTAX, (long)n, NULL,
                               "%s: expected '.' after the %s; %s has %u components", def->name,
                               comp_names[comps[k]], def->name, (unsigned)nc);
            end = (size_t)(dot - s);
        }
        *last = p;
        if (out->kind == ST_EPC_KIND_IDPAT && end - p == 1 && s[p] == '*') {
            out->wild |= epc_wild_bit[comps[k]];
        } else if (out->wild) {
            return st_fail(err, ST_ERR_SYNTAX, (long)p, NULL,
                           "%s: after a '*' every component must be '*'", def->name);
        } else {
            st_rc rc = parse_comp(def, comps[k], s + p, end - p, (long)p, out, err);
            if (rc)
                return rc;
        }
        p = end + 1;
    }
    return ST_OK;
}

/* Parse s[0..n) (only read, never beyond n) into the caller's *out; see epc.h. */
st_rc st_epc_parse_uri(const char *s, size_t n, st_epc *out, st_error *err)
{
    epc_clear(out);
    if (!s)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no input");
    if (n > ST_ID_MAX_INPUT)
        return st_fail(err, ST_ERR_LIMIT, ST_ID_MAX_INPUT, NULL,
                       "input holds %zu bytes; the limit is %d", n, ST_ID_MAX_INPUT);
    size_t p = 0, last = 0;
    const st_tds_scheme *tag = NULL;
    st_rc rc = parse_head(s, n, out, &p, &tag, err);
    if (!rc)
        rc = parse_body(s, n, p, out, &last, err);
    if (!rc && tag) {
        rc = st_tds_check(out, tag, err); /* e.g. integer serials of the 96-bit schemes */
        if (rc && err)
            err->position = (long)last; /* the integer field is always the last component */
    }
    return rc;
}

/* ---- formatting ---------------------------------------------------------- */

/* Append the decoded text v[0..n), escaped (CPI alphabet when cpi). */
static void put_escaped(st_sbuf *b, const char *v, size_t n, int cpi)
{
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)v[i];
        if (in_set(cpi ? epc_cpi_escaped : epc_escaped, c))
            st_sbuf_printf(b, "%%%02X", (unsigned)c);
        else
            st_sbuf_putc(b, (char)c);
    }
}

/* Write e (only read) as a URI of kind into the caller's out[0..cap); see epc.h. */
st_rc st_epc_format_uri(const st_epc *e, int kind, char *out, size_t cap)
{
    if (out && cap)
        out[0] = '\0';
    if (!e || !out || e->scheme == 0 || e->scheme >= ST_EPC_SCHEME_COUNT)
        return ST_ERR_ARG;
    const epc_scheme_def *def = &epc_schemes[e->scheme];
    int lgtin = e->scheme == ST_EPC_LGTIN;
    switch (kind) {
    case ST_EPC_KIND_ID:
        if (lgtin || e->wild)
            return ST_ERR_UNSUPPORTED;
        break;
    case ST_EPC_KIND_CLASS:
        if (!lgtin || e->wild)
            return ST_ERR_UNSUPPORTED;
        break;
    case ST_EPC_KIND_IDPAT:
        if (lgtin)
            return ST_ERR_UNSUPPORTED;
        break;
    case ST_EPC_KIND_TAG:
        if (!e->tag_bits || e->wild)
            return ST_ERR_UNSUPPORTED;
        break;
    default:
        return ST_ERR_ARG;
    }
    st_sbuf b;
    st_sbuf_init(&b, out, cap);
    st_sbuf_puts(&b, "urn:epc:");
    st_sbuf_puts(&b, epc_kind_prefix[kind]);
    st_sbuf_puts(&b, def->name);
    if (kind == ST_EPC_KIND_TAG)
        st_sbuf_printf(&b, "-%u:%d.", (unsigned)e->tag_bits,
                       e->filter >= 0 && e->filter <= 7 ? e->filter : 0);
    else
        st_sbuf_putc(&b, ':');

    uint8_t w = kind == ST_EPC_KIND_IDPAT ? e->wild : 0;
    if (w & ST_EPC_WILD_CP)
        st_sbuf_putc(&b, '*');
    else
        st_sbuf_putn(&b, e->cp, e->cp_len);
    st_sbuf_putc(&b, '.');
    if (w & ST_EPC_WILD_REF)
        st_sbuf_putc(&b, '*');
    else if (def->ref == REF_DIGITS)
        st_sbuf_putn(&b, e->ref, e->ref_len);
    else
        put_escaped(&b, e->ref, e->ref_len, def->ref == REF_CPI);
    if (def->itip) {
        st_sbuf_putc(&b, '.');
        st_sbuf_puts(&b, w & ST_EPC_WILD_PIECE ? "*" : e->piece);
        st_sbuf_putc(&b, '.');
        st_sbuf_puts(&b, w & ST_EPC_WILD_TOTAL ? "*" : e->total);
    }
    if (def->ser != SER_NONE) {
        st_sbuf_putc(&b, '.');
        if (w & ST_EPC_WILD_SER)
            st_sbuf_putc(&b, '*');
        else
            put_escaped(&b, e->ser, e->ser_len, 0);
    }
    return st_sbuf_rc(&b);
}

/* ---- AI data ------------------------------------------------------------- */

/* Append e's AI elements to d (values copied into d; e only read); see epc.h. */
st_rc st_epc_to_ai(const st_epc *e, st_aidata *d, st_error *err)
{
    if (!e || !d || e->scheme == 0 || e->scheme >= ST_EPC_SCHEME_COUNT)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no EPC, or an EPC without a scheme");
    if (e->wild)
        return st_fail(err, ST_ERR_UNSUPPORTED, -1, NULL,
                       "a pattern (urn:epc:idpat: with '*') stands for many objects and has no "
                       "AI data");
    const epc_scheme_def *def = &epc_schemes[e->scheme];
    if (e->cp_len > ST_EPC_CP_MAX || e->ref_len > ST_EPC_REF_MAX || e->ser_len > ST_EPC_SER_MAX ||
        (def->key == KEY_IND && e->ref_len == 0))
        return st_fail(err, ST_ERR_ARG, -1, NULL, "malformed %s EPC", def->name);

    char v[ST_EPC_CP_MAX + ST_EPC_REF_MAX + ST_EPC_SER_MAX + 8];
    size_t k = 0, data_from = 0;
    if (def->key == KEY_IND) {
        v[k++] = e->ref[0];
        memcpy(v + k, e->cp, e->cp_len);
        k += e->cp_len;
        memcpy(v + k, e->ref + 1, e->ref_len - 1u);
        k += e->ref_len - 1u;
    } else {
        if (def->key == KEY_GRAI) {
            v[k++] = '0';
            data_from = 1;
        }
        memcpy(v + k, e->cp, e->cp_len);
        k += e->cp_len;
        memcpy(v + k, e->ref, e->ref_len);
        k += e->ref_len;
    }
    if (def->key != KEY_BARE) {
        char cd = st_cd_mod10(v + data_from, k - data_from);
        if (!cd)
            return st_fail(err, ST_ERR_CHARSET, -1, def->key_ai, "%s: key holds a non-digit",
                           def->name);
        v[k++] = cd;
    }
    if (def->itip) {
        memcpy(v + k, e->piece, 2);
        memcpy(v + k + 2, e->total, 2);
        k += 4;
    }
    if (def->ser != SER_NONE && !def->ser_ai) {
        memcpy(v + k, e->ser, e->ser_len);
        k += e->ser_len;
    }
    st_rc rc = st_ai_add(d, def->key_ai, strlen(def->key_ai), v, k, 0, err);
    if (rc || !def->ser_ai)
        return rc;
    if (e->scheme == ST_EPC_SGLN && e->ser_len == 1 && e->ser[0] == '0')
        return ST_OK; /* extension "0" means: no (254) */
    return st_ai_add(d, def->ser_ai, strlen(def->ser_ai), e->ser, e->ser_len, 0, err);
}

/* The index of the first element of d with AI ai, or -1. */
static long find_ai(const st_aidata *d, const char *ai)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->e[i].def->ai, ai))
            return (long)i;
    return -1;
}

/* The EPC scheme of key AI ai, looking at d for its qualifiers; 0 when ai is
 * no EPC key, with *why set when it is one that lacks what its EPC needs. */
static int scheme_for_key(const st_aidata *d, const char *ai, const char **why)
{
    *why = NULL;
    if (!strcmp(ai, "01")) {
        if (find_ai(d, "21") >= 0)
            return ST_EPC_SGTIN;
        if (find_ai(d, "235") >= 0)
            return ST_EPC_UPUI;
        if (find_ai(d, "10") >= 0)
            return ST_EPC_LGTIN;
        *why = "a GTIN (01) without a serial (21), lot (10) or TPX (235) is a product class, "
               "not an EPC";
        return 0;
    }
    if (!strcmp(ai, "8006") && find_ai(d, "21") < 0) {
        *why = "an ITIP (8006) without a serial (21) has no EPC";
        return 0;
    }
    if (!strcmp(ai, "8010") && find_ai(d, "8011") < 0) {
        *why = "a CPID (8010) without a serial (8011) has no EPC";
        return 0;
    }
    for (int s = 1; s < ST_EPC_SCHEME_COUNT; s++)
        if (s != ST_EPC_UPUI && s != ST_EPC_LGTIN && !strcmp(epc_schemes[s].key_ai, ai))
            return s;
    return 0;
}

/* Check that the text v[0..n) is in the component's alphabet (CSET 82, or
 * CSET 39 when cpi). */
static st_rc check_text(const char *v, size_t n, int cpi, long pos, const char *ai,
                        const char *what, st_error *err)
{
    char cb[16];
    for (size_t i = 0; i < n; i++)
        if (!(cpi ? cpi_char((unsigned char)v[i]) : x_char((unsigned char)v[i])))
            return st_fail(err, ST_ERR_CHARSET, pos + (long)i, ai, "%s: %s is not allowed", what,
                           char_desc(v[i], cb));
    return ST_OK;
}

/* The EPC of the AI data d (only read) into the caller's *out; see epc.h. */
st_rc st_epc_from_ai(const st_aidata *d, int gcp_len, st_epc *out, st_error *err)
{
    if (out)
        epc_clear(out);
    if (!d || !out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no AI data or no output");
    if (gcp_len < 0 || gcp_len > 12)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "company prefix length %d is not 0 to 12",
                       gcp_len);

    int scheme = 0;
    size_t ki;
    const char *why = NULL;
    for (ki = 0; ki < d->n; ki++) {
        scheme = scheme_for_key(d, d->e[ki].def->ai, &why);
        if (scheme || why)
            break;
    }
    if (!scheme)
        return st_fail(err, ST_ERR_UNSUPPORTED, -1, NULL, "%s",
                       why ? why
                           : "no AI here identifies an EPC (00, 01, 253, 255, 401, 402, 414, "
                             "417, 8003, 8004, 8006, 8010, 8017, 8018)");
    const epc_scheme_def *def = &epc_schemes[scheme];
    const char *ai = def->key_ai;
    long pos = d->e[ki].pos;
    if (gcp_len == 0)
        return st_fail(err, ST_ERR_GCP_UNKNOWN, pos, ai,
                       "GS1 Company Prefix length unknown: it is needed to write (%s) as an EPC",
                       ai);
    if (gcp_len < 6)
        return st_fail(err, ST_ERR_UNSUPPORTED, pos, ai,
                       "EPCs need a company prefix of 6 to 12 digits; this one has %d", gcp_len);

    const char *v = st_ai_value(d, ki);
    size_t vn = d->e[ki].len, L = (size_t)gcp_len;
    out->scheme = (uint8_t)scheme;
    out->kind = scheme == ST_EPC_LGTIN ? ST_EPC_KIND_CLASS : ST_EPC_KIND_ID;

    /* the key: company prefix, reference, check digit, then what follows it */
    const char *rest = NULL;
    size_t rest_n = 0;
    if (def->ref == REF_DIGITS) {
        /* the company prefix starts after the indicator/extension digit or GRAI's "0" */
        size_t lead = def->key == KEY_IND || def->key == KEY_GRAI;
        size_t keyn = (def->key == KEY_GRAI) + def->total + 1u, extra = def->itip ? 4 : 0;
        int serial_follows = def->ser != SER_NONE && !def->ser_ai; /* GRAI, GDTI, GCN */
        if (serial_follows ? vn < keyn + extra : vn != keyn + extra)
            return st_fail(err, ST_ERR_LENGTH, pos, ai, "(%s) must hold %zu digits; found %zu", ai,
                           keyn + extra, vn);
        for (size_t i = 0; i < keyn + extra; i++)
            if (!is_digit((unsigned char)v[i]))
                return st_fail(err, ST_ERR_CHARSET, pos + (long)i, ai,
                               "(%s): character %zu is not a digit", ai, i + 1);
        if (def->key == KEY_GRAI && v[0] != '0')
            return st_fail(err, ST_ERR_SYNTAX, pos, ai, "(8003) must start with 0");
        size_t from = def->key == KEY_GRAI ? 1 : 0;
        char want;
        if (st_cd_verify(v + from, keyn - from, &want) != ST_OK)
            return st_fail(err, ST_ERR_CHECK_DIGIT, pos + (long)keyn - 1, ai,
                           "(%s): check digit is %c, expected %c", ai, v[keyn - 1], want);
        memcpy(out->cp, v + lead, L);
        out->cp_len = (uint8_t)L;
        size_t k = 0;
        if (def->key == KEY_IND)
            out->ref[k++] = v[0];
        memcpy(out->ref + k, v + lead + L, def->total - L - (def->key == KEY_IND));
        k += def->total - L - (def->key == KEY_IND);
        out->ref[k] = '\0';
        out->ref_len = (uint8_t)k;
        if (def->itip) {
            memcpy(out->piece, v + keyn, 2);
            memcpy(out->total, v + keyn + 2, 2);
        }
        rest = v + keyn + extra;
        rest_n = vn - keyn - extra;
    } else {
        if (vn <= L)
            return st_fail(err, ST_ERR_LENGTH, pos, ai,
                           "(%s) holds %zu characters; a %zu-digit company prefix and a "
                           "reference need more",
                           ai, vn, L);
        if (vn > def->total)
            return st_fail(err, ST_ERR_LENGTH, pos, ai, "(%s) holds %zu characters; at most %u", ai,
                           vn, (unsigned)def->total);
        for (size_t i = 0; i < L; i++)
            if (!is_digit((unsigned char)v[i]))
                return st_fail(err, ST_ERR_CHARSET, pos + (long)i, ai,
                               "(%s): company prefix character %zu is not a digit", ai, i + 1);
        st_rc rc =
            check_text(v + L, vn - L, def->ref == REF_CPI, pos + (long)L, ai, def->ref_name, err);
        if (rc)
            return rc;
        memcpy(out->cp, v, L);
        out->cp_len = (uint8_t)L;
        memcpy(out->ref, v + L, vn - L);
        out->ref[vn - L] = '\0';
        out->ref_len = (uint8_t)(vn - L);
    }

    if (def->ser == SER_NONE)
        return ST_OK;
    long spos = pos;
    if (def->ser_ai) {
        long si = find_ai(d, def->ser_ai);
        if (si < 0) {
            rest = scheme == ST_EPC_SGLN ? "0" : "";
            rest_n = strlen(rest);
        } else {
            rest = st_ai_value(d, (size_t)si);
            rest_n = d->e[si].len;
            spos = d->e[si].pos;
        }
    } else if (rest_n == 0) {
        return st_fail(err, ST_ERR_UNSUPPORTED, pos, ai,
                       "(%s) without a serial is a %s class, not an EPC", ai, def->ref_name);
    }
    if (rest_n == 0 || rest_n > def->ser_max)
        return st_fail(err, ST_ERR_LENGTH, spos, ai, "%s must be 1 to %u characters; found %zu",
                       def->ser_name, (unsigned)def->ser_max, rest_n);
    if (def->ser == SER_TEXT) {
        st_rc rc = check_text(rest, rest_n, 0, spos, ai, def->ser_name, err);
        if (rc)
            return rc;
    } else {
        for (size_t i = 0; i < rest_n; i++)
            if (!is_digit((unsigned char)rest[i]))
                return st_fail(err, ST_ERR_CHARSET, spos + (long)i, ai, "%s must be digits",
                               def->ser_name);
        if (def->ser == SER_INT && rest_n > 1 && rest[0] == '0')
            return st_fail(err, ST_ERR_SYNTAX, spos, ai, "%s has a leading zero", def->ser_name);
    }
    memcpy(out->ser, rest, rest_n);
    out->ser[rest_n] = '\0';
    out->ser_len = (uint8_t)rest_n;
    return ST_OK;
}
