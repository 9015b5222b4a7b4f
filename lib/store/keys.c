/*
 * API keys in the store (include/serialtrack/keys.h): table api_key of
 * schema v2. Reads go through the store's read path, writes through its
 * administrative write path (st_store_admin_exec), one transaction each.
 *
 * Only SHA-256(key) is stored. A plain, unsalted, fast hash is enough here,
 * unlike for passwords: every key carries 256 bits from RAND_bytes, so there
 * is no dictionary to try and no brute force that could finish, and a salt
 * or a slow hash (which protect low-entropy secrets) would only make each
 * request's lookup slower. The hash being deterministic is what lets a
 * lookup be one probe of the UNIQUE index on api_key.hash.
 */
#include <serialtrack/keys.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "store/scope.h"
#include "store/store_int.h"

#define KEY_RANDOM_BYTES 32 /* 256 bits */

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567"; /* RFC 4648, lower case */

_Static_assert(sizeof ST_KEY_PREFIX - 1 + (KEY_RANDOM_BYTES * 8 + 4) / 5 == ST_KEY_LEN,
               "ST_KEY_LEN is the prefix and the base32 form of the random bytes");

static const char *const role_names[] = {"admin", "capture", "query", "partner"};

unsigned st_key_role_parse(const char *name)
{
    for (unsigned i = 0; name && i < sizeof role_names / sizeof *role_names; i++)
        if (!strcmp(name, role_names[i]))
            return 1u << i;
    return 0;
}

const char *st_key_role_name(unsigned role)
{
    for (unsigned i = 0; i < sizeof role_names / sizeof *role_names; i++)
        if (role == 1u << i)
            return role_names[i];
    return "none";
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int sha256(const char *s, size_t n, unsigned char out[32])
{
    unsigned len = 0;
    return EVP_Digest(s, n, out, &len, EVP_sha256(), NULL) == 1 && len == 32 ? 0 : -1;
}

/* 1 when text has the form of a key (prefix, length, alphabet). */
static int key_form(const char *text)
{
    size_t pre = sizeof ST_KEY_PREFIX - 1;
    if (!text || strncmp(text, ST_KEY_PREFIX, pre) || strlen(text) != ST_KEY_LEN)
        return 0;
    for (const char *p = text + pre; *p; p++)
        if (!strchr(b32, *p))
            return 0;
    return 1;
}

static st_rc check_name(const char *name, st_error *err)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > ST_KEY_NAME_MAX)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "a key name has 1 to %d characters",
                       ST_KEY_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return st_fail(err, ST_ERR_ARG, (long)i, NULL,
                           "key name \"%s\": character %zu is not one of A-Z a-z 0-9 . _ -", name,
                           i + 1);
    }
    return ST_OK;
}

static st_rc check_party(const char *party, unsigned role, st_error *err)
{
    if (!party || !*party)
        return role == ST_KEY_ROLE_PARTNER
                   ? st_fail(err, ST_ERR_ARG, -1, NULL,
                             "a partner key needs the party it speaks for (--party PGLN)")
                   : ST_OK;
    size_t n = strlen(party);
    if (n > ST_KEY_PARTY_MAX)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "the party has %zu bytes; the limit is %d", n,
                       ST_KEY_PARTY_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)party[i] <= ' ' || party[i] == 0x7f)
            return st_fail(err, ST_ERR_ARG, (long)i, NULL,
                           "the party contains a space or control character at byte %zu", i);
    char key[ST_KEY_PARTY_MAX + 64];
    st_error e;
    st_error_clear(&e);
    if (st_scope_party_key(party, key, sizeof key, &e) != ST_OK)
        return st_fail(err, ST_ERR_ARG, e.position, NULL, "%s", e.msg);
    return ST_OK;
}

/* ---- reads ----------------------------------------------------------------------- */

static st_rc row_count(void *ctx, const st_val *c, int n)
{
    *(int64_t *)ctx = n > 0 && c[0].type == ST_VAL_INT ? c[0].i : 0;
    return ST_OK;
}

static void copy_text(char *dst, size_t cap, const st_val *v)
{
    size_t n = v->type == ST_VAL_TEXT ? v->n : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, v->p, n);
    dst[n] = 0;
}

#define KEY_COLS "id, name, role, party, created, revoked"

/* A row of KEY_COLS into k. */
static void row_info(st_key_info *k, const st_val *c, int n)
{
    memset(k, 0, sizeof *k);
    if (n < 6)
        return;
    k->id = c[0].i;
    copy_text(k->name, sizeof k->name, &c[1]);
    char role[16];
    copy_text(role, sizeof role, &c[2]);
    k->role = st_key_role_parse(role);
    copy_text(k->party, sizeof k->party, &c[3]);
    k->created_ms = c[4].type == ST_VAL_INT ? c[4].i : 0;
    k->revoked_ms = c[5].type == ST_VAL_INT ? c[5].i : 0;
}

struct list_ctx {
    st_key_cb cb;
    void *ctx;
};

static st_rc row_list(void *ctx, const st_val *c, int n)
{
    struct list_ctx *l = ctx;
    st_key_info k;
    row_info(&k, c, n);
    return l->cb(l->ctx, &k);
}

