/*
 * Serial number generators (include/serialtrack/serial.h): option checking,
 * the three schemes' next-serial functions, and the guessing-probability
 * figures. Template parsing lives in serial_tmpl.c and the random scheme's
 * permutation in fpe.c.
 */
#include "gs1/serial_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <serialtrack/limits.h>

#include "common/error.h"
#include "gs1/cset.h"


/* 1 when profile p allows character c (NUL never). */
int st_serial_in_profile(st_serial_profile p, char c)
{
    unsigned char u = (unsigned char)c;
    if (p == ST_SERIAL_PROFILE_DSCSA) /* alphanumerics: CSET 64 without '-' and '_' */
        return st_cset_has(ST_CSET_Z, u) && c != '-' && c != '_';
    return st_cset_has(ST_CSET_X, u);
}

/* Check s[from..n) against profile p; name `what` and the byte in the error. */
st_rc st_serial_check_text(st_serial_profile p, const char *what, const char *s, size_t from,
                           size_t n, st_error *err)
{
    for (size_t i = from; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (st_serial_in_profile(p, (char)c))
            continue;
        const char *set = p == ST_SERIAL_PROFILE_DSCSA ? "the DSCSA set (A-Z a-z 0-9)" : "CSET 82";
        if (c >= 0x20 && c < 0x7f)
            return st_fail(err, ST_ERR_ARG, (long)i, NULL, "%s: byte %zu ('%c') is not in %s", what,
                           i, c, set);
        return st_fail(err, ST_ERR_ARG, (long)i, NULL, "%s: byte %zu (0x%02X) is not in %s", what,
                       i, c, set);
    }
    return ST_OK;
}

/* The largest number of `digits` decimal digits, saturated at UINT64_MAX. */
uint64_t st_serial_pow10_max(int digits)
{
    uint64_t v = 1;
    for (int i = 0; i < digits; i++) {
        if (v > UINT64_MAX / 10)
            return UINT64_MAX;
        v *= 10;
    }
    return v - 1;
}

/* Number of decimal digits of v. */
static int ndigits(uint64_t v)
{
    int n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* Refuse options the chosen scheme does not use: they are mistakes. */
static st_rc check_unused(const st_serial_opts *o, st_error *err)
{
    static const char *const names[] = {"", "sequential", "template", "random"};
    const char *scheme = names[o->scheme];
    const char *bad = NULL;
    if (o->scheme != ST_SERIAL_SEQUENTIAL && o->prefix)
        bad = "opts.prefix";
    else if (o->scheme != ST_SERIAL_SEQUENTIAL && o->suffix)
        bad = "opts.suffix";
    else if (o->scheme != ST_SERIAL_SEQUENTIAL && o->width)
        bad = "opts.width";
    else if (o->scheme != ST_SERIAL_TEMPLATE && o->tmpl)
        bad = "opts.tmpl";
    else if (o->scheme != ST_SERIAL_TEMPLATE && o->year)
        bad = "opts.year";
    else if (o->scheme == ST_SERIAL_RANDOM && o->start)
        bad = "opts.start";
    else if (o->scheme == ST_SERIAL_SEQUENTIAL && o->alphabet)
        bad = "opts.alphabet";
    else if (o->scheme != ST_SERIAL_RANDOM && o->length)
        bad = "opts.length";
    else if (o->scheme != ST_SERIAL_RANDOM && o->key)
        bad = "opts.key";
    if (bad)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "%s is set, but the %s scheme does not use it",
                       bad, scheme);
    return ST_OK;
}

/* Validate alphabet (NULL = the default: length, profile, uniqueness) and copy
 * it into g; the caller keeps its string. */
