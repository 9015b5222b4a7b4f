/*
 * The checks of single EPCIS values (validate_int.h): date-times and
 * time-zone offsets, URIs and event IDs, numbers, units, hex, identifiers
 * (EPC URIs and GS1 Digital Links, checked as st_id_parse checks them), CBV
 * terms, and st_vcheck_node, which applies them to a node and words the
 * diagnostic as `<field> "<value>" <what is wrong; what was expected>`.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <serialtrack/id.h>
#include <serialtrack/limits.h>

#include "epcis/cbv.h"
#include "epcis/validate_int.h"
#include "gs1/ai.h"
#include "gs1/dl.h"
#include "gs1/epc.h"
#include "gs1/key.h"

#define SIG_DIGITS 40 /* significant digits kept when testing a number for finiteness */

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static int is_hex(char ch)
{
    return is_digit(ch) || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f');
}

static int is_alpha(char ch)
{
    return (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z';
}

static int starts(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && !memcmp(s, prefix, k);
}

static st_rc why_rc(char *why, size_t cap, st_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static st_rc why_rc(char *why, size_t cap, st_rc rc, const char *fmt, ...)
{
    if (why && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* ---- date-times and offsets -------------------------------------------------- */

/* k digits at s[*i] as a number, or -1. */
static int num(const char *s, size_t n, size_t *i, int k)
{
    int v = 0;
    for (int j = 0; j < k; j++, (*i)++) {
        if (*i >= n || !is_digit(s[*i]))
            return -1;
        v = v * 10 + (s[*i] - '0');
    }
    return v;
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static const char *const month_names[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};

#define DATETIME_SHAPE "YYYY-MM-DDThh:mm:ss[.sss] followed by Z or +hh:mm/-hh:mm"

/* The offset s[*i..n) ("+hh:mm" to the end). */
static st_rc offset_at(const char *s, size_t n, size_t i, const char *what, char *why, size_t cap)
{
    if (i >= n || (s[i] != '+' && s[i] != '-'))
        return why_rc(why, cap, ST_ERR_SYNTAX, "is not %s; expected +hh:mm or -hh:mm", what);
    i++;
    int hh = num(s, n, &i, 2);
    int ok = hh >= 0 && i < n && s[i] == ':';
    i++;
    int mm = ok ? num(s, n, &i, 2) : -1;
    if (mm < 0 || i != n)
        return why_rc(why, cap, ST_ERR_SYNTAX, "is not %s; expected +hh:mm or -hh:mm", what);
    if (hh > 14 || mm > 59 || (hh == 14 && mm != 0))
        return why_rc(why, cap, ST_ERR_RANGE,
                      "is out of range; an offset is at most 14:00 either side of UTC, with "
                      "minutes 00-59");
    return ST_OK;
}

st_rc st_val_offset(const char *s, size_t n, char *why, size_t cap)
{
    return offset_at(s, n, 0, "a time-zone offset", why, cap);
}

st_rc st_val_datetime(const char *s, size_t n, char *why, size_t cap)
{
    size_t i = 0;
    int y = num(s, n, &i, 4);
    int mo = i < n && s[i] == '-' ? (i++, num(s, n, &i, 2)) : -1;
    int d = mo >= 0 && i < n && s[i] == '-' ? (i++, num(s, n, &i, 2)) : -1;
    int h = d >= 0 && i < n && s[i] == 'T' ? (i++, num(s, n, &i, 2)) : -1;
    int mi = h >= 0 && i < n && s[i] == ':' ? (i++, num(s, n, &i, 2)) : -1;
    int sec = mi >= 0 && i < n && s[i] == ':' ? (i++, num(s, n, &i, 2)) : -1;
    if (y < 0 || sec < 0)
        return why_rc(why, cap, ST_ERR_SYNTAX, "is not a date-time; expected " DATETIME_SHAPE);
    if (i < n && s[i] == '.') {
        size_t start = ++i;
        while (i < n && is_digit(s[i]))
            i++;
        if (i == start)
            return why_rc(why, cap, ST_ERR_SYNTAX,
                          "has no digits after its decimal point; expected " DATETIME_SHAPE);
    }
    if (mo < 1 || mo > 12)
        return why_rc(why, cap, ST_ERR_DATE, "is not a date: there is no month %02d", mo);
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int dim = days[mo - 1] + (mo == 2 && leap(y));
    if (d < 1)
        return why_rc(why, cap, ST_ERR_DATE, "is not a date: there is no day 00");
    if (d > dim)
        return why_rc(why, cap, ST_ERR_DATE, "is not a date: %s %04d has %d days",
                      month_names[mo - 1], y, dim);
    if (h > 23 || mi > 59 || sec > 59)
        return why_rc(why, cap, ST_ERR_DATE,
                      "is not a time of day; expected hours 00-23, minutes and seconds 00-59");
    if (i == n)
        return why_rc(why, cap, ST_ERR_SYNTAX,
                      "has no time zone; expected Z or +hh:mm/-hh:mm after the time");
    if (s[i] == 'Z' && i + 1 == n)
        return ST_OK;
    st_rc rc = offset_at(s, n, i, "a date-time with a time zone", why, cap);
    if (rc == ST_ERR_SYNTAX)
        return why_rc(why, cap, rc, "is not a date-time; expected " DATETIME_SHAPE);
    return rc;
}

/* ---- URIs --------------------------------------------------------------------------- */

/* Length of the scheme of s[0..n) (letters, digits, + - . after a letter),
 * when a ':' follows it; else 0. */
static size_t scheme_len(const char *s, size_t n)
{
    if (!n || !is_alpha(s[0]))
        return 0;
    size_t i = 1;
    while (i < n && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    return i < n && s[i] == ':' ? i : 0;
}

/* Printable bytes a URI cannot hold unescaped, and '%', which starts an
 * escape: st_val_uri looks closer at these, at space and at controls. */
static const unsigned char uri_marked[256] = {
    ['<'] = 1, ['>'] = 1,  ['"'] = 1, ['{'] = 1, ['}'] = 1,
    ['|'] = 1, ['\\'] = 1, ['^'] = 1, ['`'] = 1, ['%'] = 1,
};

st_rc st_val_uri(const char *s, size_t n, char *why, size_t cap)
{
    size_t k = scheme_len(s, n);
    if (!k)
        return why_rc(why, cap, ST_ERR_SYNTAX,
                      "is not an absolute URI; expected a scheme and ':' first, as in "
                      "urn:example:x or https://example.com/x");
    if (k + 1 == n)
        return why_rc(why, cap, ST_ERR_SYNTAX, "has nothing after its scheme; expected a URI");
    for (size_t i = k + 1; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch > ' ' && ch != 0x7f && !uri_marked[ch])
            continue; /* the common case, decided with one look-up */
        if (ch == ' ')
            return why_rc(why, cap, ST_ERR_SYNTAX,
                          "has a space at offset %zu; a URI holds none (write %%20)", i);
        if (ch < 0x20 || ch == 0x7f || strchr("<>\"{}|\\^`", ch))
            return why_rc(why, cap, ST_ERR_SYNTAX,
                          "has the character 0x%02X at offset %zu, which a URI cannot hold "
                          "unescaped",
                          ch, i);
        if (ch == '%' && (i + 2 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2])))
            return why_rc(why, cap, ST_ERR_SYNTAX,
                          "has a '%%' at offset %zu that does not start an escape like %%2F", i);
    }
    return ST_OK;
}

st_rc st_val_event_id(const char *s, size_t n, char *why, size_t cap)
{
    st_rc rc = st_val_uri(s, n, why, cap);
    if (rc)
        return rc;
    if (starts(s, n, "ni:")) { /* RFC 6920: ni://[authority]/alg;digest[?query] */
        size_t i = 3;
        if (!starts(s + i, n - i, "//"))
            goto bad_ni;
        i += 2;
        while (i < n && s[i] != '/')
            i++;
        size_t alg = ++i;
        while (i < n && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-'))
            i++;
        if (i == alg || i >= n || s[i] != ';')
            goto bad_ni;
        size_t dg = ++i;
        while (i < n && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-' || s[i] == '_'))
            i++;
        if (i == dg || (i < n && s[i] != '?'))
            goto bad_ni;
        return ST_OK;
    bad_ni:
        return why_rc(why, cap, ST_ERR_SYNTAX,
                      "is not a named-information URI; expected ni:///sha-256;<digest>?ver=CBV2.0");
    }
    if (starts(s, n, "urn:uuid:")) {
        const char *u = s + 9;
        int ok = n - 9 == 36;
        for (size_t i = 0; ok && i < 36; i++)
            ok = (i == 8 || i == 13 || i == 18 || i == 23) ? u[i] == '-' : is_hex(u[i]);
        if (!ok)
            return why_rc(why, cap, ST_ERR_SYNTAX,
                          "is not a UUID URN; expected urn:uuid: and 8-4-4-4-12 hex digits");
    }
    return ST_OK;
}

/* ---- numbers, units, hex --------------------------------------------------------- */

/* Whether the number s[0..n) (already known to be a decimal with an
 * optional exponent) is finite as a double. Only its magnitude matters, so
 * it is reduced to 0.<first SIG_DIGITS significant digits>e<exponent> and
 * that is converted: any length is accepted without a copy of it. */
static int finite_number(const char *s, size_t n)
{
    char buf[SIG_DIGITS + 32];
    size_t i = 0, k = 0;
    long e10 = 0; /* the decimal exponent of 0.ddd... */
    int point = 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    for (; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
        if (s[i] == '.') {
            point = 1;
        } else if (!k && s[i] == '0') { /* a leading zero */
            if (point)
                e10--;
        } else {
            if (k < SIG_DIGITS)
                buf[2 + k] = s[i];
            k++;
            if (!point)
                e10++;
        }
    }
    if (!k)
        return 1; /* zero */
    if (i < n) {  /* the exponent, saturated: it only has to say "far too large" */
        int neg = 0;
        long x = 0;
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            neg = s[i++] == '-';
        for (; i < n; i++)
            if (x < 1000000)
                x = x * 10 + (s[i] - '0');
        e10 += neg ? -x : x;
    }
    if (e10 > 400)
        return 0;
    if (e10 < -400)
        return 1;
    size_t m = k < SIG_DIGITS ? k : SIG_DIGITS;
    buf[0] = '0';
    buf[1] = '.';
    snprintf(buf + 2 + m, sizeof buf - 2 - m, "e%ld", e10);
    return isfinite(strtod(buf, NULL));
}

st_rc st_val_number(const char *s, size_t n, int xml_decimal, char *why, size_t cap)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; i < n && is_digit(s[i]); i++)
        digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && is_digit(s[i]); i++)
            digits++;
    int exp_ok = 1;
    if (digits && !xml_decimal && i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e = i;
        while (i < n && is_digit(s[i]))
            i++;
        exp_ok = i > e;
    }
    if (!digits || !exp_ok || i != n) {
        if (xml_decimal)
            return why_rc(why, cap, ST_ERR_SYNTAX,
                          "is not a decimal number; expected digits with an optional sign and "
                          "decimal point, such as 12 or 0.5");
        return why_rc(why, cap, ST_ERR_SYNTAX,
                      "is not a number; expected a decimal such as 12, -0.5 or 1.5E3");
    }
    if (!finite_number(s, n))
        return why_rc(why, cap, ST_ERR_RANGE,
                      "is too large to be a finite number; expected at most about 1.8E308");
    return ST_OK;
}

st_rc st_val_uom(const char *s, size_t n, char *why, size_t cap)
{
    int ok = n >= 2 && n <= 3;
    for (size_t i = 0; ok && i < n; i++)
        ok = is_digit(s[i]) || (s[i] >= 'A' && s[i] <= 'Z');
    if (!ok)
        return why_rc(why, cap, ST_ERR_SYNTAX,
                      "is not a UN/CEFACT Rec 20 unit code; expected 2-3 upper-case letters or "
                      "digits such as KGM, LTR or CEL");
    return ST_OK;
}

st_rc st_val_hex(const char *s, size_t n, char *why, size_t cap)
{
    for (size_t i = 0; i < n; i++)
        if (!is_hex(s[i]))
            return why_rc(why, cap, ST_ERR_SYNTAX,
                          "has '%c' at offset %zu; expected hex digits 0-9, A-F", s[i], i);
    if (n % 2)
        return why_rc(why, cap, ST_ERR_SYNTAX,
                      "has an odd number of hex digits (%zu); hexBinary holds whole bytes", n);
    return ST_OK;
}

/* ---- identifiers ------------------------------------------------------------------ */

/* Primary keys of GS1 Digital Links, numeric and alpha: a path segment of
 * these followed by one starting with four digits marks a Digital Link. */
static const char *const dl_keys[] = {
    "00",   "01",   "253",   "255",  "401",  "402",  "414",  "417",  "8003",  "8004",
    "8006", "8010", "8013",  "8017", "8018", "sscc", "gtin", "gdti", "gcn",   "ginc",
    "gsin", "gln",  "party", "grai", "giai", "itip", "cpid", "gmn",  "gsrnp", "gsrn",
};

/* EPC schemes of the Tag Data Standard outside the GS1 keys, which lib/gs1
 * does not parse: accepted as they are. */
static const char *const other_epc_schemes[] = {"gid", "usdod", "adi", "bic", "imovn"};

/* 1 when s[0..n) is an http(s) URI whose path holds a primary key and a value. */
static int looks_like_dl(const char *s, size_t n)
{
    size_t i;
    if (starts(s, n, "https://"))
        i = 8;
    else if (starts(s, n, "http://"))
        i = 7;
    else
        return 0;
    while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
        i++;
    const char *prev = NULL;
    size_t prev_n = 0;
    while (i < n && s[i] == '/') {
        size_t b = ++i;
        while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
            i++;
        if (prev && i - b >= 4 && is_digit(s[b]) && is_digit(s[b + 1]) && is_digit(s[b + 2]) &&
            is_digit(s[b + 3]))
            for (size_t k = 0; k < sizeof dl_keys / sizeof dl_keys[0]; k++)
                if (prev_n && dl_keys[k][0] == prev[0] && strlen(dl_keys[k]) == prev_n &&
                    !memcmp(prev, dl_keys[k], prev_n))
                    return 1;
        prev = s + b;
        prev_n = i - b;
    }
    return 0;
}

static int other_scheme(const char *s, size_t n)
{
    for (size_t k = 0; n > 11 && k < sizeof other_epc_schemes / sizeof other_epc_schemes[0]; k++) {
        if (s[11] != other_epc_schemes[k][0])
            continue; /* the common case: no strlen */
        size_t l = strlen(other_epc_schemes[k]);
        if (n > 11 + l && !memcmp(s + 11, other_epc_schemes[k], l) && s[11 + l] == ':')
            return 1;
    }
    return 0;
}

/* The rules on an EPC URI that depend on where it is used. */
static st_rc epc_role(const char *s, size_t n, st_vkind kind, char *why, size_t cap)
{
    if (kind == ST_V_CLASS && starts(s, n, "urn:epc:id:"))
        return why_rc(why, cap, ST_ERR_RULE,
                      "identifies one object; epcClass expects a class (urn:epc:class:lgtin:..., "
                      "urn:epc:idpat:... or a Digital Link without serial)");
    if (kind == ST_V_INSTANCE && (starts(s, n, "urn:epc:idpat:") || starts(s, n, "urn:epc:class:")))
        return why_rc(why, cap, ST_ERR_RULE,
                      "is a %s, not one object; list classes and patterns as epcClass in a "
                      "quantity list",
                      starts(s, n, "urn:epc:idpat:") ? "pattern (urn:epc:idpat:)"
                                                     : "class (urn:epc:class:)");
    if (kind != ST_V_CLASS && (starts(s, n, "urn:epc:tag:") || starts(s, n, "urn:epc:raw:")))
        return why_rc(why, cap, ST_ERR_RULE,
                      "is an RFID tag encoding; EPCIS expects the pure-identity URI "
                      "(urn:epc:id:...)");
    return ST_OK;
}

/* The rules on a parsed Digital Link (its AI data d) that depend on where it
 * is used. */
static st_rc dl_role(const st_aidata *d, st_vkind kind, char *why, size_t cap)
{
    int gtin = st_ai_get(d, "01") != NULL, itip = st_ai_get(d, "8006") != NULL;
    int serial = st_ai_get(d, "21") || st_ai_get(d, "235");
    int cpid = st_ai_get(d, "8010") != NULL, cpsn = st_ai_get(d, "8011") != NULL;
    if (kind == ST_V_INSTANCE && (((gtin || itip) && !serial) || (cpid && !cpsn)))
        return why_rc(why, cap, ST_ERR_RULE,
                      "identifies a class of objects (%s without serial), not one object; list "
                      "classes as epcClass in a quantity list",
                      gtin   ? "GTIN"
                      : itip ? "ITIP"
                             : "CPID");
    if (kind == ST_V_CLASS && (((gtin || itip) && serial) || (cpid && cpsn)))
        return why_rc(why, cap, ST_ERR_RULE,
                      "identifies one object (it has a serial); epcClass expects a class such "
                      "as .../01/<GTIN> or .../01/<GTIN>/10/<lot>");
    return ST_OK;
}

/* 1 when d holds a Digital Link primary key. */
static int has_primary_key(const st_aidata *d)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->e[i].def->flags & ST_AI_DL_PKEY)
            return 1;
    return 0;
}

