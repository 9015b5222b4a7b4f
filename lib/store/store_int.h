/*
 * What the store's own modules (query*.c, audit.c, lib/trace) share beyond
 * the public header: the read path over whichever backend is open.
 */
#ifndef ST_STORE_INT_H
#define ST_STORE_INT_H

#include <serialtrack/store.h>

#include "store/backend.h"

/* Run a read-only SQL statement on s's backend (see st_store_methods.exec).
 * Serialised with other reads of the same handle. */
st_rc st_store_exec(st_store *s, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                    void *ctx, st_error *err);

/* Run reads[0..n), independent read statements, as st_store_exec would
 * one after the other (see st_store_methods.exec_batch): on a backend that
 * can, in one round trip. Stops at the first failure and returns it. */
st_rc st_store_exec_batch(st_store *s, const st_read *reads, size_t n, st_error *err);

/* Make the calling thread's reads of s until st_store_read_end one read
 * transaction (one snapshot; see st_store_methods.read_begin). Nests. Every
 * successful begin needs its end; no row callback may read s in between
 * through another thread. */
st_rc st_store_read_begin(st_store *s, st_error *err);
void st_store_read_end(st_store *s);

/* Wait up to timeout_ms for a commit that stored events, by any process or
 * node (st_store_methods.wait_change); *notified 1 when one came.
 * ST_ERR_UNSUPPORTED when the backend cannot tell (SQLite): poll. */
st_rc st_store_wait_change(st_store *s, int timeout_ms, int *notified, st_error *err);

/* Run one writing administrative statement (API keys, serial counters) on
 * s's backend in its own transaction, rows it returns to cb (may be NULL;
 * see st_store_methods.admin_exec). Not for events. */
st_rc st_store_admin_exec(st_store *s, const char *sql, const st_val *args, int nargs,
                          st_row_cb cb, void *ctx, int64_t *changes, st_error *err);

/* Run fn in one durable write transaction of s's backend, serialised with
 * commits (st_store_methods.write_tx): many statements that must be stored
 * together, such as a recall report with its units. */
st_rc st_store_write_tx(st_store *s, st_write_fn fn, void *ctx, st_error *err);

/*
 * st_store_capture_mem, with side[0..n_side) (capture.h; at most
 * ST_STORE_MAX_SIDE_STATEMENTS, else ST_ERR_LIMIT) committed in the same
 * transaction as the document's events, after them: a record that must
 * never exist without its events (a registered sale, an accepted return),
 * or the other way round. When a side statement fails, nothing of the
 * document is stored and its code is returned (a violated UNIQUE
 * constraint: ST_ERR_ARG), with the reason in *report. side and what it
 * points to are borrowed until the call returns; its row callbacks run in
 * the committing thread, inside the commit, and must not use s. A document
 * of duplicates still runs its side statements.
 */
st_rc st_store_capture_side(st_store *s, const char *buf, size_t n, const char *name,
                            const st_cap_side *side, size_t n_side, st_capture_result *res,
                            st_epcis_report **report);

/* Commit one prepared document through the group-commit queue: returns when
 * the transaction that holds it is durable; d->rc and its counts tell the
 * outcome. */
st_rc st_store_commit_doc(st_store *s, st_cap_doc *d, st_error *err);

#endif
