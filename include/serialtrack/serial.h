/*
 * Serial number schemes: pure generators of serials valid for AI (21) (at most
 * 20 characters of CSET 82). Persisting what was allocated is the store's job;
 * a generator can be resumed from its position (st_serialgen_position).
 *
 * Schemes
 *
 *   sequential  prefix + counter + suffix. The counter runs from opts.start and
 *               is zero-padded to opts.width digits when width > 0. Exhausted
 *               when the counter would need more than width digits (width > 0)
 *               or would make the serial longer than 20 characters (width 0).
 *
 *   template    literal text plus placeholders, e.g. "{YYYY}07{SEQ:6}" (the
 *               year, a 2-digit category, a 6-digit sequence: "2025070000001"):
 *                 {YYYY}    4-digit year: opts.year, or the current UTC year
 *                 {YY}      its last two digits
 *                 {MM}      current UTC month, 01..12
 *                 {DD}      current UTC day of the month, 01..31
 *                 {SEQ:n}   the counter (from opts.start) zero-padded to n
 *                           digits, 1 <= n <= 20; exactly one is required
 *                 {RAND:n}  n characters drawn uniformly from opts.alphabet
 *                           (default ST_SERIAL_DEFAULT_ALPHABET) with OpenSSL
 *                           RAND_bytes, without modulo bias; 1 <= n <= 20
 *               Placeholder names are upper case; '{' and '}' are outside both
 *               character sets, so they need no escape and are never literal.
 *               Dates are read from the clock at every st_serialgen_next.
 *               Every placeholder has a fixed width, so a template makes
 *               serials of one length, which must be at most 20; literal text
 *               must be in the profile's character set. Exhausted when the
 *               counter outgrows n digits; {SEQ:n} alone guarantees that the
 *               serials of one generator are distinct.
 *
 *   random      serials of opts.length characters (default 12) of opts.alphabet
 *               (default the 36 digits and upper-case letters), non-sequential,
 *               unguessable without the key, and never repeating: serial i is
 *               a keyed pseudorandom permutation of [0, |alphabet|^length)
 *               applied to i (format-preserving encryption: a cycle-walking
 *               Feistel network of 10 rounds over HMAC-SHA-256 with the 32-byte
 *               key), written in base |alphabet|. No issued serial needs to be
 *               remembered, and the same key and options reproduce the same
 *               sequence. The space |alphabet|^length may be at most 2^128,
 *               which every alphabet and length allowed here meets (82^20 is
 *               about 2^127.2). Exhausted after |alphabet|^length serials.
 *
 * Profiles: ST_SERIAL_PROFILE_GS1 allows CSET 82 (GS1 General Specifications:
 * ! " % & ' ( ) * + , - . / 0-9 : ; < = > ? A-Z _ a-z); ST_SERIAL_PROFILE_DSCSA
 * allows A-Z a-z 0-9 (US DSCSA: "up to 20 alphanumeric characters"). Both cap
 * serials at 20 characters.
 *
 * Counters and positions are 64-bit: a generator makes at most UINT64_MAX
 * serials even when its space is larger.
 */
#ifndef SERIALTRACK_SERIAL_H
#define SERIALTRACK_SERIAL_H

#include <stddef.h>
#include <stdint.h>
#include <serialtrack/rc.h>

#define ST_SERIAL_KEY_LEN 32 /* bytes of a random-scheme key */
#define ST_SERIAL_DEFAULT_ALPHABET "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define ST_SERIAL_DEFAULT_LENGTH 12 /* random scheme: serial length when opts.length is 0 */

typedef struct st_serialgen st_serialgen; /* one serial number generator */

typedef enum st_serial_scheme {
    ST_SERIAL_SEQUENTIAL = 1, /* prefix + zero-padded counter + suffix */
    ST_SERIAL_TEMPLATE = 2,   /* a template such as "{YYYY}07{SEQ:6}" */
    ST_SERIAL_RANDOM = 3,     /* non-sequential, unguessable, never repeating */
} st_serial_scheme;

typedef enum st_serial_profile {
    ST_SERIAL_PROFILE_GS1 = 0,   /* AI (21): up to 20 characters of CSET 82 */
    ST_SERIAL_PROFILE_DSCSA = 1, /* US DSCSA: up to 20 alphanumerics (A-Z a-z 0-9) */
} st_serial_profile;

