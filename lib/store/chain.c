/*
 * The chain link hash (chain.h) over OpenSSL's EVP SHA-256.
 */
#include "store/chain.h"

#include <openssl/evp.h>

static void put_be64(EVP_MD_CTX *md, uint64_t v)
{
    unsigned char b[8];
    for (int i = 7; i >= 0; i--, v >>= 8)
        b[i] = (unsigned char)v;
    EVP_DigestUpdate(md, b, sizeof b);
}

st_rc st_chain_begin(st_chain *c, const unsigned char prev[32], int64_t batch, int64_t record_ms)
{
    c->n = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md)
        return ST_ERR_NOMEM;
    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        return ST_ERR_INTERNAL;
    }
    EVP_DigestUpdate(md, prev, 32);
    put_be64(md, (uint64_t)batch);
    put_be64(md, (uint64_t)record_ms);
    c->md = md;
    return ST_OK;
}

void st_chain_event(st_chain *c, const unsigned char hash[32])
{
    EVP_DigestUpdate(c->md, hash, 32);
    c->n++;
}

st_rc st_chain_end(st_chain *c, unsigned char out[32])
{
    put_be64(c->md, c->n);
    unsigned int len = 0;
    int ok = EVP_DigestFinal_ex(c->md, out, &len) == 1 && len == 32;
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
    return ok ? ST_OK : ST_ERR_INTERNAL;
}

void st_chain_abort(st_chain *c)
{
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
}

void st_chain_hex(const unsigned char h[32], char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[h[i] >> 4];
        out[2 * i + 1] = hex[h[i] & 15];
    }
    out[64] = 0;
}
