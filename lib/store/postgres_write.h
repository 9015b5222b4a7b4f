/*
 * Inside the PostgreSQL write path: what its modules share.
 *   postgres_commit.c  the group: chain lock, tail, one savepoint and link
 *                      per document, the COPY of the event rows, ANALYZE
 *   postgres_wevent.c  the rows of one new event and its projections
 *   postgres_proj.c    item states, containment, lifecycle and anomaly rows
 *   postgres_intern.c  identifiers, interned before the chain lock
 *   postgres_dups.c    which events of a document are stored already
 *   postgres_wstmt.c   the prepared write statements
 *   postgres_wbuf.c    buffers: array literals, binary COPY rows, sets
 */
#ifndef ST_STORE_POSTGRES_WRITE_H
#define ST_STORE_POSTGRES_WRITE_H

#include "common/i64map.h"
#include "store/postgres_int.h"
#include "store/postgres_wbuf.h"

/* The prepared write statements (postgres_wstmt.c), by number. */
enum {
    W_IDENT_GET,
    W_IDENT_ADD,
    W_IDENT_IDS,
    W_DUP_HASH,
    W_DUP_EID,
    W_LAST_BATCH,
    W_BATCH_ADD,
    W_STATE,
    W_UNPACK_ALL,
    W_UNPACK,
    W_UNPACK_PARENT,
    W_LOT_ADD,
    W_GENEALOGY_ADD,
    W_LOCATION_ADD,
    W_COMMISSION,
    W_DECOMMISSION,
    W_GEO_ADD,
    W_ANOMALY_ADD,
    W_COUNT
};

enum { OP_PACK, OP_UNPACK };

#define ST_PGW_STATE_PARAMS 22  /* parameters of W_STATE */
#define ST_PGW_MERGE_MAX 200000 /* items merged before a document's states are written */

/* The lifecycle of a fresh identifier in one document: its item_life row. */
typedef struct st_pgwlife {
    int64_t ident, com, com_t, dec, dec_t; /* event ids and times; 0 ids: none */
} st_pgwlife;

/* What one document writes, built while its events are walked. Rows that
 * name only fresh identifiers (ident ids above fresh_above: no stored
 * projection row names them, see postgres_commit.c) cannot collide with
 * stored ones: they go by binary COPY, the others through statements that
 * merge with what is stored. */
typedef struct st_pgwdoc {
    st_pg *p;
    int64_t fresh_above;         /* ident ids above it are fresh */
    int states_partial;          /* states were written before the document's end */
    st_pgbuf ev, hash, eid, epc; /* binary COPY rows of event, event_hash, event_eid, event_epc */
    st_pgbuf fresh;              /* binary COPY rows of fresh identifiers, one table at a time */
    st_pgtup lotf, genf;         /* item_lot and genealogy rows of fresh identifiers */
    st_pgwlife *life;            /* item_life rows of fresh identifiers */
    size_t nlife, caplife;       /* used and allocated */
    st_i64map life_at;           /* ident -> index in life */
    st_pgarr lot[2], gen[3], loc[2];  /* item_lot, genealogy, location_child rows */
    st_pgarr com[3], dec[3], geo[3];  /* item_life (commissioned, decommissioned), location_geo */
    st_pgarr anom[6];                 /* anomaly rows, by W_ANOMALY_ADD parameter */
    st_pgarr st[ST_PGW_STATE_PARAMS]; /* merged item states, by W_STATE parameter */
    /* containment since the last write of it (postgres_proj.c): the new
     * rows, each open one chained to its child's previous open one */
    struct st_pgwpack {
        int64_t child, packed, parent, unpacked; /* unpacked 0: still open */
        size_t prev;                             /* index + 1 of the child's previous open row */
    } * packs;
    size_t npacks, cappacks;
    st_i64map open_at;    /* child -> index + 1 of its last open new row (0: none) */
    st_pgarr unpack[2];   /* (child, event): stored open rows to close, a child's first unpacking */
    st_i64map unpack_at;  /* children in unpack */
    int cont_written;     /* containment was written before the document's end */
    char msg[256];                    /* why the document failed */
} st_pgwdoc;

/* The ids an event's projections need, looked up once per event. */
typedef struct st_pgw_ids {
    int64_t event, parent;                     /* the event's id, its parent's ident */
    int64_t biz_step, disposition, read_point; /* ident ids, 0 when absent */
    int64_t biz_location, owner, possessor;    /* ident ids, 0 when absent */
} st_pgw_ids;