/* Options; zero-initialise, then set the scheme and what it uses. Setting an
 * option the scheme does not use is an error. Strings and the key are copied
 * by st_serialgen_create. */
typedef struct st_serial_opts {
    st_serial_scheme scheme;   /* required */
    st_serial_profile profile; /* character rules every serial must meet */
    uint64_t start;            /* first counter value (sequential, template {SEQ}) */
    const char *prefix;        /* sequential: text before the counter; may be NULL */
    const char *suffix;        /* sequential: text after the counter; may be NULL */
    int width;                 /* sequential: zero-pad the counter to this many digits; 0 = none */
    const char *tmpl;          /* template scheme: the template (see above) */
    const char *alphabet; /* random, template {RAND}: characters to draw from; NULL = default */
    int length;           /* random: serial length, 1..20; 0 = 12 */
    const unsigned char
        *key; /* random: ST_SERIAL_KEY_LEN-byte secret key; NULL = a fresh random key */
    int year; /* template {YYYY}/{YY}: year to use, 1..9999; 0 = current UTC year */
} st_serial_opts;

/*
 * Create a generator from opts (which, with its strings and key, stays owned
 * by the caller). Bad options (a template that can make a serial of more than
 * 20 characters, a character outside the profile's set, an unknown
 * placeholder, a start that does not fit the counter's width, an option the
 * scheme does not use, ...) give ST_ERR_ARG with the reason in err, and the
 * byte offset of a bad character in err->position. A template longer than
 * ST_SERIAL_TEMPLATE_MAX bytes or an alphabet longer than ST_SERIAL_ALPHABET_MAX
 * gives ST_ERR_LIMIT. ST_ERR_NOMEM; ST_ERR_IO when no random key could be
 * drawn. *out is freed with st_serialgen_destroy.
 */
st_rc st_serialgen_create(const st_serial_opts *opts, st_serialgen **out, st_error *err);

/* Free g and wipe its key. NULL is accepted. */
void st_serialgen_destroy(st_serialgen *g);

/* Write the next serial, NUL-terminated, into buf[0..cap) (21 bytes suffice),
 * which the caller owns. ST_ERR_EXHAUSTED when the scheme's serial space is
 * used up; ST_ERR_BUFFER when cap is too small. Neither consumes a serial. */
st_rc st_serialgen_next(st_serialgen *g, char *buf, size_t cap, st_error *err);

/* How many serials this scheme can produce in all, from opts.start on for
 * counters (saturates at UINT64_MAX). */
uint64_t st_serialgen_space(const st_serialgen *g);

/*
 * The probability that one guessed serial is one of `issued` serials of this
 * generator (0 when issued is 0):
 *   random      issued / |alphabet|^length (at most 1)
 *   template    with {RAND:n} parts totalling r characters: |alphabet|^-r (the
 *               rest of a serial is predictable); without: 1
 *   sequential  1
 */
double st_serialgen_guess_probability(const st_serialgen *g, uint64_t issued);

/*
 * EU FMD (Delegated Regulation (EU) 2016/161, art. 4): ST_OK when the guessing
 * probability for `issued` serials is below 1 in 10,000; otherwise
 * ST_ERR_RANGE with the probability in err.
 */
st_rc st_serialgen_check_eu_fmd(const st_serialgen *g, uint64_t issued, st_error *err);

/* Serials produced so far (to resume: start a new generator with the same
 * options and key, then st_serialgen_skip). */
uint64_t st_serialgen_position(const st_serialgen *g);

/* Advance the position by count without producing serials (for template
 * {RAND:n} parts, the skipped draws are simply not made). ST_ERR_EXHAUSTED,
 * with the position unchanged, when fewer than count serials remain;
 * ST_ERR_ARG when g is NULL. */
st_rc st_serialgen_skip(st_serialgen *g, uint64_t count);

/* Copy the random scheme's key (given or drawn) into key[0..ST_SERIAL_KEY_LEN),
 * e.g. to store it for resuming. ST_ERR_ARG for the other schemes. */
st_rc st_serialgen_key(const st_serialgen *g, unsigned char *key, st_error *err);

#endif
