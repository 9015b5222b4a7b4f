/*
 * Format-preserving encryption of counters (see fpe.h for the design): a
 * cycle-walking alternating Feistel network over HMAC-SHA-256, with 128-bit
 * arithmetic done on pairs of 64-bit words so no compiler extension is needed.
 */
#include "gs1/fpe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/error.h"

/* An unsigned 128-bit number. */
typedef struct u128 {
    uint64_t hi; /* bits 64..127 */
    uint64_t lo; /* bits 0..63 */
} u128;

struct st_fpe {
    unsigned radix;  /* digit base, 2..256 */
    unsigned length; /* digits per value */
    u128 max;        /* radix^length - 1, the largest value of the domain */
    unsigned abits;  /* width of the high half A, 1..64 */
    unsigned bbits;  /* width of the low half B, 1..64 (abits or abits + 1) */
    uint64_t max_a;  /* max split into halves, for the in-domain test */
    uint64_t max_b;
    EVP_MD_CTX *inner; /* SHA-256 state after absorbing key ^ ipad */
    EVP_MD_CTX *outer; /* SHA-256 state after absorbing key ^ opad */
    EVP_MD_CTX *work;  /* scratch copy of one of the two */
};

/* All ones in the low w bits, 1 <= w <= 64. */
static uint64_t mask_bits(unsigned w)
{
    return w >= 64 ? UINT64_MAX : ((uint64_t)1 << w) - 1;
}

/* *x = *x * m + a; returns 1 (and leaves garbage) when the result needs more
 * than 128 bits. m and a are below 2^32. */
static int u128_mul_add(u128 *x, uint32_t m, uint32_t a)
{
    uint64_t l0 = (x->lo & 0xffffffffu) * m + a;
    uint64_t l1 = (x->lo >> 32) * m + (l0 >> 32);
    uint64_t carry = l1 >> 32;
    if (x->hi > (UINT64_MAX - carry) / m)
        return 1;
    x->lo = (l1 << 32) | (l0 & 0xffffffffu);
    x->hi = x->hi * m + carry;
    return 0;
}

/* *x /= d, returning the remainder; 2 <= d <= 256. */
static unsigned u128_divmod(u128 *x, unsigned d)
{
    uint64_t r = x->hi % d;
    x->hi /= d;
    uint64_t t = (r << 32) | (x->lo >> 32);
    uint64_t q1 = t / d;
    r = t % d;
    t = (r << 32) | (x->lo & 0xffffffffu);
    x->lo = (q1 << 32) | (t / d);
    return (unsigned)(t % d);
}

/* Number of significant bits of x (0 for 0). */
static unsigned u128_bitlen(u128 x)
{
    unsigned n = 0;
    for (uint64_t w = x.hi ? x.hi : x.lo; w; w >>= 1)
        n++;
    return x.hi ? n + 64 : n;
}

/* Split x into its high (A) and low (B, bbits wide) halves. */
static void split(const struct st_fpe *f, u128 x, uint64_t *a, uint64_t *b)
{
    *b = x.lo & mask_bits(f->bbits);
    *a = f->bbits >= 64 ? x.hi : (x.hi << (64 - f->bbits)) | (x.lo >> f->bbits);
}

/* The inverse of split. */
static u128 join(const struct st_fpe *f, uint64_t a, uint64_t b)
{
    u128 x;
    x.lo = f->bbits >= 64 ? b : (a << f->bbits) | b;
    x.hi = f->bbits >= 64 ? a : a >> (64 - f->bbits);
    return x;
}

/* 1 when the value with halves a, b lies in the domain (is <= max). */
static int in_domain(const struct st_fpe *f, uint64_t a, uint64_t b)
{
    return a < f->max_a || (a == f->max_a && b <= f->max_b);
}

/*
 * The round function: HMAC-SHA-256(key, msg) truncated to its first `width`
 * bits (big-endian), where msg is 16 bytes: round, radix - 1, length, abits,
 * bbits, "FPE", then the other half as 8 big-endian bytes. Binding the domain
 * parameters makes the permutations of different domains unrelated. The HMAC
 * is computed from the two precomputed pad states (RFC 2104, section 4).
 */