/* st_key_build's error for d, which holds no primary key (on its own frame:
 * the key buffer is as large as st_id's). */
static st_rc key_error(const st_aidata *d, st_error *e)
{
    char key[ST_AI_MAX_DATA * 3 + 512];
    return st_key_build(d, key, sizeof key, e);
}

/*
 * Check identifier s[0..n), an EPC URI (epc) or an http(s) URI, exactly as
 * st_id_parse with dl_legacy_gtin accepts or rejects it (same code, same
 * message in e), leaving its AI data in d; but without the 20 KB st_id, and
 * without deriving the forms a validator does not need. st_id_parse's steps
 * for these two forms, and why the ones left out cannot fail:
 *  - EPC URI: st_epc_parse_uri; a pattern has no AI data; else st_epc_to_ai
 *    and st_ai_validate. Then the EPC URI is formatted again in its own kind:
 *    the parser admits class: for lgtin only, wildcards in idpat: only, and
 *    no component longer than st_epc's buffers, so it fits and succeeds;
 *  - Digital Link: st_dl_parse (it validates the AI data);
 *  - with AI data, st_key_build: it fails only when no element is a primary
 *    key (it adds at most two elements, and their Digital Link is far below
 *    its buffer), so it is called only then, for its error; the element
 *    strings and the Digital Link are sized for the largest AI data, and a
 *    failure of the latter is ignored by st_id_parse anyway.
 * Tag URIs and inputs over ST_ID_MAX_INPUT go through st_id_parse itself;
 * d is then left empty (neither needs it: tags are EPCs, and a long input
 * is refused).
 */
