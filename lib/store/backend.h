/*
 * The store's backend interface: a methods table, like SQLite's VFS. A
 * backend owns the schema and its migrations, the write path (one
 * transaction per group of documents, each document its own savepoint and
 * chain link) and a generic read path that runs portable SQL with $1..$N
 * placeholders; queries (query.c), traces (lib/trace) and the audit are
 * written once over that read path, so every backend answers them alike.
 */
#ifndef ST_STORE_BACKEND_H
#define ST_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <serialtrack/rc.h>
#include <serialtrack/store.h>

#include "store/capture.h"

/* The schema version this program writes (see the migrations of each backend). */
#define ST_SCHEMA_VERSION 11

/* A value passed to or read from SQL. Text and blobs are borrowed: arguments
 * must live until the call returns; row values only during the row callback. */
typedef enum st_val_type {
    ST_VAL_NULL = 0,
    ST_VAL_INT = 1,
    ST_VAL_TEXT = 2,
    ST_VAL_BLOB = 3
} st_val_type;
typedef struct st_val {
    st_val_type type; /* which member holds the value */
    int64_t i;        /* ST_VAL_INT */
    const void *p;    /* ST_VAL_TEXT (NUL-terminated) or ST_VAL_BLOB */
    size_t n;         /* bytes of text (without NUL) or blob */
} st_val;

static inline st_val st_val_int(int64_t i)
{
    st_val v = {ST_VAL_INT, i, NULL, 0};
    return v;
}
static inline st_val st_val_text(const char *s);
static inline st_val st_val_blob(const void *p, size_t n)
{
    st_val v = {ST_VAL_BLOB, 0, p, n};
    return v;
}

/* Called for each row of a read; a non-OK return stops the read and is
 * returned by exec. */
typedef st_rc (*st_row_cb)(void *ctx, const st_val *cols, int ncols);

/* A backend's write connection inside one of its transactions, for code
 * written once for every backend (lib/store/lineage.c). */
typedef struct st_write_io {
    void *ctx;
    /* run sql ($1..$N placeholders); rows to cb when not NULL */
    st_rc (*query)(void *ctx, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                   void *arg, st_error *err);
    /* the ident id of a key (interned when new): > 0, or <= 0 on failure */
    int64_t (*ident)(void *ctx, const char *key);
    /* rows per INSERT the backend prefers: 1 for SQLite, where a multi-row
     * statement inside a savepoint keeps a statement journal whose
     * truncation walks it from the start; more where a statement is a round
     * trip (PostgreSQL) */
    int rows_per_insert;
    /* 1: the backend takes a whole list as one array parameter
     * ("$n::bigint[]", its value the text "{1,2,3}"), so a list is one
     * statement (PostgreSQL); 0: IN lists of placeholders */
    int arrays;
    /* > 0: identifiers with a larger id are fresh, named by no stored row of
     * the projections yet (the chain link's ident_hw, postgres_commit.c),
     * so their rows need no look-up and cannot collide; 0: none is known
     * fresh */
    int64_t fresh_above;
    /* add pairs[0..n) (two ids each, none stored yet and none repeated) to
     * table ("name(c1, c2)") in bulk; NULL: the rows go as any other */
    st_rc (*copy_pairs)(void *ctx, const char *table, const int64_t *pairs, size_t n,
                        st_error *err);
} st_write_io;

/* Work run inside a write transaction (st_store_methods.write_tx). */
typedef st_rc (*st_write_fn)(const st_write_io *io, void *ctx, st_error *err);

/* One read statement of a batch (exec_batch): exec's arguments. */
typedef struct st_read {
    const char *sql;    /* read-only SQL with $1..$N placeholders */
    const st_val *args; /* bound to $1..$nargs; must live until the batch returns */
    int nargs;          /* arguments */
    st_row_cb cb;       /* called for each row (may be NULL) */
    void *ctx;          /* cb's context */
} st_read;

