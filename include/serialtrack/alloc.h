/*
 * Serial allocation: serials for a GTIN handed out from a counter kept in the
 * store, so that no serial is ever issued twice, across restarts, threads,
 * processes and (with a shared database) servers. Each GTIN has one series
 * (a scheme of serialtrack/serial.h with fixed options), set by its first
 * allocation; an allocation advances the GTIN's counter atomically
 * (UPDATE ... RETURNING, one durable transaction) before any serial is made
 * from the positions it got, and is logged (who, when, which positions).
 *
 * Uniqueness follows from the counter: sequential serials are the counter
 * written out; random ones a keyed permutation of it (the key is drawn once
 * per GTIN and kept in the store); templates hold it in {SEQ:n}. A crash
 * after the counter moved only wastes positions; it never repeats one.
 */
#ifndef SERIALTRACK_ALLOC_H
#define SERIALTRACK_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <serialtrack/limits.h>
#include <serialtrack/rc.h>
#include <serialtrack/serial.h>
#include <serialtrack/store.h>

typedef struct st_allocation st_allocation; /* one allocation and its serials */

/* What to allocate; zero-initialise. */
typedef struct st_alloc_req {
    const char *gtin;    /* 8, 12, 13 or 14 digits with a valid check digit */
    uint64_t count;      /* 1..ST_ALLOC_MAX_COUNT */
    st_serial_opts opts; /* scheme and options (serial.h); opts.key must be NULL */
    const char *by;      /* who asks (an API key's name, "cli:USER"); 1..ST_ALLOC_BY_MAX
                            bytes; NULL = "unknown" */
} st_alloc_req;

/*
 * Allocate req->count serials for req->gtin from s. The first allocation of
 * a GTIN fixes its series; a later one with other options is refused
 * (ST_ERR_ARG, naming the GTIN's series), since serials of two series could
 * coincide. Errors, with a sentence in err (may be NULL): ST_ERR_ARG (bad
 * GTIN, count, scheme or option, a key given, another series),
 * ST_ERR_CHECK_DIGIT, ST_ERR_LIMIT (count above ST_ALLOC_MAX_COUNT),
 * ST_ERR_EXHAUSTED (fewer positions left than count; nothing is taken),
 * ST_ERR_IO, ST_ERR_NOMEM. Nothing of req is kept. *out is freed with
 * st_allocation_destroy. Thread-safe.
 */
st_rc st_alloc_serials(st_store *s, const st_alloc_req *req, st_allocation **out, st_error *err);

/* Free a; NULL is accepted. */
void st_allocation_destroy(st_allocation *a);

/* The allocation's row id in the log. */
int64_t st_allocation_id(const st_allocation *a);
/* The GTIN as 14 digits (belongs to a). */
const char *st_allocation_gtin(const st_allocation *a);
/* The scheme's name: "sequential", "template" or "random" (static). */
const char *st_allocation_scheme(const st_allocation *a);
/* Counter position of the first serial. */
uint64_t st_allocation_first(const st_allocation *a);
/* Serials held. */
size_t st_allocation_count(const st_allocation *a);
/* Serial i (0-based, below the count), NUL-terminated; belongs to a. */
const char *st_allocation_serial(const st_allocation *a, size_t i);

/* One allocation in the log. */
typedef struct st_alloc_info {
    int64_t id;                   /* log row id, in allocation order */
    char gtin[15];                /* 14 digits */
    char scheme[16];              /* "sequential", "template", "random" */
    uint64_t first;               /* counter position of its first serial */
    uint64_t count;               /* serials */
    char by[ST_ALLOC_BY_MAX + 1]; /* who asked */
    int64_t created_ms;           /* when, ms since the epoch */
} st_alloc_info;

/* Called by st_alloc_list for each allocation (info valid during the call);
 * a non-OK return stops the listing and is returned. */
typedef st_rc (*st_alloc_cb)(void *ctx, const st_alloc_info *info);

/*
 * Call cb for the allocations of gtin (NULL: of every GTIN), newest first, at
 * most limit of them (1..ST_ALLOC_LIST_MAX). ST_ERR_ARG for a bad GTIN or
 * limit.
 */
st_rc st_alloc_list(st_store *s, const char *gtin, int limit, st_alloc_cb cb, void *ctx,
                    st_error *err);

/*
 * Check a GTIN (8, 12, 13 or 14 digits, right check digit) and write it as
 * 14 digits into out14 (15 bytes with the NUL). ST_ERR_ARG, ST_ERR_LENGTH or
 * ST_ERR_CHECK_DIGIT with the reason in err.
 */
st_rc st_alloc_gtin14(const char *gtin, char out14[15], st_error *err);

#define ST_ALLOC_EPC_MAX 128 /* bytes that hold any unit's Digital Link or EPC URI, NUL included   \
                              */

/*
 * Unit identifiers of GTIN gtin14 (14 digits) and serial (at most 20
 * characters) into out (cap >= ST_ALLOC_EPC_MAX bytes, the caller's):
 *   st_alloc_dl       https://id.gs1.org/01/{gtin}/21/{serial, percent-encoded
 *                     beyond the unreserved characters}
 *   st_alloc_epc_uri  urn:epc:id:sgtin:{company prefix}.{indicator + item
 *                     reference}.{serial, escaping " % & / < > ?}, for a GS1
 *                     Company Prefix of gcp_len (6..12) digits
 * ST_ERR_ARG for a bad length or cap.
 */
st_rc st_alloc_dl(const char *gtin14, const char *serial, char *out, size_t cap);
st_rc st_alloc_epc_uri(const char *gtin14, int gcp_len, const char *serial, char *out, size_t cap);

/* The scheme named name ("sequential", "template", "random"), or 0. */
st_serial_scheme st_alloc_scheme_parse(const char *name);

#endif