static inline int st_pgw_is_instance(unsigned role)
{
    return role >= ST_ROLE_EPC && role <= ST_ROLE_OUTPUT;
}

/* No stored projection row names ident id yet. */
static inline int st_pgw_fresh(const st_pgwdoc *w, int64_t id)
{
    return id > w->fresh_above;
}

/* ---- postgres_wstmt.c ---- */

/* Run write statement w with text parameters on p's write connection; the
 * result (the caller clears it), or NULL on failure with the reason in msg
 * (msg may be NULL). */
PGresult *st_pgw_exec(st_pg *p, int w, int n, const char *const *vals, char *msg, size_t cap);
/* The same on connection c (where the statements are prepared). */
PGresult *st_pgw_exec_on(PGconn *c, int w, int n, const char *const *vals, char *msg, size_t cap);
/* The same, when no rows are wanted: 0 or -1. */
int st_pgw_run(st_pg *p, int w, int n, const char *const *vals, char *msg, size_t cap);
/* COPY the binary rows of b (closed here; nothing when empty) with the
 * statement sql ("COPY t(c...) FROM STDIN (FORMAT binary)"); b is emptied.
 * 0, or -1 with the reason in msg. */
int st_pgw_copy(st_pg *p, const char *sql, st_pgbuf *b, char *msg, size_t cap);
/* The same on connection c; -2 when a row collided with another's: a
 * unique index, or a deadlock with a writer inserting the same keys. */
int st_pgw_copy_on(PGconn *c, const char *sql, st_pgbuf *b, char *msg, size_t cap);

/* ---- postgres_intern.c ---- */

/* Intern every key of the documents not cached, on p's interning
 * connection (opened when needed), each statement its own transaction and
 * outside any write transaction: a document whose keys cannot be interned
 * fails alone (its rc and msg). Serialised by p->in_mu, not p->w.mu, so one
 * thread interns while another commits. ST_OK, or the failure that
 * failed them all (no connection). */
st_rc st_pgw_intern_docs(st_pg *p, st_cap_doc **docs, size_t n, st_error *err);
/* The ident id of key (interned already); 0 for NULL, -1 on error. */
int64_t st_pgw_ident(st_pg *p, const char *key);

/* ---- postgres_dups.c ---- */

/* dup[i] = 1 for each event of d that is a duplicate. 0, or -1 (w->msg). */
int st_pgw_mark_dups(st_pgwdoc *w, const st_cap_doc *d, unsigned char *dup);
/* The digest of a hash ID ("ni:///sha-256;" and 64 hex digits, then "?..."
 * or nothing) into out; 0 when s is not one. */
int st_pgw_hashid_digest(const char *s, unsigned char out[32]);
/* "\x..." (bytea text output) into out[0..32); 0 when it is not 32 bytes. */
int st_pgw_bytea32(const char *s, unsigned char out[32]);

/* ---- postgres_proj.c: each 0, or -1 with the reason in w->msg ---- */

int st_pgw_flush_containment(st_pgwdoc *w);
int st_pgw_add_op(st_pgwdoc *w, int kind, int64_t child, int64_t event, int64_t parent);
/* final: the document's last write of states (fresh ones may then go by
 * COPY, unless an earlier write of this document took some) */
int st_pgw_flush_states(st_pgwdoc *w, int final);
int st_pgw_update_state(st_pgwdoc *w, const st_cap_event *e, const st_cap_ref *r, int64_t item,
                        const st_pgw_ids *x);
int st_pgw_unpack_all(st_pgwdoc *w, const st_cap_event *e, const st_pgw_ids *x);
/* item_lot, genealogy and location_child rows, then lifecycle, geo and anomaly rows. */
int st_pgw_flush_rows(st_pgwdoc *w);
int st_pgw_flush_life(st_pgwdoc *w);
/* The item_life rows of item when e commissions or decommissions it: 0, or
 * -1 when out of memory. */
int st_pgw_life(st_pgwdoc *w, const st_cap_event *e, unsigned role, int64_t item, int64_t event);
/* The anomaly rows of event index i of d, stored as event (0: a duplicate);
 * *next is the first anomaly not yet taken. */
int st_pgw_anomalies(st_pgwdoc *w, const st_cap_doc *d, size_t i, int64_t event, int64_t record_ms,
                     size_t *next);

/* ---- postgres_wevent.c ---- */

/* The rows and projections of one new event, id x->event. 0 or -1. */
int st_pgw_event(st_pgwdoc *w, const st_cap_event *e, int64_t batch, int64_t record_ms,
                 st_pgw_ids *x);

#endif
