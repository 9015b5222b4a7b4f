/*
 * The template serial scheme: parsing "{YYYY}07{SEQ:6}"-style templates into
 * fixed-width parts (the language is documented in serial.h) and filling them
 * in. Random characters come from OpenSSL RAND_bytes by rejection sampling.
 */
#include "gs1/serial_int.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "common/error.h"

/* The placeholders without a count, and what they write. */
static const struct {
    const char *name; /* between the braces */
    uint8_t kind;     /* enum st_tpart_kind */
    uint8_t len;      /* characters written */
} fixed_names[] = {
    {"YYYY", ST_TP_YYYY, 4},
    {"YY", ST_TP_YY, 2},
    {"MM", ST_TP_MM, 2},
    {"DD", ST_TP_DD, 2},
};

#define KNOWN "known: {YYYY} {YY} {MM} {DD} {SEQ:n} {RAND:n}"

/* Parse the placeholder name s[0..n) (between braces, at template offset at)
 * into part. */
static st_rc parse_placeholder(const char *s, size_t n, size_t at, struct st_tpart *part,
                               st_error *err)
{
    for (size_t i = 0; i < sizeof fixed_names / sizeof fixed_names[0]; i++)
        if (strlen(fixed_names[i].name) == n && !memcmp(s, fixed_names[i].name, n)) {
            part->kind = fixed_names[i].kind;
            part->len = fixed_names[i].len;
            return ST_OK;
        }
    size_t name_len;
    if (n >= 4 && !memcmp(s, "SEQ:", 4)) {
        part->kind = ST_TP_SEQ;
        name_len = 4;
    } else if (n >= 5 && !memcmp(s, "RAND:", 5)) {
        part->kind = ST_TP_RAND;
        name_len = 5;
    } else {
        return st_fail(err, ST_ERR_ARG, (long)at, NULL,
                       "template: unknown placeholder {%.*s} at byte %zu; " KNOWN,
                       n > 20 ? 20 : (int)n, s, at);
    }
    int v = 0;
    size_t i = name_len;
    for (; i < n && i < name_len + 3 && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (s[i] - '0');
    if (i == name_len || i != n || v < 1 || v > ST_SERIAL_MAX_LEN)
        return st_fail(err, ST_ERR_ARG, (long)at, NULL,
                       "template: {%.*s} at byte %zu: n must be a number 1..%d",
                       n > 20 ? 20 : (int)n, s, at, ST_SERIAL_MAX_LEN);
    part->len = (uint8_t)v;
    return ST_OK;
}

/* Add one part to g, counting what the serial length and the generator need. */
static void add_part(st_serialgen *g, struct st_tpart p)
{
    g->part[g->nparts++] = p;
    g->serial_len += p.len;
    if (p.kind == ST_TP_SEQ)
        g->seq_width = p.len;
    else if (p.kind == ST_TP_RAND)
        g->rand_chars += p.len;
}

/* Checks that need the whole template: one {SEQ}, the length, year, alphabet, start. */
static st_rc check_parsed(st_serialgen *g, const st_serial_opts *o, int uses_year, st_error *err)
{
    if (!g->seq_width)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "template has no {SEQ:n}; exactly one is required");
    if (g->serial_len > ST_SERIAL_MAX_LEN)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "template makes serials of %zu characters; AI (21) allows at most %d",
                       g->serial_len, ST_SERIAL_MAX_LEN);
    if (o->year < 0 || o->year > 9999)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "year %d is not 1..9999 (0 = the current UTC year)", o->year);
    if (o->year && !uses_year)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "opts.year is set, but the template has no {YYYY} or {YY}");
    if (o->alphabet && !g->rand_chars)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "opts.alphabet is set, but the template has no {RAND:n}");
    if (g->rand_chars) {
        st_rc rc = st_serial_set_alphabet(g, o->alphabet, err);
        if (rc)
            return rc;
    }
    g->year = o->year;
    g->uses_clock = (uses_year && !o->year) || g->uses_clock;
    g->last = st_serial_pow10_max(g->seq_width);
    if (o->start > g->last)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "start %" PRIu64 " does not fit {SEQ:%d} (at most %" PRIu64 ")", o->start,
                       g->seq_width, g->last);
    return ST_OK;
}

/* Split opts->tmpl (copied into g) into literal and placeholder parts,
 * checking each as it goes, then the template as a whole. */
