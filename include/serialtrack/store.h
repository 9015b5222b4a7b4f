/*
 * The event store: a durable, append-only EPCIS repository. Documents are
 * captured atomically and idempotently; every event is kept forever, in
 * record order, chained by SHA-256 so that tampering is detectable; item
 * state, containment and genealogy are kept current in the same transaction.
 * Backends plug in behind one methods table (SQLite, the embedded default;
 * PostgreSQL later). A store handle may be shared by threads: captures from
 * several threads share commits (group commit).
 */
#ifndef SERIALTRACK_STORE_H
#define SERIALTRACK_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <serialtrack/epcis.h>
#include <serialtrack/jsonw.h>
#include <serialtrack/rc.h>

typedef struct st_store st_store; /* an open store */
typedef struct st_query st_query; /* the parameters of an EPCIS simple event query */

/* Options for st_store_open; zero-initialise. */
typedef struct st_store_opts {
    int migrate;   /* 1: bring an older schema up to date; 0: refuse it (ST_ERR_UNSUPPORTED) */
    int read_only; /* 1: open for queries only; a missing store is ST_ERR_NOT_FOUND */
} st_store_opts;

/*
 * The URL of the store to use: url when not NULL, else $SERIALTRACK_DB when
 * set and not empty, else "serialtrack.db". Returns a static or borrowed
 * string; nothing to free.
 */
const char *st_store_default_url(const char *url);

/*
 * Open the store at url ("sqlite:PATH", "sqlite://PATH" or a bare PATH; NULL:
 * st_store_default_url), creating it (schema included) when it does not
 * exist and opts does not say read_only. opts may be NULL. *out receives a
 * handle freed by st_store_close. Errors, with a sentence in err (may be
 * NULL): ST_ERR_ARG (unknown scheme), ST_ERR_NOT_FOUND, ST_ERR_IO (cannot
 * open or lock), ST_ERR_UNSUPPORTED (schema older than this program without
 * opts->migrate, or newer than this program), ST_ERR_NOMEM.
 */
st_rc st_store_open(const char *url, const st_store_opts *opts, st_store **out, st_error *err);

/* Close a store, waiting for captures in flight. Accepts NULL. */
void st_store_close(st_store *s);

/* Bring the schema up to date; *from and *to (may be NULL) receive the
 * version the store had when it was opened (0: st_store_open created it)
 * and the version it has now. */
st_rc st_store_migrate(st_store *s, int *from, int *to, st_error *err);

/* Fill the lineage index (what a recall by lot reads) anew from every
 * stored event, in one write transaction; *events (may be NULL) receives
 * the events read. Needed once for a store that held events before schema
 * v9 (`db migrate` does it); until then recalls walk the genealogy. */
st_rc st_store_reindex(st_store *s, int64_t *events, st_error *err);

/* *built: 1 when the lineage index covers every stored event. */
st_rc st_store_lineage_built(st_store *s, int *built, st_error *err);

/* What `db info` shows. */
typedef struct st_store_info {
    char backend[16];       /* "sqlite" */
    char location[512];     /* the file (sqlite) or server, without credentials */
    int schema_version;     /* schema version of the store */
    int schema_latest;      /* schema version this program writes */
    int64_t events;         /* events stored */
    int64_t batches;        /* committed batches (chain links) */
    int64_t identifiers;    /* distinct identifiers and vocabulary terms */
    int64_t items;          /* items with a current state */
    int64_t bytes;          /* size on disk (database and its journal) */
    int64_t last_record_ms; /* record time of the last batch, ms since the epoch; 0 if none */
    char chain_head[65];    /* hex SHA-256 of the last batch; "" for an empty store */
} st_store_info;

/* Fill *info. */
st_rc st_store_info_get(st_store *s, st_store_info *info, st_error *err);

/* ---- capture -------------------------------------------------------------- */

/* What capturing one document did. */
typedef struct st_capture_result {
    size_t events;      /* events in the document */
    size_t stored;      /* newly stored */
    size_t duplicates;  /* already stored (same hash ID or eventID), not stored again */
    int64_t batch;      /* the chain link of this capture; 0 when nothing new was stored */
    int64_t record_ms;  /* record time given to the stored events (ms since the epoch) */
} st_capture_result;