typedef struct st_store_methods {
    const char *name; /* "sqlite" */

    /* Open (create unless read_only) the store at target (the URL without its
     * scheme; for PostgreSQL the whole URL). *impl receives the backend's handle. */
    st_rc (*open)(const char *target, const st_store_opts *o, void **impl, st_error *err);
    /* Close; accepts NULL. */
    void (*close)(void *impl);
    /* The schema version of the store (0: empty). */
    st_rc (*schema_version)(void *impl, int *v, st_error *err);
    /* Apply the missing migrations in one transaction. */
    st_rc (*migrate)(void *impl, int *from, int *to, st_error *err);
    /* Commit docs[0..n) in one durable transaction; each document atomic
     * (its rc, counts, batch and record time are filled in; a failed
     * document leaves nothing). A document's side statements (capture.h)
     * run in its savepoint after its events; the first that fails fails
     * the document with its code (a violated constraint: ST_ERR_ARG).
     * Returns non-OK only when the transaction as a whole failed (then
     * every document failed). */
    st_rc (*commit)(void *impl, st_cap_doc **docs, size_t n, st_error *err);
    /* Optional: work on one document before it joins a group commit, in the
     * capturing thread and outside the group's turn, so that it overlaps
     * another thread's commit (PostgreSQL interns the document's keys). On
     * success d->prepared is set; commit prepares what is not. A failure is
     * the document's alone (d->rc, d->msg). */
    st_rc (*prepare)(void *impl, st_cap_doc *d, st_error *err);
    /* Backend-specific facts for db info (location, bytes). */
    st_rc (*info)(void *impl, st_store_info *info, st_error *err);
    /* Run a read-only SQL statement with $1..$N placeholders bound to
     * args[0..nargs), calling cb for every row. */
    st_rc (*exec)(void *impl, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                  void *ctx, st_error *err);
    /* Run one writing SQL statement (administration: API keys, serial
     * counters; never events) with $1..$N bound to args[0..nargs), in its own
     * durable transaction on the write connection, serialised with commits.
     * cb (may be NULL) is called for each row the statement returns (a
     * RETURNING clause), before the commit; a non-OK return rolls the
     * statement back and is returned. *changes (may be NULL) receives the
     * rows it changed. A constraint violation (a UNIQUE column) is
     * ST_ERR_ARG; a read-only store is ST_ERR_ARG. */
    st_rc (*admin_exec)(void *impl, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                        void *ctx, int64_t *changes, st_error *err);
    /* Run fn in one durable transaction on the write connection, serialised
     * with commits (on PostgreSQL across nodes: under the chain lock). fn's
     * failure rolls it back and is returned. A read-only store is ST_ERR_ARG. */
    st_rc (*write_tx)(void *impl, st_write_fn fn, void *ctx, st_error *err);
    /* Optional (NULL: every exec is its own read). Between read_begin and
     * read_end the calling thread's execs share one read transaction: one
     * snapshot, and no per-statement transaction cost. Calls nest; a thread
     * holds at most one store's at a time (a begin on another store while
     * one is held is a no-op there). read_end never fails. */
    st_rc (*read_begin)(void *impl, st_error *err);
    void (*read_end)(void *impl);
    /* Optional (NULL: each read through exec, in turn). Run reads[0..n),
     * statements independent of each other (none needs another's rows), as
     * exec would, in order: the rows of reads[i] all reach its callback
     * before those of reads[i + 1]. A backend may send them together, one
     * round trip for many. Returns the first failure (a statement's, or a
     * callback's non-OK); no callback is called after it. */
    st_rc (*exec_batch)(void *impl, const st_read *reads, size_t n, st_error *err);
    /* Optional (NULL: callers poll). Wait up to timeout_ms (0: do not wait)
     * for a commit that stored events, by any process or node; *notified
     * is 1 when one came (possibly one of another store sharing the
     * database: callers read the head to know). Returns non-OK when it
     * cannot wait (no connection); the next call tries again. */
    st_rc (*wait_change)(void *impl, int timeout_ms, int *notified, st_error *err);
} st_store_methods;

extern const st_store_methods st_store_sqlite;
extern const st_store_methods st_store_postgres;

static inline st_val st_val_text(const char *s)
{
    st_val v = {s ? ST_VAL_TEXT : ST_VAL_NULL, 0, s, 0};
    if (s) {
        const char *e = s;
        while (*e)
            e++;
        v.n = (size_t)(e - s);
    }
    return v;
}

#endif
