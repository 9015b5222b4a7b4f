/* GS1 check digits: mod-10 for numeric keys, the mod-1021 pair for GMN/MUDI. */
#include "gs1/checkdigit.h"

#include "gs1/cset.h"

char st_cd_mod10(const char *d, size_t n)
{
    unsigned sum = 0, w = 3;
    for (size_t i = n; i-- > 0;) {
        unsigned c = (unsigned char)d[i] - '0';
        if (c > 9)
            return 0;
        sum += c * w;
        w ^= 2; /* 3 -> 1 -> 3 ... */
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

st_rc st_cd_verify(const char *key, size_t n, char *expected)
{
    if (n < 2)
        return ST_ERR_LENGTH;
    char want = st_cd_mod10(key, n - 1);
    if (!want || key[n - 1] < '0' || key[n - 1] > '9')
        return ST_ERR_CHARSET;
    if (expected)
        *expected = want;
    return key[n - 1] == want ? ST_OK : ST_ERR_CHECK_DIGIT;
}

/* The 32 characters a check pair is written with. */
static const char pair_chars[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/* Prime weights; the right-most data character gets 2, the next 3, and so on. */
static const unsigned primes[] = {83, 79, 73, 71, 67, 61, 59, 53, 47, 43, 41, 37,
                                  31, 29, 23, 19, 17, 13, 11, 7,  5,  3,  2};
#define ST_CD_ALPHA_MAX (sizeof primes / sizeof primes[0])

st_rc st_cd_alpha_pair(const char *d, size_t n, char out[2])
{
    if (n > ST_CD_ALPHA_MAX)
        return ST_ERR_LENGTH;
    unsigned sum = 0;
    const unsigned *w = primes + ST_CD_ALPHA_MAX - n;
    for (size_t i = 0; i < n; i++) {
        int v = st_cset82_value((unsigned char)d[i]);
        if (v < 0)
            return ST_ERR_CHARSET;
        sum += (unsigned)v * w[i];
    }
    sum %= 1021;
    out[0] = pair_chars[sum >> 5];
    out[1] = pair_chars[sum & 31];
    return ST_OK;
}