st_rc st_serial_set_alphabet(st_serialgen *g, const char *alphabet, st_error *err)
{
    const char *a = alphabet ? alphabet : ST_SERIAL_DEFAULT_ALPHABET;
    size_t n = strnlen(a, ST_SERIAL_ALPHABET_MAX + 1);
    if (n > ST_SERIAL_ALPHABET_MAX)
        return st_fail(err, ST_ERR_LIMIT, -1, NULL,
                       "alphabet holds more than %d characters; the limit is %d",
                       ST_SERIAL_ALPHABET_MAX, ST_SERIAL_ALPHABET_MAX);
    if (n < 2)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "alphabet holds %zu character%s; at least 2 are needed", n,
                       n == 1 ? "" : "s");
    st_rc rc = st_serial_check_text(g->profile, "alphabet", a, 0, n, err);
    if (rc)
        return rc;
    for (size_t i = 1; i < n; i++) {
        const char *first = memchr(a, a[i], i);
        if (first)
            return st_fail(err, ST_ERR_ARG, (long)i, NULL,
                           "alphabet: '%c' at byte %zu repeats byte %zu; characters must be unique",
                           a[i], i, (size_t)(first - a));
    }
    memcpy(g->alphabet, a, n + 1);
    g->alpha_len = (unsigned)n;
    return ST_OK;
}

/* Sequential: check prefix, suffix, width and start; derive the space. */
static st_rc create_sequential(st_serialgen *g, const st_serial_opts *o, st_error *err)
{
    const char *pre = o->prefix ? o->prefix : "", *suf = o->suffix ? o->suffix : "";
    size_t np = strnlen(pre, ST_SERIAL_MAX_LEN + 1), ns = strnlen(suf, ST_SERIAL_MAX_LEN + 1);
    st_rc rc = st_serial_check_text(g->profile, "prefix", pre, 0, np, err);
    if (!rc)
        rc = st_serial_check_text(g->profile, "suffix", suf, 0, ns, err);
    if (rc)
        return rc;
    if (np + ns >= ST_SERIAL_MAX_LEN)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "prefix and suffix hold %s%zu characters, leaving no room for the counter "
                       "(AI (21) allows at most %d)",
                       np + ns > ST_SERIAL_MAX_LEN ? "more than " : "",
                       np + ns > ST_SERIAL_MAX_LEN ? (size_t)ST_SERIAL_MAX_LEN : np + ns,
                       ST_SERIAL_MAX_LEN);
    size_t room = ST_SERIAL_MAX_LEN - np - ns;
    if (o->width < 0 || o->width > ST_SERIAL_MAX_LEN)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "width %d is not 0..%d", o->width,
                       ST_SERIAL_MAX_LEN);
    if ((size_t)o->width > room)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "prefix (%zu) + width (%d) + suffix (%zu) make %zu characters; AI (21) "
                       "allows at most %d",
                       np, o->width, ns, np + ns + (size_t)o->width, ST_SERIAL_MAX_LEN);
    int digits = o->width ? o->width : (int)room;
    g->last = st_serial_pow10_max(digits);
    if (o->start > g->last) {
        if (o->width)
            return st_fail(err, ST_ERR_ARG, -1, NULL,
                           "start %" PRIu64 " needs %d digits; width is %d", o->start,
                           ndigits(o->start), o->width);
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "start %" PRIu64
                       " needs %d digits; beside the prefix and suffix only %d fit "
                       "in %d characters",
                       o->start, ndigits(o->start), digits, ST_SERIAL_MAX_LEN);
    }
    memcpy(g->prefix, pre, np + 1);
    memcpy(g->suffix, suf, ns + 1);
    g->prefix_len = np;
    g->suffix_len = ns;
    g->width = o->width;
    return ST_OK;
}

/* Random: check alphabet and length, take or draw the key, build the permutation. */
static st_rc create_random(st_serialgen *g, const st_serial_opts *o, st_error *err)
{
    st_rc rc = st_serial_set_alphabet(g, o->alphabet, err);
    if (rc)
        return rc;
    int len = o->length ? o->length : ST_SERIAL_DEFAULT_LENGTH;
    if (len < 1 || len > ST_SERIAL_MAX_LEN)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "length %d is not 1..%d (AI (21) allows at most %d characters)", len,
                       ST_SERIAL_MAX_LEN, ST_SERIAL_MAX_LEN);
    g->length = len;
    if (o->key)
        memcpy(g->key, o->key, ST_SERIAL_KEY_LEN);
    else if (RAND_bytes(g->key, ST_SERIAL_KEY_LEN) != 1)
        return st_fail(err, ST_ERR_IO, -1, NULL, "random: OpenSSL RAND_bytes could not draw a key");
    rc = st_fpe_create(g->key, g->alpha_len, (unsigned)len, &g->fpe, err);
    if (rc)
        return rc;
    g->last = st_fpe_domain(g->fpe) - 1; /* the counter's last value, 0-based */
    return ST_OK;
}

