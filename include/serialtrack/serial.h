/*
 * Serial number schemes: pure generators of serials valid for AI (21) (at most
 * 20 characters of CSET 82). Persisting what was allocated is the store's job;
 * a generator can be resumed from its position (st_serialgen_position).
 */
#ifndef SERIALTRACK_SERIAL_H
#define SERIALTRACK_SERIAL_H

#include <stddef.h>
#include <stdint.h>
#include <serialtrack/rc.h>

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

/* Options; zero-initialise, then set the scheme and what it uses. Strings are
 * copied by st_serialgen_create. */
typedef struct st_serial_opts {
    st_serial_scheme scheme;   /* required */
    st_serial_profile profile; /* character rules every serial must meet */
    uint64_t start;            /* first counter value (sequential, template {SEQ}) */
    const char *prefix;        /* sequential: text before the counter; may be NULL */
    const char *suffix;        /* sequential: text after the counter; may be NULL */
    int width;                 /* sequential: zero-pad the counter to this many digits; 0 = none */
    const char *tmpl;          /* template scheme: the template (see serial.c) */
    const char *alphabet;      /* random: characters to draw from; NULL = digits + upper case */
    int length;                /* random: serial length; 0 = 12 */
    const unsigned char *key;  /* random: 32-byte secret key; NULL = a fresh random key */
    int year;                  /* template {YYYY}/{YY}: year to use; 0 = current UTC year */
} st_serial_opts;

/* Create a generator. Bad options (a template that can make a serial of more
 * than 20 characters, a character outside the profile's set, ...) give
 * ST_ERR_ARG with the reason in err. *out is freed with st_serialgen_destroy. */
st_rc st_serialgen_create(const st_serial_opts *opts, st_serialgen **out, st_error *err);
void st_serialgen_destroy(st_serialgen *g);

/* Write the next serial, NUL-terminated, into buf[0..cap) (21 bytes suffice).
 * ST_ERR_EXHAUSTED when the scheme's serial space is used up. */
st_rc st_serialgen_next(st_serialgen *g, char *buf, size_t cap, st_error *err);

/* How many serials this scheme can produce in all (saturates at UINT64_MAX). */
uint64_t st_serialgen_space(const st_serialgen *g);

/* The probability that one guessed serial is one of `issued` serials of this
 * generator: issued / space for the random scheme; 1 for predictable schemes. */
double st_serialgen_guess_probability(const st_serialgen *g, uint64_t issued);

/* Serials produced so far (to resume: start a new generator with the same
 * options and key, then st_serialgen_skip). */
uint64_t st_serialgen_position(const st_serialgen *g);
st_rc st_serialgen_skip(st_serialgen *g, uint64_t count);

#endif