static int prf(struct st_fpe *f, unsigned round, uint64_t half, unsigned width, uint64_t *out)
{
    unsigned char msg[16] = {0, 0, 0, 0, 0, 'F', 'P', 'E'};
    msg[0] = (unsigned char)round;
    msg[1] = (unsigned char)(f->radix - 1);
    msg[2] = (unsigned char)f->length;
    msg[3] = (unsigned char)f->abits;
    msg[4] = (unsigned char)f->bbits;
    for (int i = 0; i < 8; i++)
        msg[8 + i] = (unsigned char)(half >> (56 - 8 * i));
    unsigned char ih[32], oh[32];
    unsigned int n;
    if (!EVP_MD_CTX_copy_ex(f->work, f->inner) || !EVP_DigestUpdate(f->work, msg, sizeof msg) ||
        !EVP_DigestFinal_ex(f->work, ih, &n) || !EVP_MD_CTX_copy_ex(f->work, f->outer) ||
        !EVP_DigestUpdate(f->work, ih, sizeof ih) || !EVP_DigestFinal_ex(f->work, oh, &n))
        return -1;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | oh[i];
    *out = v >> (64 - width);
    return 0;
}

/* One pass of the Feistel network over (a, b), forwards or backwards. */
static int feistel(struct st_fpe *f, uint64_t *a, uint64_t *b, int inverse)
{
    for (unsigned i = 0; i < ST_FPE_ROUNDS; i++) {
        unsigned r = inverse ? ST_FPE_ROUNDS - 1 - i : i;
        uint64_t y;
        if (r % 2 == 0) {
            if (prf(f, r, *b, f->abits, &y))
                return -1;
            *a ^= y;
        } else {
            if (prf(f, r, *a, f->bbits, &y))
                return -1;
            *b ^= y;
        }
    }
    return 0;
}

/* Absorb key ^ pad (one 64-byte SHA-256 block) into a fresh state in ctx. */
static int init_pad(EVP_MD_CTX *ctx, const unsigned char *key, unsigned char pad)
{
    unsigned char block[64];
    memset(block, pad, sizeof block);
    for (int i = 0; i < ST_FPE_KEY_LEN; i++)
        block[i] ^= key[i];
    int ok =
        EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) && EVP_DigestUpdate(ctx, block, sizeof block);
    OPENSSL_cleanse(block, sizeof block);
    return ok ? 0 : -1;
}

/* Build the permutation of [0, radix^length) (fpe.h): the key is absorbed into
 * the two HMAC pad states and not kept; the caller keeps key. */
st_rc st_fpe_create(const unsigned char *key, unsigned radix, unsigned length, struct st_fpe **out,
                    st_error *err)
{
    if (!out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "fpe: out is NULL");
    *out = NULL;
    if (!key)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "fpe: key is NULL");
    if (radix < 2 || radix > ST_FPE_MAX_RADIX)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "fpe: radix %u is not 2..%d", radix,
                       ST_FPE_MAX_RADIX);
    if (length < 1 || length > ST_FPE_MAX_LENGTH)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "fpe: length %u is not 1..%d", length,
                       ST_FPE_MAX_LENGTH);
    /* max = radix^length - 1, built as max' = max * radix + (radix - 1) so that
     * a domain of exactly 2^128 is representable */
    u128 max = {0, 0};
    for (unsigned i = 0; i < length; i++)
        if (u128_mul_add(&max, radix, radix - 1))
            return st_fail(err, ST_ERR_ARG, -1, NULL,
                           "fpe: domain %u^%u (about 2^%.1f) exceeds 2^%d, the limit of the "
                           "format-preserving permutation",
                           radix, length, length * log2((double)radix), ST_FPE_MAX_BITS);

    struct st_fpe *f = calloc(1, sizeof *f);
    if (!f)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "fpe: out of memory");
    f->radix = radix;
    f->length = length;
    f->max = max;
    unsigned n = u128_bitlen(max);
    if (n < 2)
        n = 2;
    f->abits = n / 2;
    f->bbits = n - n / 2;
    split(f, max, &f->max_a, &f->max_b);
    f->inner = EVP_MD_CTX_new();
    f->outer = EVP_MD_CTX_new();
    f->work = EVP_MD_CTX_new();
    if (!f->inner || !f->outer || !f->work || init_pad(f->inner, key, 0x36) ||
        init_pad(f->outer, key, 0x5c)) {
        st_fpe_destroy(f);
        return st_fail(err, ST_ERR_INTERNAL, -1, NULL, "fpe: OpenSSL could not set up SHA-256");
    }
    *out = f;
    return ST_OK;
}