static st_rc row_one(void *ctx, const st_val *c, int n)
{
    st_key_info *k = ctx;
    row_info(k, c, n);
    return ST_OK;
}

st_rc st_keys_list(st_store *s, st_key_cb cb, void *ctx, st_error *err)
{
    if (!s || !cb)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no callback");
    struct list_ctx l = {cb, ctx};
    return st_store_exec(s, "SELECT " KEY_COLS " FROM api_key ORDER BY id", NULL, 0, row_list, &l,
                         err);
}

st_rc st_keys_lookup(st_store *s, const char *key, st_key_info *out, st_error *err)
{
    if (!s || !out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no record");
    memset(out, 0, sizeof *out);
    if (!key_form(key))
        return st_fail(err, ST_ERR_NOT_FOUND, -1, NULL, "not an API key");
    unsigned char h[32];
    if (sha256(key, strlen(key), h))
        return st_fail(err, ST_ERR_INTERNAL, -1, NULL, "SHA-256 failed");
    st_val arg = st_val_blob(h, sizeof h);
    st_rc rc = st_store_exec(s, "SELECT " KEY_COLS " FROM api_key WHERE hash = $1", &arg, 1,
                             row_one, out, err);
    if (rc)
        return rc;
    if (!out->id)
        return st_fail(err, ST_ERR_NOT_FOUND, -1, NULL, "no such API key");
    return ST_OK;
}

st_rc st_keys_count(st_store *s, int64_t *n, st_error *err)
{
    if (!s || !n)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no count");
    *n = 0;
    return st_store_exec(s, "SELECT count(*) FROM api_key", NULL, 0, row_count, n, err);
}

/* ---- writes ---------------------------------------------------------------------- */

st_rc st_keys_create(st_store *s, const char *name, const char *role, const char *party,
                     char *out_key, size_t cap, st_error *err)
{
    if (out_key && cap)
        out_key[0] = 0;
    if (!s)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store");
    if (!out_key || cap < ST_KEY_LEN + 1)
        return st_fail(err, ST_ERR_BUFFER, -1, NULL, "a key needs %d bytes", ST_KEY_LEN + 1);
    st_rc rc = check_name(name, err);
    if (rc)
        return rc;
    unsigned bit = st_key_role_parse(role);
    if (!bit)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "role \"%s\" is not one of admin, capture, query, partner",
                       role ? role : "");
    if ((rc = check_party(party, bit, err)))
        return rc;

    unsigned char rnd[KEY_RANDOM_BYTES];
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        return st_fail(err, ST_ERR_IO, -1, NULL, "OpenSSL RAND_bytes could not draw a key");
    char key[ST_KEY_LEN + 1];
    size_t n = sizeof ST_KEY_PREFIX - 1;
    memcpy(key, ST_KEY_PREFIX, n);
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < sizeof rnd; i++) {
        acc = (acc << 8) | rnd[i];
        bits += 8;
        while (bits >= 5) {
            key[n++] = b32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits)
        key[n++] = b32[(acc << (5 - bits)) & 31];
    key[n] = 0;
    unsigned char h[32];
    if (sha256(key, n, h))
        return st_fail(err, ST_ERR_INTERNAL, -1, NULL, "SHA-256 failed");

    int64_t exists = 0;
    st_val arg = st_val_text(name);
    if ((rc = st_store_exec(s, "SELECT count(*) FROM api_key WHERE name = $1", &arg, 1, row_count,
                            &exists, err)))
        return rc;
    if (exists)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "a key named \"%s\" exists already", name);
    st_val args[5] = {st_val_text(name), st_val_text(st_key_role_name(bit)),
                      st_val_text(party && *party ? party : NULL), st_val_blob(h, sizeof h),
                      st_val_int(now_ms())};
    /* a create racing this one for the same name fails on the UNIQUE constraint */
    rc = st_store_admin_exec(s,
                             "INSERT INTO api_key(name, role, party, hash, created)"
                             " VALUES ($1, $2, $3, $4, $5)",
                             args, 5, NULL, NULL, NULL, err);
    if (rc) {
        OPENSSL_cleanse(key, sizeof key);
        return rc;
    }
    memcpy(out_key, key, n + 1);
    OPENSSL_cleanse(key, sizeof key);
    return ST_OK;
}

st_rc st_keys_revoke(st_store *s, const char *name, st_error *err)
{
    if (!s || !name)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no name");
    st_val args[2] = {st_val_int(now_ms()), st_val_text(name)};
    int64_t changed = 0;
    st_rc rc = st_store_admin_exec(
        s, "UPDATE api_key SET revoked = $1 WHERE name = $2 AND revoked IS NULL", args, 2, NULL,
        NULL, &changed, err);
    if (rc || changed)
        return rc;
    int64_t exists = 0;
    if ((rc = st_store_exec(s, "SELECT count(*) FROM api_key WHERE name = $1", &args[1], 1,
                            row_count, &exists, err)))
        return rc;
    return exists ? ST_OK : st_fail(err, ST_ERR_NOT_FOUND, -1, NULL, "no key named \"%s\"", name);
}
