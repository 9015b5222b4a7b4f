/*
 * API keys of the HTTP server, kept in the store: each key has a unique
 * name, one role (what it may do) and, for partners, the party it speaks
 * for. A key is a random secret shown once, when it is created; the store
 * keeps only its SHA-256. Keys are revoked, never deleted, so the names of
 * former callers stay on record.
 */
#ifndef SERIALTRACK_KEYS_H
#define SERIALTRACK_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <serialtrack/rc.h>
#include <serialtrack/store.h>

/* Caps of this module. TODO: move to limits.h with the next edit there. */
#define ST_KEY_NAME_MAX 64   /* bytes of a key's name */
#define ST_KEY_PARTY_MAX 255 /* bytes of a partner's party (PGLN, Digital Link or URI) */
#define ST_KEY_TEXT_MAX 128  /* bytes of a key as a caller sends it; longer is refused unread */

#define ST_KEY_PREFIX "stk_" /* every key starts with it (recognisable in logs and scanners) */
#define ST_KEY_LEN 56        /* "stk_" + 52 base32 characters (256 random bits) */

/* Roles, as bits: the same values as the routes' ST_ROLE_BIT_* (lib/api/router.h). */
#define ST_KEY_ROLE_ADMIN 0x01   /* everything, key management included */
#define ST_KEY_ROLE_CAPTURE 0x02 /* capture events */
#define ST_KEY_ROLE_QUERY 0x04   /* read events and items */
#define ST_KEY_ROLE_PARTNER 0x08 /* read what concerns its party (st_scope) */

/* The role bit named name ("admin", "capture", "query", "partner"), or 0. */
unsigned st_key_role_parse(const char *name);

/* The name of role bit role ("admin", ...), or "none". Static string. */
const char *st_key_role_name(unsigned role);

/* One stored key (never the key itself, nor its hash). */
typedef struct st_key_info {
    int64_t id;                        /* row id, in creation order */
    char name[ST_KEY_NAME_MAX + 1];    /* unique name */
    unsigned role;                     /* one ST_KEY_ROLE_* bit */
    char party[ST_KEY_PARTY_MAX + 1];  /* partner's party; "" for none */
    int64_t created_ms;                /* when it was created, ms since the epoch */
    int64_t revoked_ms;                /* when it was revoked; 0 while it is valid */
} st_key_info;

/*
 * Create a key named name (1..ST_KEY_NAME_MAX of A-Z a-z 0-9 . _ -) with role
 * ("admin", "capture", "query", "partner") and party (may be NULL; required
 * for "partner"). A new random key (OpenSSL RAND_bytes) is written to
 * out_key (cap bytes, at least ST_KEY_LEN + 1), NUL-terminated; it is not
 * kept anywhere and cannot be shown again. Nothing is copied out of the
 * arguments; the store keeps copies. Errors, with a sentence in err (may be
 * NULL): ST_ERR_ARG (bad name, role or party, or a key with that name
 * exists, revoked or not), ST_ERR_BUFFER (cap too small), ST_ERR_IO.
 */
st_rc st_keys_create(st_store *s, const char *name, const char *role, const char *party,
                     char *out_key, size_t cap, st_error *err);

/* Called by st_keys_list for each key; k is valid during the call only. A
 * non-OK return stops the listing and is returned by it. */
typedef st_rc (*st_key_cb)(void *ctx, const st_key_info *k);

/* Call cb for every key, revoked ones included, in creation order. */
st_rc st_keys_list(st_store *s, st_key_cb cb, void *ctx, st_error *err);

/*
 * Revoke the key named name: from then on it is refused (a running server
 * notices within its cache time, docs/ARCHITECTURE.md). Revoking a revoked
 * key changes nothing and is ST_OK. ST_ERR_NOT_FOUND when no key has that
 * name.
 */
st_rc st_keys_revoke(st_store *s, const char *name, st_error *err);

/*
 * The stored key whose secret is key (as a caller sent it) into *out,
 * revoked or not (out->revoked_ms tells). ST_ERR_NOT_FOUND when no key
 * matches, or key is not in the form of one.
 */
st_rc st_keys_lookup(st_store *s, const char *key, st_key_info *out, st_error *err);

/* How many keys the store holds, revoked ones included, into *n. */
st_rc st_keys_count(st_store *s, int64_t *n, st_error *err);

#endif