/* Check opts, copy what the scheme needs into a new generator (nothing in
 * opts is kept), derive the space; on failure *out stays NULL. */
st_rc st_serialgen_create(const st_serial_opts *opts, st_serialgen **out, st_error *err)
{
    if (!out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "out is NULL");
    *out = NULL;
    if (!opts)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "opts is NULL");
    if (opts->scheme < ST_SERIAL_SEQUENTIAL || opts->scheme > ST_SERIAL_RANDOM)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "scheme %d is not sequential (1), template (2) or random (3)",
                       (int)opts->scheme);
    if (opts->profile != ST_SERIAL_PROFILE_GS1 && opts->profile != ST_SERIAL_PROFILE_DSCSA)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "profile %d is not GS1 (0) or DSCSA (1)",
                       (int)opts->profile);
    st_rc rc = check_unused(opts, err);
    if (rc)
        return rc;
    st_serialgen *g = calloc(1, sizeof *g);
    if (!g)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    g->scheme = opts->scheme;
    g->profile = opts->profile;
    g->start = opts->start;
    if (opts->scheme == ST_SERIAL_SEQUENTIAL)
        rc = create_sequential(g, opts, err);
    else if (opts->scheme == ST_SERIAL_TEMPLATE)
        rc = st_serial_tmpl_parse(g, opts, err);
    else
        rc = create_random(g, opts, err);
    if (rc) {
        st_serialgen_destroy(g);
        return rc;
    }
    /* counter values g->start .. g->last */
    g->space = g->last - g->start == UINT64_MAX ? UINT64_MAX : g->last - g->start + 1;
    *out = g;
    return ST_OK;
}

/* Free g, its permutation and, wiped, its key. */
void st_serialgen_destroy(st_serialgen *g)
{
    if (!g)
        return;
    st_fpe_destroy(g->fpe);
    OPENSSL_cleanse(g, sizeof *g);
    free(g);
}

/* The error for a generator whose space is used up, naming its bound. */
static st_rc exhausted(const st_serialgen *g, st_error *err)
{
    uint64_t c = g->start + g->pos; /* the counter value that does not fit */
    if (g->pos == UINT64_MAX || c < g->start)
        return st_fail(err, ST_ERR_EXHAUSTED, -1, NULL,
                       "the 64-bit counter is used up (%" PRIu64 " serials made)", g->pos);
    if (g->scheme == ST_SERIAL_RANDOM)
        return st_fail(err, ST_ERR_EXHAUSTED, -1, NULL,
                       "random: all %" PRIu64 " serials of %u^%d have been made", g->space,
                       g->alpha_len, g->length);
    if (g->scheme == ST_SERIAL_TEMPLATE)
        return st_fail(err, ST_ERR_EXHAUSTED, -1, NULL,
                       "template: counter %" PRIu64 " does not fit {SEQ:%d}", c, g->seq_width);
    if (g->width)
        return st_fail(err, ST_ERR_EXHAUSTED, -1, NULL,
                       "sequential: counter %" PRIu64 " needs %d digits; width is %d", c,
                       ndigits(c), g->width);
    return st_fail(err, ST_ERR_EXHAUSTED, -1, NULL,
                   "sequential: counter %" PRIu64 " would make the serial %zu characters; AI (21) "
                   "allows at most %d",
                   c, g->prefix_len + (size_t)ndigits(c) + g->suffix_len, ST_SERIAL_MAX_LEN);
}

/* Sequential: prefix, counter (padded to width), suffix. */
static st_rc next_sequential(st_serialgen *g, char *buf, size_t cap, st_error *err)
{
    uint64_t c = g->start + g->pos;
    int nd = ndigits(c);
    int w = nd > g->width ? nd : g->width;
    size_t n = g->prefix_len + (size_t)w + g->suffix_len;
    if (cap < n + 1)
        return st_fail(err, ST_ERR_BUFFER, -1, NULL,
                       "sequential: the serial needs %zu bytes; the buffer holds %zu", n + 1, cap);
    memcpy(buf, g->prefix, g->prefix_len);
    for (int i = w - 1; i >= 0; i--, c /= 10)
        buf[g->prefix_len + (size_t)i] = (char)('0' + c % 10);
    memcpy(buf + g->prefix_len + w, g->suffix, g->suffix_len + 1);
    return ST_OK;
}