/* Free f, its OpenSSL contexts and, wiped, its key-dependent state. */
void st_fpe_destroy(struct st_fpe *f)
{
    if (!f)
        return;
    EVP_MD_CTX_free(f->inner); /* frees and cleanses the key-dependent states */
    EVP_MD_CTX_free(f->outer);
    EVP_MD_CTX_free(f->work);
    OPENSSL_cleanse(f, sizeof *f);
    free(f);
}

/* radix^length, or UINT64_MAX when it does not fit 64 bits. */
uint64_t st_fpe_domain(const struct st_fpe *f)
{
    if (f->max.hi || f->max.lo == UINT64_MAX)
        return UINT64_MAX;
    return f->max.lo + 1;
}

/* length * log2(radix): the domain size in bits, for reports. */
double st_fpe_domain_log2(const struct st_fpe *f)
{
    return f->length * log2((double)f->radix);
}

/* Permute index by cycle-walking the Feistel network; write the result as
 * length base-radix digits into the caller's digits array. */
st_rc st_fpe_encrypt(struct st_fpe *f, uint64_t index, unsigned char *digits, st_error *err)
{
    if (!f || !digits)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "fpe: NULL argument");
    if (!f->max.hi && index > f->max.lo)
        return st_fail(err, ST_ERR_RANGE, -1, NULL, "fpe: index %llu is outside the domain %u^%u",
                       (unsigned long long)index, f->radix, f->length);
    uint64_t a, b;
    split(f, (u128){0, index}, &a, &b);
    do { /* cycle-walk: ends at the latest when the cycle returns to index */
        if (feistel(f, &a, &b, 0))
            return st_fail(err, ST_ERR_INTERNAL, -1, NULL, "fpe: OpenSSL HMAC failed");
    } while (!in_domain(f, a, b));
    u128 x = join(f, a, b);
    for (unsigned i = f->length; i-- > 0;)
        digits[i] = (unsigned char)u128_divmod(&x, f->radix);
    return ST_OK;
}

/* Invert st_fpe_encrypt: read the caller's digits, walk the inverse network
 * until the value is back in the domain, store the index in *index. */
st_rc st_fpe_decrypt(struct st_fpe *f, const unsigned char *digits, uint64_t *index, st_error *err)
{
    if (!f || !digits || !index)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "fpe: NULL argument");
    u128 x = {0, 0};
    for (unsigned i = 0; i < f->length; i++) {
        if (digits[i] >= f->radix)
            return st_fail(err, ST_ERR_ARG, (long)i, NULL, "fpe: digit %u at %u is not below %u",
                           digits[i], i, f->radix);
        u128_mul_add(&x, f->radix, digits[i]); /* cannot overflow: x <= max */
    }
    uint64_t a, b;
    split(f, x, &a, &b);
    do {
        if (feistel(f, &a, &b, 1))
            return st_fail(err, ST_ERR_INTERNAL, -1, NULL, "fpe: OpenSSL HMAC failed");
    } while (!in_domain(f, a, b));
    x = join(f, a, b);
    if (x.hi)
        return st_fail(err, ST_ERR_RANGE, -1, NULL,
                       "fpe: the index of these digits does not fit 64 bits");
    *index = x.lo;
    return ST_OK;
}
