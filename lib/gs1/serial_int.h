/*
 * Inside the serial generators: the generator record and the helpers that
 * serial.c (options, sequential and random schemes) and serial_tmpl.c (the
 * template scheme) share. Not part of the public API.
 */
#ifndef ST_GS1_SERIAL_INT_H
#define ST_GS1_SERIAL_INT_H

#include <stddef.h>
#include <stdint.h>
#include <serialtrack/limits.h>
#include <serialtrack/serial.h>

#include "gs1/fpe.h"

/* Kinds of template parts */
enum st_tpart_kind {
    ST_TP_LITERAL, /* text copied from the template */
    ST_TP_YYYY,    /* 4-digit year */
    ST_TP_YY,      /* 2-digit year */
    ST_TP_MM,      /* 2-digit UTC month */
    ST_TP_DD,      /* 2-digit UTC day */
    ST_TP_SEQ,     /* the counter, zero-padded */
    ST_TP_RAND,    /* random characters from the alphabet */
};

/* One part of a parsed template. */
struct st_tpart {
    uint8_t kind; /* enum st_tpart_kind */
    uint8_t off;  /* literal: offset of its text in st_serialgen.tmpl */
    uint8_t len;  /* characters the part writes */
};

struct st_serialgen {
    st_serial_scheme scheme;   /* which generator this is */
    st_serial_profile profile; /* character rules */
    uint64_t start;            /* first counter value */
    uint64_t last;             /* last counter value that fits */
    uint64_t space;            /* last - start + 1, saturated at UINT64_MAX */
    uint64_t pos;              /* serials made (or skipped) so far */

    /* sequential */
    char prefix[ST_SERIAL_MAX_LEN + 1]; /* NUL-terminated copy of opts.prefix */
    char suffix[ST_SERIAL_MAX_LEN + 1]; /* NUL-terminated copy of opts.suffix */
    size_t prefix_len;                  /* strlen(prefix) */
    size_t suffix_len;                  /* strlen(suffix) */
    int width;                          /* zero-pad width, 0 = none */

    /* template */
    char tmpl[ST_SERIAL_TEMPLATE_MAX + 1];        /* copy of opts.tmpl */
    struct st_tpart part[ST_SERIAL_TEMPLATE_MAX]; /* the parsed parts, in order */
    size_t nparts;                                /* parts used in part[] */
    int year;                                     /* opts.year; 0 = the clock's */
    int uses_clock;                               /* 1 when a part reads the date */
    int seq_width;                                /* n of {SEQ:n} */
    int rand_chars;                               /* sum of n over {RAND:n} */
    size_t serial_len;                            /* length of every serial */
    unsigned char pool[64];                       /* random bytes not used yet */
    size_t pool_left;                             /* ... the last pool_left of pool */

    /* random, and template {RAND:n} */
    char alphabet[ST_SERIAL_ALPHABET_MAX + 1]; /* characters, unique */
    unsigned alpha_len;                        /* strlen(alphabet) */
    int length;                                /* random: serial length */
    unsigned char key[ST_SERIAL_KEY_LEN];      /* random: the permutation's key */
    struct st_fpe *fpe;                        /* random: the permutation; owned */
};

/* 1 when c is allowed by profile p. */
int st_serial_in_profile(st_serial_profile p, char c);

/* ST_OK when s[from..n) is all in profile p, else ST_ERR_ARG naming `what` and
 * the offending byte (err->position = its offset in s). */
st_rc st_serial_check_text(st_serial_profile p, const char *what, const char *s, size_t from,
                           size_t n, st_error *err);

/* 10^digits - 1, or UINT64_MAX when that does not fit 64 bits. */
uint64_t st_serial_pow10_max(int digits);

/* Check alphabet (NULL = the default) against g's profile and copy it into g. */
st_rc st_serial_set_alphabet(st_serialgen *g, const char *alphabet, st_error *err);

/* Template scheme (serial_tmpl.c): parse opts->tmpl into g and set g->last
 * from {SEQ:n}. */
st_rc st_serial_tmpl_parse(st_serialgen *g, const st_serial_opts *opts, st_error *err);

/* Template scheme: write the serial for counter g->start + g->pos. */
st_rc st_serial_tmpl_next(st_serialgen *g, char *buf, size_t cap, st_error *err);

#endif