/* Random: the permuted counter in base |alphabet|. */
static st_rc next_random(st_serialgen *g, char *buf, size_t cap, st_error *err)
{
    if (cap < (size_t)g->length + 1)
        return st_fail(err, ST_ERR_BUFFER, -1, NULL,
                       "random: the serial needs %d bytes; the buffer holds %zu", g->length + 1,
                       cap);
    unsigned char d[ST_SERIAL_MAX_LEN];
    st_rc rc = st_fpe_encrypt(g->fpe, g->pos, d, err);
    if (rc)
        return rc;
    for (int i = 0; i < g->length; i++)
        buf[i] = g->alphabet[d[i]];
    buf[g->length] = '\0';
    return ST_OK;
}

/* Write serial number g->pos into the caller's buf and advance; a failure
 * (exhausted, buffer too small) leaves the position alone. */
st_rc st_serialgen_next(st_serialgen *g, char *buf, size_t cap, st_error *err)
{
    if (!g || !buf)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "%s is NULL", g ? "buf" : "generator");
    if (g->pos >= g->space || g->pos == UINT64_MAX)
        return exhausted(g, err);
    st_rc rc;
    if (g->scheme == ST_SERIAL_SEQUENTIAL)
        rc = next_sequential(g, buf, cap, err);
    else if (g->scheme == ST_SERIAL_TEMPLATE)
        rc = st_serial_tmpl_next(g, buf, cap, err);
    else
        rc = next_random(g, buf, cap, err);
    if (rc == ST_OK)
        g->pos++;
    return rc;
}

/* Serials in all (serial.h); 0 for NULL. */
uint64_t st_serialgen_space(const st_serialgen *g)
{
    return g ? g->space : 0;
}

/* Chance that one guess hits one of `issued` serials (serial.h). */
double st_serialgen_guess_probability(const st_serialgen *g, uint64_t issued)
{
    if (!g || issued == 0)
        return 0.0;
    if (g->scheme == ST_SERIAL_RANDOM) {
        double space = g->space < UINT64_MAX ? (double)g->space : exp2(st_fpe_domain_log2(g->fpe));
        double p = (double)issued / space;
        return p < 1.0 ? p : 1.0;
    }
    if (g->scheme == ST_SERIAL_TEMPLATE && g->rand_chars > 0)
        return pow(g->alpha_len, -g->rand_chars);
    return 1.0;
}

/* Compare the guessing probability with the EU FMD bound of 1 in 10,000. */
st_rc st_serialgen_check_eu_fmd(const st_serialgen *g, uint64_t issued, st_error *err)
{
    if (!g)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "generator is NULL");
    double p = st_serialgen_guess_probability(g, issued);
    if (p < 1e-4)
        return ST_OK;
    return st_fail(err, ST_ERR_RANGE, -1, NULL,
                   "guessing probability %.3g (1 in %.0f) with %" PRIu64
                   " serials issued is not below 1 in 10,000 (EU FMD, Delegated Regulation (EU) "
                   "2016/161)",
                   p, 1.0 / p, issued);
}

/* Serials made or skipped so far; 0 for NULL. */
uint64_t st_serialgen_position(const st_serialgen *g)
{
    return g ? g->pos : 0;
}

/* Move the position on by count, or refuse (unchanged) past the end. */
st_rc st_serialgen_skip(st_serialgen *g, uint64_t count)
{
    if (!g)
        return ST_ERR_ARG;
    if (count > g->space - (g->pos < g->space ? g->pos : g->space))
        return ST_ERR_EXHAUSTED;
    g->pos += count;
    return ST_OK;
}

/* Copy the random scheme's key into the caller's key array. */
st_rc st_serialgen_key(const st_serialgen *g, unsigned char *key, st_error *err)
{
    if (!g || !key)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "%s is NULL", g ? "key" : "generator");
    if (g->scheme != ST_SERIAL_RANDOM)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "only the random scheme has a key");
    memcpy(key, g->key, ST_SERIAL_KEY_LEN);
    return ST_OK;
}
