/*
 * Personal data at rest: values sealed with AES-256-GCM (OpenSSL EVP) under
 * a 32-byte data key from the server's configuration. Every value gets its
 * own random 12-byte nonce; the caller's associated data (which row and
 * field the value belongs to) is authenticated, so a sealed value moved to
 * another row or field no longer opens. Sealed form, in this order:
 *   key id (1 byte) | nonce (12) | ciphertext (as long as the value) | tag (16)
 * The key id names the key that sealed a value, so keys can be rotated: a
 * new key gets a new id, and values sealed under an older one stay readable
 * while that key is still configured.
 */
#ifndef SERIALTRACK_SEAL_H
#define SERIALTRACK_SEAL_H

#include <stddef.h>
#include <serialtrack/rc.h>

#define ST_SEAL_KEY_BYTES 32 /* AES-256 */
#define ST_SEAL_NONCE_BYTES 12
#define ST_SEAL_TAG_BYTES 16
#define ST_SEAL_OVERHEAD (1 + ST_SEAL_NONCE_BYTES + ST_SEAL_TAG_BYTES) /* bytes added to a value   \
                                                                        */

typedef struct st_seal_key st_seal_key; /* a data key and its id */

/*
 * A key from text[0..n): 64 hex digits or the base64 of 32 bytes (44
 * characters with padding), optionally preceded by "ID:" with a key id from
 * 1 to 255 (default 1); surrounding white space is ignored. *out is freed
 * with st_seal_key_destroy (which wipes it). ST_ERR_SYNTAX / ST_ERR_LENGTH
 * with a sentence in err (never quoting the key) for anything else.
 */
st_rc st_seal_key_parse(const char *text, size_t n, st_seal_key **out, st_error *err);

/* st_seal_key_parse of the contents of the file path (ST_ERR_IO when it
 * cannot be read; the error names the path). */
st_rc st_seal_key_load(const char *path, st_seal_key **out, st_error *err);

/* Wipe and free k; NULL is accepted. */
void st_seal_key_destroy(st_seal_key *k);

/* The key's id (1..255). */
unsigned st_seal_key_id(const st_seal_key *k);

/*
 * Seal pt[0..n) with associated data aad (a NUL-terminated string that
 * names where the value belongs; not stored) into out[0..cap): *outn =
 * n + ST_SEAL_OVERHEAD. ST_ERR_BUFFER when cap is too small, ST_ERR_IO when
 * OpenSSL fails (no random bytes). Nothing is kept.
 */
st_rc st_seal(const st_seal_key *k, const void *pt, size_t n, const char *aad, unsigned char *out,
              size_t cap, size_t *outn, st_error *err);

/*
 * Open in[0..n), sealed with the same aad, into out[0..cap) as a
 * NUL-terminated string (*outn: its length without the NUL; may be NULL).
 * ST_ERR_ARG when the value was sealed under another key id, ST_ERR_SYNTAX
 * when it is too short to be sealed, ST_ERR_INTEGRITY when the tag does
 * not verify (a wrong key, or the value, its nonce or aad were changed);
 * ST_ERR_BUFFER when cap is too small. out holds nothing usable on failure.
 */
st_rc st_unseal(const st_seal_key *k, const unsigned char *in, size_t n, const char *aad, char *out,
                size_t cap, size_t *outn, st_error *err);

#endif
