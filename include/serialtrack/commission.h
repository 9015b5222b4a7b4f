/*
 * Bulk commissioning: up to ST_COMMISSION_MAX_UNITS units of one GTIN
 * brought into existence in one atomic capture. The units' serials are
 * allocated first (serialtrack/alloc.h) or given; one EPCIS 2.0 document is
 * built of ObjectEvents ADD, bizStep commissioning, disposition active, with
 * the lot and expiry as ILMD, at most ST_COMMISSION_EVENT_EPCS EPCs each, and
 * captured through the same validated path as any document
 * (st_store_capture_mem): all of it is stored, or nothing.
 */
#ifndef SERIALTRACK_COMMISSION_H
#define SERIALTRACK_COMMISSION_H

#include <stddef.h>
#include <stdint.h>
#include <serialtrack/alloc.h>
#include <serialtrack/epcis.h>
#include <serialtrack/rc.h>
#include <serialtrack/store.h>

typedef struct st_commission st_commission; /* what one commissioning did */

/* What to commission; zero-initialise. Nothing is kept after the call. */
typedef struct st_commission_req {
    const char *gtin;           /* 8, 12, 13 or 14 digits; required */
    uint64_t count;             /* > 0: allocate this many serials first (with opts) */
    st_serial_opts opts;        /* the allocation's scheme, when count > 0 */
    const char *const *serials; /* else: these serials (1..20 characters of CSET 82, distinct) */
    size_t nserials;            /* ... how many, 1..ST_COMMISSION_MAX_UNITS */
    const char *lot;            /* ILMD lotNumber (AI 10: 1..20 of CSET 82); may be NULL */
    const char *expiry;         /* ILMD itemExpirationDate, YYYY-MM-DD; may be NULL */
    const char *read_point;     /* a URI (SGLN EPC URI, Digital Link) or a 13-digit GLN;
                                   required */
    const char *biz_location;   /* the same forms; may be NULL */
    const char *event_time;     /* RFC 3339 with Z or an offset; NULL = now */
    int gcp_len;                /* 6..12: EPCs as EPC URIs (urn:epc:id:sgtin); 0: as
                                   Digital Links (https://id.gs1.org/01/.../21/...) */
    const char *by;             /* who asks, for the allocation log; may be NULL */
} st_commission_req;

/*
 * Commission the units of req into s. Every field is checked before
 * anything is allocated or written; then serials are allocated (count > 0)
 * and the document is captured in one transaction. On a capture failure
 * nothing is stored (an allocation already made stays allocated: its
 * serials are never issued again). *report (may be NULL; always set when
 * given, free with st_epcis_report_destroy) lists the document's errors.
 * Errors, with a sentence in err: those of st_alloc_serials, ST_ERR_ARG /
 * ST_ERR_LENGTH / ST_ERR_CHARSET / ST_ERR_DATE for a bad field (err->ai names
 * the AI), ST_ERR_LIMIT, ST_ERR_SYNTAX (the document was refused), ST_ERR_IO.
 * *out is freed with st_commission_destroy.
 */
st_rc st_commission_run(st_store *s, const st_commission_req *req, st_commission **out,
                        st_epcis_report **report, st_error *err);

/* Free c (and its allocation); NULL is accepted. */
void st_commission_destroy(st_commission *c);

/* Units commissioned. */
size_t st_commission_count(const st_commission *c);
/* The EPC of unit i as written in the events (belongs to c); NULL past the end. */
const char *st_commission_epc(const st_commission *c, size_t i);
/* The serial of unit i (belongs to c); NULL past the end. */
const char *st_commission_serial(const st_commission *c, size_t i);
/* What the capture did (belongs to c). */
const st_capture_result *st_commission_capture(const st_commission *c);
/* The allocation the serials came from, or NULL when they were given (belongs to c). */
const st_allocation *st_commission_allocation(const st_commission *c);
/* The events' eventTime as written (belongs to c). */
const char *st_commission_event_time(const st_commission *c);

#endif