static st_rc check_identifier(const char *s, size_t n, int epc, st_aidata *d, st_error *e)
{
    st_rc rc;
    st_error_clear(e);
    st_ai_init(d);
    if (n > ST_ID_MAX_INPUT || (epc && starts(s, n, "urn:epc:tag:")) ||
        (!epc && !st_dl_is_uri(s, n))) {
        st_id_opts opts = {0};
        opts.dl_legacy_gtin = 1;
        st_id *id = NULL;
        rc = st_id_parse(s, n, &opts, &id, e);
        st_id_destroy(id);
        return rc;
    }
    if (epc) {
        st_epc u;
        if ((rc = st_epc_parse_uri(s, n, &u, e)))
            return rc;
        if (u.kind == ST_EPC_KIND_IDPAT)
            return ST_OK;
        if ((rc = st_epc_to_ai(&u, d, e)) || (rc = st_ai_validate(d, e)))
            return rc;
    } else if ((rc = st_dl_parse(s, n, ST_DL_LEGACY_GTIN, d, e))) {
        return rc;
    }
    return d->n && !has_primary_key(d) ? key_error(d, e) : ST_OK;
}

st_rc st_val_identifier(const char *s, size_t n, st_vkind kind, char *why, size_t cap)
{
    st_rc rc = st_val_uri(s, n, why, cap);
    if (rc)
        return rc;
    int epc = starts(s, n, "urn:epc:");
    if (!epc && !looks_like_dl(s, n))
        return ST_OK; /* a private identifier: any URI will do */
    if (epc && (rc = epc_role(s, n, kind, why, cap)))
        return rc;
    if (epc && starts(s, n, "urn:epc:id:") && other_scheme(s, n))
        return ST_OK;
    st_aidata d;
    st_error e;
    rc = check_identifier(s, n, epc, &d, &e);
    if (rc)
        return why_rc(why, cap, rc, "is not a valid %s: %s", epc ? "EPC URI" : "GS1 Digital Link",
                      e.msg);
    return epc ? ST_OK : dl_role(&d, kind, why, cap);
}

