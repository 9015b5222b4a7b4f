/*
 * Format-preserving encryption of counters: a keyed pseudorandom permutation
 * of [0, radix^length), used by the random serial scheme (serial.c) to turn the
 * counter 0, 1, 2, ... into serials that never repeat and cannot be guessed.
 *
 * Design: the domain is first embedded in the bit strings of n bits, where
 * n = max(2, bit length of radix^length - 1), split into a high half A of
 * floor(n/2) bits and a low half B of ceil(n/2) bits. ST_FPE_ROUNDS rounds of
 * an alternating (unbalanced when n is odd) Feistel network follow: even rounds
 * set A ^= F(r, B), odd rounds B ^= F(r, A), where F is HMAC-SHA-256 under the
 * 32-byte key of (round, radix, length, half widths, other half), truncated to
 * the width of the half it changes. That is a permutation of [0, 2^n);
 * cycle-walking (applying it again while the result is >= radix^length) makes
 * it one of [0, radix^length). As 2^(n-1) < radix^length, fewer than two
 * passes are needed on average.
 *
 * Domain limit: each half must fit a 64-bit word, so radix^length may be at
 * most 2^128 (ST_FPE_MAX_BITS). Every random-serial configuration allowed by
 * limits.h fits: 82^20 is about 2^127.2.
 *
 * Security note: like every Feistel-based FPE (NIST FF1, FF3-1), small domains
 * are weak against an attacker who sees many outputs; the serial scheme
 * reports the guessing probability so callers keep the space large.
 */
#ifndef ST_GS1_FPE_H
#define ST_GS1_FPE_H

#include <stddef.h>
#include <stdint.h>
#include <serialtrack/rc.h>

#define ST_FPE_KEY_LEN 32     /* bytes of an HMAC-SHA-256 key */
#define ST_FPE_ROUNDS 10      /* Feistel rounds (5 updates of each half) */
#define ST_FPE_MAX_BITS 128   /* radix^length may be at most 2^ST_FPE_MAX_BITS */
#define ST_FPE_MAX_RADIX 256  /* digits are bytes */
#define ST_FPE_MAX_LENGTH 128 /* digits per value (2^128 needs 128 binary digits) */

struct st_fpe; /* one keyed permutation; internal, hence not typedef'd */

/*
 * Create the permutation of [0, radix^length) under key[0..ST_FPE_KEY_LEN).
 * The key is copied into hash states and not kept in clear; the caller keeps
 * ownership of key. ST_ERR_ARG when radix is not 2..256, length is not
 * 1..128, or radix^length exceeds 2^128 (the message names the limit);
 * ST_ERR_NOMEM; ST_ERR_INTERNAL when OpenSSL fails. *out is freed with
 * st_fpe_destroy.
 */
st_rc st_fpe_create(const unsigned char *key, unsigned radix, unsigned length, struct st_fpe **out,
                    st_error *err);

/* Free f and wipe its key material. NULL is accepted. */
void st_fpe_destroy(struct st_fpe *f);

/* radix^length, saturated at UINT64_MAX. */
uint64_t st_fpe_domain(const struct st_fpe *f);

/* log2(radix^length), for reporting how large the domain is. */
double st_fpe_domain_log2(const struct st_fpe *f);

/*
 * Permute index and write the result as `length` digit values (each below
 * radix), most significant first, into digits[0..length). ST_ERR_RANGE when
 * index is outside the domain. f is not const because it reuses its hash
 * contexts; one st_fpe must not be used by two threads at once.
 */
st_rc st_fpe_encrypt(struct st_fpe *f, uint64_t index, unsigned char *digits, st_error *err);

/*
 * The inverse: the index whose permutation is digits[0..length). ST_ERR_ARG
 * for a digit >= radix; ST_ERR_RANGE when the index does not fit 64 bits
 * (possible when the domain is larger than 2^64).
 */
st_rc st_fpe_decrypt(struct st_fpe *f, const unsigned char *digits, uint64_t *index, st_error *err);

#endif
