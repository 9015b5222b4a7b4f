/*
 * st_codec: the storage form ("body") of one EPCIS event tree (epcis/event.h)
 * and the prefix bindings its hash ID needs: compact, self-contained bytes
 * for a database row, decoded back to the identical tree (names, namespaces,
 * prefixes, values byte for byte, flags, child order, event type), so the
 * CBV 2.0 hash ID of a decoded event equals the original's. Bodies may have
 * been tampered with: decoding never reads out of bounds, never loops, and
 * names what is wrong with the byte offset.
 *
 * Format, version 1 (all integers are unsigned LEB128 varints, minimal form):
 *
 *   body     = version:u8(1) info:u8 strtab [bindings:node] event:node
 *   info     = event type (st_event_type) in bits 0-3 | 0x10 if bindings follow
 *   strtab   = count { len bytes }           namespace IRIs, prefixes and
 *                                            non-standard names, each once,
 *                                            in order of first use
 *   node     = head:u8 name [ns] [prefix] [value] [count node{count}]
 *   head     = ST_EVN_* flags in bits 0-3 | 0x10 value | 0x20 children
 *              | 0x40 ns | 0x80 prefix
 *   name     = code:u8, 1-255: the standard name of that code (codec.c),
 *              0: followed by a string table index
 *   ns, prefix = string table index
 *   value    = h, whose low two bits say the form and h >> 2 = x:
 *              0: the first x bytes of the previous value (in body order),
 *                 then len bytes;
 *              1: string table entry x;
 *              2: standard value prefix x ("urn:epc:id:sgtin:", ...), then
 *                 len bytes;
 *              3: exactly standard value prefix x ("OBSERVE", "true", ...)
 *   count    = number of children, at least 1
 *
 * The standard name and value prefix tables are part of the format: entries
 * are only appended, and a body's version says how many of each it may use.
 * A string never holds a NUL byte (tree strings are C strings).
 */
#ifndef ST_STORE_CODEC_H
#define ST_STORE_CODEC_H

#include <stddef.h>
#include <serialtrack/limits.h>
#include <serialtrack/rc.h>

#include "common/arena.h"
#include "epcis/event.h"

/* The body format version that st_codec_encode writes (its first byte). */
#define ST_CODEC_VERSION 1

/* Deepest tree (levels, the root being level 1) that the codec stores:
 * as deep as the hash algorithm renders (hashid.c). */
#define ST_CODEC_MAX_DEPTH (2 * ST_EPCIS_MAX_DEPTH)

/* A growable byte buffer with a cap. p is malloc'd and owned by the buffer;
 * reuse it by setting n = 0; free it with st_bytes_free. */
typedef struct st_bytes {
    unsigned char *p; /* n bytes of content, or NULL while nothing is allocated */
    size_t n;         /* bytes in use */
    size_t cap;       /* bytes allocated at p */
    size_t max;       /* most bytes the buffer may ever hold */
} st_bytes;

/* An empty buffer that may grow to max bytes. Allocates nothing. */
void st_bytes_init(st_bytes *b, size_t max);

/* Free b's memory and make it empty (max is kept). NULL is accepted. */
void st_bytes_free(st_bytes *b);

/*
 * Append the body of ev, with the prefix bindings (may be NULL; the node
 * whose children bind name = prefix to value = IRI, as st_hashid_bindings
 * returns), to out. ev, its tree and bindings are only read; every string is
 * copied into out. Siblings of ev->root and of bindings are not part of it.
 * Returns ST_OK; ST_ERR_ARG (ev, ev->root, out or a node's name NULL; ev->type
 * not an st_event_type); ST_ERR_UNSUPPORTED (node flags outside ST_EVN_*);
 * ST_ERR_LIMIT (out would grow past out->max; a tree deeper than
 * ST_CODEC_MAX_DEPTH; a string longer than ST_EPCIS_MAX_STRING; strings
 * summing to more than ST_EPCIS_MAX_EVENT_BYTES); ST_ERR_NOMEM. On failure
 * out->n is what it was before the call.
 */
st_rc st_codec_encode(const st_event *ev, const st_evnode *bindings, st_bytes *out);

/*
 * Decode body[0..n) into a new tree allocated in a: ev->type, ev->root,
 * ev->index = -1; *bindings (bindings may be NULL to skip them) = the
 * bindings node, or NULL when the body has none. The body is not referenced
 * afterwards: strings are copied into a, except standard names and values
 * that are exactly a standard value prefix, which point to static storage;
 * nodes may share one copy of a string. Everything stays valid until a is
 * reset or destroyed.
 * Returns ST_OK; ST_ERR_SYNTAX for a malformed body (empty, unknown version,
 * truncated, over-long varint, unknown name code or event type, a string
 * table index out of range, a NUL byte in a string, a count larger than the
 * bytes left, trailing bytes), with the reason and byte offset in err;
 * ST_ERR_LIMIT (deeper than ST_CODEC_MAX_DEPTH, a string or the strings
 * together over the caps st_codec_encode keeps, a over its cap);
 * ST_ERR_NOMEM; ST_ERR_ARG (body NULL with n > 0, a or ev NULL). On failure
 * ev and *bindings are not set and a may hold part of a tree.
 */
st_rc st_codec_decode(const unsigned char *body, size_t n, st_arena *a, st_event *ev,
                      st_evnode **bindings, st_error *err);

/* The one-byte code of a standard name in body format version 1 (1-255), or 0
 * when name is not in the table. For tests and diagnostics. */
unsigned st_codec_name_code(const char *name);

#endif