/*
 * Capture the EPCIS document in file path ("-": standard input) or in
 * buf[0..n): read and validate every event first; if any is invalid, or the
 * document holds more than ST_STORE_MAX_CAPTURE_EVENTS events, nothing is
 * stored (ST_ERR_SYNTAX / ST_ERR_LIMIT, every error listed in *report).
 * Otherwise all new events are stored in one transaction with one record
 * time, duplicates are counted, and the call returns once the transaction is
 * durable (see docs/ARCHITECTURE.md, "Durability"). *report is always set
 * when report is not NULL (free with st_epcis_report_destroy); res may be
 * NULL. Thread-safe: concurrent captures share commits.
 */
st_rc st_store_capture_file(st_store *s, const char *path, st_capture_result *res,
                            st_epcis_report **report);
st_rc st_store_capture_mem(st_store *s, const char *buf, size_t n, const char *name,
                           st_capture_result *res, st_epcis_report **report);

/* ---- queries -------------------------------------------------------------- */

/* A new, empty query (every event). Free with st_query_destroy. */
st_rc st_query_create(st_query **q);
void st_query_destroy(st_query *q);

/*
 * Add one EPCIS simple event query parameter, named as in EPCIS 2.0
 * ("eventType", "GE_eventTime", "EQ_bizStep", "MATCH_epc", "orderBy",
 * "perPage", "nextPageToken", ...). List values are separated by '|' (the
 * REST binding) or ','. Values are copied. ST_ERR_SYNTAX with a sentence in
 * err for an unknown parameter, a malformed value or a combination EPCIS
 * forbids (eventCountLimit without orderBy, ...).
 */
st_rc st_query_set(st_query *q, const char *name, const char *value, st_error *err);

/*
 * Run q and write the matching events as an EPCISQueryDocument (queryName
 * "SimpleEventQuery") in format fmt to out. At most perPage events (default
 * ST_QUERY_DEFAULT_PAGE) are written; when more remain, next_token (cap
 * bytes, may be NULL) receives the opaque token for the next page, else "".
 * The token stays correct while new events arrive: later pages continue the
 * same ordered result and never repeat or skip an event.
 */
st_rc st_store_query_write(st_store *s, const st_query *q, st_epcis_format fmt, FILE *out,
                           char *next_token, size_t cap, st_error *err);

/* ---- partner scope --------------------------------------------------------- */

/* What a partner key may read: the events and items that concern its party
 * (as source, destination, owner or possessor, or at its locations). */
typedef struct st_scope st_scope;

/*
 * The scope of party (a PGLN in any GS1 form, an SGLN, or a URI; copied) on
 * s: its locations are read from s once, now (the GLN's locations and those
 * below them in the master-data hierarchy). *out must be freed with
 * st_scope_destroy. ST_ERR_SYNTAX when party is no identifier, ST_ERR_LIMIT
 * when it has more than ST_SCOPE_MAX_LOCATIONS locations, store errors.
 */
st_rc st_scope_open(st_store *s, const char *party, st_scope **out, st_error *err);
void st_scope_destroy(st_scope *sc);

/* The canonical key of the scope's party (owned by sc). */
const char *st_scope_party(const st_scope *sc);

/* Keep only events within sc (borrowed: it must outlive every run of q;
 * NULL lifts the restriction). Not part of the page token's hash: a token
 * runs under whatever scope its caller has. */
void st_query_set_scope(st_query *q, const st_scope *sc);

/* ---- tamper evidence ---------------------------------------------------------- */

/* What `audit verify` found. */
typedef struct st_audit_result {
    int ok;               /* 1: every link and every event verified */
    int64_t batches;      /* batches checked */
    int64_t events;       /* events checked */
    int64_t bad_batch;    /* the first broken link (batch id), or 0 */
    int64_t bad_event;    /* the first event found wrong, or 0 */
    char reason[256];     /* what is wrong, for a human */
    char head[65];        /* the recomputed chain head (hex) */
} st_audit_result;

/*
 * Recompute the whole chain: every event's hash ID from its stored body, the
 * event's indexed columns from its body, the events of each batch and each
 * link from the one before. res->ok is 0 and the reason names the first
 * broken link when anything was changed, deleted or inserted behind the
 * store's back. Returns ST_OK when the check could be run (whatever it found).
 */
st_rc st_store_audit_verify(st_store *s, st_audit_result *res, st_error *err);

#endif
