/*
 * Sealing personal data (include/serialtrack/seal.h): AES-256-GCM through
 * OpenSSL EVP, a fresh random nonce per value, the caller's associated data
 * authenticated, the key id in front so a value names the key it needs.
 */
#include <serialtrack/seal.h>

#include <serialtrack/limits.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

struct st_seal_key {
    unsigned char k[ST_SEAL_KEY_BYTES]; /* AES-256 key */
    unsigned id;                        /* 1..255 */
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* 32 bytes from base64 text[0..n) (44 characters, padded); 0 or -1. */
static int from_base64(const char *t, size_t n, unsigned char out[ST_SEAL_KEY_BYTES])
{
    if (n != 44)
        return -1;
    unsigned char buf[48];
    if (EVP_DecodeBlock(buf, (const unsigned char *)t, (int)n) != 33 || t[43] != '=' ||
        t[42] == '=')
        return -1;
    memcpy(out, buf, ST_SEAL_KEY_BYTES);
    OPENSSL_cleanse(buf, sizeof buf);
    return 0;
}

st_rc st_seal_key_parse(const char *text, size_t n, st_seal_key **out, st_error *err)
{
    if (!out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "out is NULL");
    *out = NULL;
    if (!text)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no key text");
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\n' || text[n - 1] == '\r' ||
                 text[n - 1] == '\t'))
        n--;
    while (n && (*text == ' ' || *text == '\n' || *text == '\r' || *text == '\t'))
        text++, n--;
    unsigned id = 1;
    const char *colon = memchr(text, ':', n);
    if (colon) {
        id = 0;
        for (const char *p = text; p < colon; p++) {
            if (*p < '0' || *p > '9' || id > 255)
                return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                               "the data key's id (before ':') is not a number from 1 to 255");
            id = id * 10 + (unsigned)(*p - '0');
        }
        if (id < 1 || id > 255)
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                           "the data key's id (before ':') is not a number from 1 to 255");
        n -= (size_t)(colon + 1 - text);
        text = colon + 1;
    }
    st_seal_key *k = calloc(1, sizeof *k);
    if (!k)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    k->id = id;
    int ok = 0;
    if (n == 2 * ST_SEAL_KEY_BYTES) {
        ok = 1;
        for (size_t i = 0; i < ST_SEAL_KEY_BYTES && ok; i++) {
            int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
            if (hi < 0 || lo < 0)
                ok = 0;
            else
                k->k[i] = (unsigned char)(hi << 4 | lo);
        }
    } else if (n == 44) {
        ok = from_base64(text, n, k->k) == 0;
    }
    if (!ok) {
        st_seal_key_destroy(k);
        return st_fail(err, ST_ERR_LENGTH, -1, NULL,
                       "a data key is 32 random bytes as 64 hex digits or 44 base64 characters "
                       "(e.g. from `openssl rand -hex 32`); the text given has %zu characters "
                       "that are neither",
                       n);
    }
    *out = k;
    return ST_OK;
}

st_rc st_seal_key_load(const char *path, st_seal_key **out, st_error *err)
{
    if (out)
        *out = NULL;
    if (!path || !*path)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no data key file named");
    FILE *f = fopen(path, "rb");
    if (!f)
        return st_fail(err, ST_ERR_IO, -1, NULL, "data key file %s: %s", path, strerror(errno));
    char buf[ST_SEAL_KEY_FILE_MAX + 1];
    size_t n = fread(buf, 1, sizeof buf, f);
    int bad = ferror(f);
    fclose(f);
    st_rc rc;
    if (bad)
        rc = st_fail(err, ST_ERR_IO, -1, NULL, "data key file %s cannot be read", path);
    else if (n > ST_SEAL_KEY_FILE_MAX)
        rc = st_fail(err, ST_ERR_LENGTH, -1, NULL, "data key file %s holds more than %d bytes",
                     path, ST_SEAL_KEY_FILE_MAX);
    else if ((rc = st_seal_key_parse(buf, n, out, err)) != ST_OK && err) {
        char why[200];
        snprintf(why, sizeof why, "%s", err->msg);
        st_fail(err, rc, -1, NULL, "data key file %s: %s", path, why);
    }
    OPENSSL_cleanse(buf, sizeof buf);
    return rc;
}

