/*
 * The tamper-evident chain. Every committed document that stores events is
 * one link:
 *   hash = SHA-256(prev_hash || be64(batch id) || be64(record time ms)
 *                  || hash of event 1 || ... || hash of event n || be64(n))
 * where the event hashes are the 32-byte digests of their CBV 2.0 hash IDs in
 * record order and prev_hash is the previous link's hash (32 zero bytes for
 * the first). Changing, removing or adding an event, or a link, breaks every
 * link after it.
 */
#ifndef ST_STORE_CHAIN_H
#define ST_STORE_CHAIN_H

#include <stdint.h>
#include <serialtrack/rc.h>

typedef struct st_chain {
    void *md;   /* EVP_MD_CTX */
    uint64_t n; /* events added */
} st_chain;

/* Start the link after prev (32 bytes) for batch id at record_ms.
 * ST_ERR_NOMEM or ST_ERR_INTERNAL when the digest cannot be set up. */
st_rc st_chain_begin(st_chain *c, const unsigned char prev[32], int64_t batch, int64_t record_ms);

/* Add the next event's 32-byte hash. */
void st_chain_event(st_chain *c, const unsigned char hash[32]);

/* Finish: out receives the link's hash; c is freed. */
st_rc st_chain_end(st_chain *c, unsigned char out[32]);

/* Free a chain that is not finished (error paths). Accepts a zeroed c. */
void st_chain_abort(st_chain *c);

/* 32 bytes to 64 lower-case hex digits and a NUL. */
void st_chain_hex(const unsigned char h[32], char out[65]);

#endif