/* ---- diagnostics ------------------------------------------------------------------ */

void st_vfault(st_vctx *c, const st_evnode *n, int at_value, st_rc rc, const char *fmt, ...)
{
    if (c->first == ST_OK)
        c->first = rc;
    char path[ST_VAL_PATH], msg[512];
    path[0] = '\0';
    if (c->diag->n < c->diag->max) { /* past the cap the fault is only counted */
        if (at_value)
            st_epcis_value_path(c->doc, c->ev, n ? n : c->ev->root, path, sizeof path);
        else
            st_epcis_path(c->doc, c->ev, n ? n : c->ev->root, path, sizeof path);
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    st_diag_add(c->diag, rc, c->ev->index, path, "%s", msg);
}

static int space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* What an empty value should have been. */
static const char *expected(st_vkind kind)
{
    switch (kind) {
    case ST_V_TIME:
        return "a date-time such as 2024-05-01T10:00:00.000Z";
    case ST_V_OFFSET:
        return "a time-zone offset such as +01:00";
    case ST_V_ACTION:
        return "ADD, OBSERVE or DELETE";
    case ST_V_VOCAB:
        return "a CBV term or a URI";
    case ST_V_DECIMAL:
    case ST_V_DOUBLE:
        return "a number";
    case ST_V_UOM:
        return "a UN/CEFACT Rec 20 unit code";
    case ST_V_BOOL:
        return "true or false";
    case ST_V_HEX:
        return "hex digits";
    case ST_V_INSTANCE:
    case ST_V_CLASS:
    case ST_V_ID:
        return "an identifier (a URI)";
    default:
        return "a URI";
    }
}

static const char *const actions[] = {"ADD", "OBSERVE", "DELETE"};

static st_rc check_action(const char *s, size_t n, char *why, size_t cap)
{
    for (size_t i = 0; i < 3; i++)
        if (strlen(actions[i]) == n && !memcmp(s, actions[i], n))
            return ST_OK;
    for (size_t i = 0; i < 3; i++) {
        size_t k = strlen(actions[i]);
        int same = k == n;
        for (size_t j = 0; same && j < n; j++)
            same = (s[j] & ~0x20) == actions[i][j];
        if (same || st_cbv_distance(s, n, actions[i], k, 2) <= 2)
            return why_rc(why, cap, ST_ERR_SYNTAX,
                          "is not an action; expected ADD, OBSERVE or DELETE (did you mean "
                          "\"%s\"?)",
                          actions[i]);
    }
    return why_rc(why, cap, ST_ERR_SYNTAX, "is not an action; expected ADD, OBSERVE or DELETE");
}

/* A CBV value: st_cbv_check, and in XML a URI whatever it is. */
static void check_vocab(st_vctx *c, const st_evnode *n, int vocab, const char *s, size_t len)
{
    const st_cbv_vocab *v = st_cbv_get(vocab);
    char why[ST_VAL_WHY];
    st_rc rc = st_cbv_check(vocab, n->value, why, sizeof why);
    int shown = len > ST_VAL_SHOWN ? ST_VAL_SHOWN : (int)len;
    if (c->xml && !scheme_len(s, len)) {
        if (rc == ST_OK && v->urn)
            st_vfault(c, n, 1, ST_ERR_SYNTAX,
                      "%s must be a URI in XML; use %s%.*s or %s%s%.*s (found the bare word "
                      "\"%.*s\")",
                      v->field, v->urn, shown, s, v->ns, v->local, shown, s, shown, s);
        else if (rc == ST_OK)
            st_vfault(c, n, 1, ST_ERR_SYNTAX,
                      "%s must be a URI in XML; use %s:%s%.*s or %s%s%.*s (found the bare word "
                      "\"%.*s\")",
                      v->field, v->curie, v->local, shown, s, v->ns, v->local, shown, s, shown, s);
        else
            st_vfault(c, n, 1, rc, "%s; in XML it must also be a URI", why);
        return;
    }
    if (rc) {
        st_vfault(c, n, 1, rc, "%s", why);
        return;
    }
    if (scheme_len(s, len) && (rc = st_val_uri(s, len, why, sizeof why)))
        st_vfault(c, n, 1, rc, "%s \"%.*s%s\" %s", v->field, shown, s,
                  len > ST_VAL_SHOWN ? "..." : "", why);
}

void st_vcheck_node(st_vctx *c, const st_evnode *n, st_vkind kind, int vocab, const char *field)
{
    if (kind == ST_V_NONE || kind == ST_V_TEXT)
        return;
    const char *s = n->value ? n->value : "";
    size_t len = strlen(s);
    if (c->xml) { /* XML schema types collapse the white space around a value */
        while (len && space(*s))
            s++, len--;
        while (len && space(s[len - 1]))
            len--;
    }
    if (!field)
        field = n->name;
    if (!c->xml && len && (space(s[0]) || space(s[len - 1]))) {
        st_vfault(c, n, 1, ST_ERR_SYNTAX,
                  "%s \"%.*s%s\" has white space at its %s; expected %s without it", field,
                  len > ST_VAL_SHOWN ? ST_VAL_SHOWN : (int)len, s, len > ST_VAL_SHOWN ? "..." : "",
                  space(s[0]) ? "start" : "end", expected(kind));
        return;
    }
    if (!n->value && !c->xml) { /* a JSON-LD entry without its value member */
        st_vfault(c, n, 1, ST_ERR_RULE, "missing \"%s\"; expected %s", field, expected(kind));
        return;
    }
    if (!len) {
        if (c->xml && kind == ST_V_DECIMAL)
            return; /* <quantity xsi:nil="true"/>: the reader drops xsi attributes */
        st_vfault(c, n, 1, ST_ERR_SYNTAX, "%s is empty; expected %s", field, expected(kind));
        return;
    }
    if (kind == ST_V_VOCAB) {
        check_vocab(c, n, vocab, s, len);
        return;
    }
    char why[ST_VAL_WHY];
    st_rc rc = ST_OK;
    switch (kind) {
    case ST_V_TIME:
        rc = st_val_datetime(s, len, why, sizeof why);
        break;
    case ST_V_OFFSET:
        rc = st_val_offset(s, len, why, sizeof why);
        break;
    case ST_V_URI:
        rc = st_val_uri(s, len, why, sizeof why);
        break;
    case ST_V_EVENTID:
        rc = st_val_event_id(s, len, why, sizeof why);
        break;
    case ST_V_ACTION:
        rc = check_action(s, len, why, sizeof why);
        break;
    case ST_V_INSTANCE:
    case ST_V_CLASS:
    case ST_V_ID:
        rc = st_val_identifier(s, len, kind, why, sizeof why);
        break;
    case ST_V_DECIMAL:
    case ST_V_DOUBLE:
        rc = st_val_number(s, len, c->xml && kind == ST_V_DECIMAL, why, sizeof why);
        break;
    case ST_V_UOM:
        rc = st_val_uom(s, len, why, sizeof why);
        break;
    case ST_V_BOOL:
        if (!(len == 4 && !memcmp(s, "true", 4)) && !(len == 5 && !memcmp(s, "false", 5)) &&
            !(c->xml && len == 1 && (*s == '1' || *s == '0')))
            rc = why_rc(why, sizeof why, ST_ERR_SYNTAX, "is not a boolean; expected true or false");
        break;
    case ST_V_HEX:
        rc = st_val_hex(s, len, why, sizeof why);
        break;
    default:
        break;
    }
    if (rc) {
        int shown = len > ST_VAL_SHOWN ? ST_VAL_SHOWN : (int)len;
        st_vfault(c, n, 1, rc, "%s \"%.*s%s\" %s", field, shown, s, len > ST_VAL_SHOWN ? "..." : "",
                  why);
    }
}
