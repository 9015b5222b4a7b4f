/*
 * Page tokens: the position after the last event delivered, the snapshot
 * bound and a hash of the query's normalised parameters, as 50 bytes with
 * an 8-byte SHA-256 checksum in base64url. Opaque to clients; a token of
 * another query or an altered one is refused.
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>

#include "store/query_int.h"

#define TOKEN_VERSION 1 /* first byte of a token */
#define TOKEN_BODY 42   /* bytes before the checksum */
#define TOKEN_BYTES 50  /* with the 8-byte checksum */

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void put64(unsigned char *p, int64_t v)
{
    for (int i = 7; i >= 0; i--, v = (int64_t)((uint64_t)v >> 8))
        p[i] = (unsigned char)(v & 0xff);
}

static int64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

static int sha256(const void *p, size_t n, unsigned char out[32])
{
    unsigned int len = 0;
    return EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) == 1 && len == 32 ? 0 : -1;
}

st_rc st_query_token_encode(const token *t, char *out, size_t cap)
{
    unsigned char b[TOKEN_BYTES], h[32];
    b[0] = TOKEN_VERSION;
    b[1] = 0;
    memcpy(b + 2, t->hash, 8);
    put64(b + 10, t->snap);
    put64(b + 18, t->key);
    put64(b + 26, t->id);
    put64(b + 34, t->count);
    if (sha256(b, TOKEN_BODY, h))
        return ST_ERR_INTERNAL;
    memcpy(b + TOKEN_BODY, h, 8);
    size_t need = (TOKEN_BYTES * 8 + 5) / 6 + 1;
    if (!out || cap < need)
        return ST_ERR_BUFFER;
    size_t o = 0;
    for (size_t i = 0; i < TOKEN_BYTES; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (i + 1 < TOKEN_BYTES ? (uint32_t)b[i + 1] << 8 : 0) |
                     (i + 2 < TOKEN_BYTES ? b[i + 2] : 0);
        size_t chars = i + 2 < TOKEN_BYTES ? 4 : i + 1 < TOKEN_BYTES ? 3 : 2;
        for (size_t k = 0; k < chars; k++)
            out[o++] = b64url[(v >> (18 - 6 * k)) & 63];
    }
    out[o] = '\0';
    return ST_OK;
}

int st_query_token_decode(const char *s, token *t)
{
    unsigned char b[TOKEN_BYTES + 2], h[32];
    size_t n = strlen(s), o = 0;
    if (n != (TOKEN_BYTES * 8 + 5) / 6)
        return -1;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = strchr(b64url, s[i]);
        if (!s[i] || !p)
            return -1;
        acc = acc << 6 | (uint32_t)(p - b64url);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o < sizeof b)
                b[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (o != TOKEN_BYTES || b[0] != TOKEN_VERSION || sha256(b, TOKEN_BODY, h) ||
        memcmp(h, b + TOKEN_BODY, 8))
        return -1;
    memcpy(t->hash, b + 2, 8);
    t->snap = get64(b + 10);
    t->key = get64(b + 18);
    t->id = get64(b + 26);
    t->count = get64(b + 34);
    return t->snap < 0 || t->id < 0 || t->count < 0 ? -1 : 0;
}

/* The hash of the normalised parameters (all but perPage and nextPageToken),
 * in name order. */
int st_query_params_hash(const st_query *q, unsigned char out[8])
{
    int idx[ST_QUERY_MAX_PARAMS], n = 0;
    for (int i = 0; i < q->n; i++)
        if (q->norm[i])
            idx[n++] = i;
    for (int i = 1; i < n; i++) /* insertion sort by name */
        for (int k = i; k > 0 && strcmp(q->names[idx[k - 1]], q->names[idx[k]]) > 0; k--) {
            int t = idx[k];
            idx[k] = idx[k - 1];
            idx[k - 1] = t;
        }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char h[32];
    unsigned int len = 0;
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    for (int i = 0; ok && i < n; i++) {
        const char *nm = q->names[idx[i]], *v = q->norm[idx[i]];
        ok = EVP_DigestUpdate(md, nm, strlen(nm) + 1) && EVP_DigestUpdate(md, v, strlen(v) + 1);
    }
    ok = ok && EVP_DigestFinal_ex(md, h, &len);
    EVP_MD_CTX_free(md);
    if (!ok)
        return -1;
    memcpy(out, h, 8);
    return 0;
}