void st_seal_key_destroy(st_seal_key *k)
{
    if (!k)
        return;
    OPENSSL_cleanse(k, sizeof *k);
    free(k);
}

unsigned st_seal_key_id(const st_seal_key *k)
{
    return k ? k->id : 0;
}

/* One AES-256-GCM pass: enc 1 seals, 0 opens (then tag is checked). */
static int gcm(const st_seal_key *k, int enc, const unsigned char *nonce, const char *aad,
               const unsigned char *in, size_t n, unsigned char *out, unsigned char *tag)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int len = 0, done = 0, ok = c != NULL;
    ok = ok && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, ST_SEAL_NONCE_BYTES, NULL) == 1;
    ok = ok && EVP_CipherInit_ex(c, NULL, NULL, k->k, nonce, enc) == 1;
    if (ok && aad && *aad)
        ok = EVP_CipherUpdate(c, NULL, &len, (const unsigned char *)aad, (int)strlen(aad)) == 1;
    if (ok && n)
        ok = EVP_CipherUpdate(c, out, &done, in, (int)n) == 1;
    if (ok && !enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, ST_SEAL_TAG_BYTES, tag) == 1;
    ok = ok && EVP_CipherFinal_ex(c, out + done, &len) == 1; /* GCM adds no bytes here */
    if (ok && enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, ST_SEAL_TAG_BYTES, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok;
}

st_rc st_seal(const st_seal_key *k, const void *pt, size_t n, const char *aad, unsigned char *out,
              size_t cap, size_t *outn, st_error *err)
{
    if (!k || (!pt && n) || !out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no key, value or output");
    if (n > (size_t)1 << 30 || cap < n + ST_SEAL_OVERHEAD)
        return st_fail(err, ST_ERR_BUFFER, -1, NULL, "%zu bytes do not hold a sealed value of %zu",
                       cap, n);
    out[0] = (unsigned char)k->id;
    unsigned char *nonce = out + 1, *ct = nonce + ST_SEAL_NONCE_BYTES, *tag = ct + n;
    if (RAND_bytes(nonce, ST_SEAL_NONCE_BYTES) != 1)
        return st_fail(err, ST_ERR_IO, -1, NULL, "OpenSSL RAND_bytes could not draw a nonce");
    if (!gcm(k, 1, nonce, aad, pt, n, ct, tag)) {
        OPENSSL_cleanse(out, cap);
        return st_fail(err, ST_ERR_IO, -1, NULL, "OpenSSL AES-256-GCM failed to seal");
    }
    if (outn)
        *outn = n + ST_SEAL_OVERHEAD;
    return ST_OK;
}

st_rc st_unseal(const st_seal_key *k, const unsigned char *in, size_t n, const char *aad, char *out,
                size_t cap, size_t *outn, st_error *err)
{
    if (!k || !in || !out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no key, sealed value or output");
    if (n < ST_SEAL_OVERHEAD)
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                       "%zu bytes are too few for a sealed value (at least %d)", n,
                       ST_SEAL_OVERHEAD);
    if (in[0] != k->id)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "the value was sealed under data key %u; the key configured is key %u",
                       in[0], k->id);
    size_t m = n - ST_SEAL_OVERHEAD;
    if (cap < m + 1)
        return st_fail(err, ST_ERR_BUFFER, -1, NULL, "%zu bytes do not hold a value of %zu", cap,
                       m);
    unsigned char tag[ST_SEAL_TAG_BYTES];
    memcpy(tag, in + 1 + ST_SEAL_NONCE_BYTES + m, sizeof tag);
    if (!gcm(k, 0, in + 1, aad, in + 1 + ST_SEAL_NONCE_BYTES, m, (unsigned char *)out, tag)) {
        OPENSSL_cleanse(out, cap);
        return st_fail(err, ST_ERR_INTEGRITY, -1, NULL,
                       "the sealed value does not authenticate: a wrong data key, or the value "
                       "was changed or moved");
    }
    out[m] = 0;
    if (outn)
        *outn = m;
    return ST_OK;
}