st_rc st_serial_tmpl_parse(st_serialgen *g, const st_serial_opts *o, st_error *err)
{
    const char *t = o->tmpl;
    if (!t)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "the template scheme needs opts.tmpl");
    size_t n = strnlen(t, ST_SERIAL_TEMPLATE_MAX + 1);
    if (n > ST_SERIAL_TEMPLATE_MAX)
        return st_fail(err, ST_ERR_LIMIT, -1, NULL,
                       "template holds more than %d bytes; the limit is %d", ST_SERIAL_TEMPLATE_MAX,
                       ST_SERIAL_TEMPLATE_MAX);
    memcpy(g->tmpl, t, n + 1);
    int uses_year = 0;
    size_t i = 0;
    while (i < n) {
        struct st_tpart p = {ST_TP_LITERAL, (uint8_t)i, 0};
        if (t[i] == '{') {
            size_t close = i + 1;
            while (close < n && t[close] != '{' && t[close] != '}')
                close++;
            if (close == n || t[close] != '}')
                return st_fail(err, ST_ERR_ARG, (long)i, NULL,
                               "template: '{' at byte %zu has no closing '}'", i);
            st_rc rc = parse_placeholder(t + i + 1, close - i - 1, i, &p, err);
            if (rc)
                return rc;
            if (p.kind == ST_TP_SEQ && g->seq_width)
                return st_fail(err, ST_ERR_ARG, (long)i, NULL,
                               "template: a second {SEQ:n} at byte %zu; exactly one is required",
                               i);
            uses_year |= p.kind == ST_TP_YYYY || p.kind == ST_TP_YY;
            g->uses_clock |= p.kind == ST_TP_MM || p.kind == ST_TP_DD;
            i = close + 1;
        } else if (t[i] == '}') {
            return st_fail(err, ST_ERR_ARG, (long)i, NULL,
                           "template: '}' at byte %zu closes no placeholder", i);
        } else {
            size_t j = i;
            while (j < n && t[j] != '{' && t[j] != '}')
                j++;
            st_rc rc = st_serial_check_text(g->profile, "template", t, i, j, err);
            if (rc)
                return rc;
            p.len = (uint8_t)(j - i);
            i = j;
        }
        add_part(g, p);
    }
    return check_parsed(g, o, uses_year, err);
}

/* Write v as exactly w decimal digits (keeping the low ones) at out. */
static void put_digits(char *out, uint64_t v, int w)
{
    for (int i = w - 1; i >= 0; i--, v /= 10)
        out[i] = (char)('0' + v % 10);
}

/* One random character of the alphabet, uniform: bytes at or above the
 * largest multiple of the alphabet size are thrown away. */
static st_rc rand_char(st_serialgen *g, char *out, st_error *err)
{
    unsigned limit = 256 - 256 % g->alpha_len;
    for (;;) {
        if (!g->pool_left) {
            if (RAND_bytes(g->pool, sizeof g->pool) != 1)
                return st_fail(err, ST_ERR_IO, -1, NULL, "template: OpenSSL RAND_bytes failed");
            g->pool_left = sizeof g->pool;
        }
        unsigned b = g->pool[sizeof g->pool - g->pool_left--];
        if (b < limit) {
            *out = g->alphabet[b % g->alpha_len];
            return ST_OK;
        }
    }
}

/* Fill in every part for counter g->start + g->pos into the caller's buf,
 * reading the clock only when a part needs the date. */
st_rc st_serial_tmpl_next(st_serialgen *g, char *buf, size_t cap, st_error *err)
{
    if (cap < g->serial_len + 1)
        return st_fail(err, ST_ERR_BUFFER, -1, NULL,
                       "template: the serial needs %zu bytes; the buffer holds %zu",
                       g->serial_len + 1, cap);
    struct tm tm = {0};
    if (g->uses_clock) {
        time_t now = time(NULL);
        if (!gmtime_r(&now, &tm))
            return st_fail(err, ST_ERR_INTERNAL, -1, NULL, "template: the clock is unreadable");
    }
    int year = g->year ? g->year : tm.tm_year + 1900;
    char *o = buf;
    for (size_t i = 0; i < g->nparts; i++) {
        const struct st_tpart *p = &g->part[i];
        switch (p->kind) {
        case ST_TP_LITERAL:
            memcpy(o, g->tmpl + p->off, p->len);
            break;
        case ST_TP_YYYY:
            put_digits(o, (uint64_t)year, 4);
            break;
        case ST_TP_YY:
            put_digits(o, (uint64_t)year, 2);
            break;
        case ST_TP_MM:
            put_digits(o, (uint64_t)tm.tm_mon + 1, 2);
            break;
        case ST_TP_DD:
            put_digits(o, (uint64_t)tm.tm_mday, 2);
            break;
        case ST_TP_SEQ:
            put_digits(o, g->start + g->pos, p->len);
            break;
        case ST_TP_RAND:
            for (int k = 0; k < p->len; k++) {
                st_rc rc = rand_char(g, o + k, err);
                if (rc)
                    return rc;
            }
            break;
        }
        o += p->len;
    }
    *o = '\0';
    return ST_OK;
}
