/*
 * Named queries of the EPCIS REST binding (st_nq_*): POST /queries
 * {name, query: {param: value | [values]}} keeps the parameters, validated
 * with st_query_set, under the name; GET /queries/{name}/events runs them.
 * Kept in the store (at most ST_API_NAMED_QUERIES_MAX), so every server on
 * it shares them and a restart keeps them.
 */
#ifndef ST_API_NAMED_QUERIES_H
#define ST_API_NAMED_QUERIES_H

#include <stddef.h>
#include <serialtrack/jsonw.h>
#include <serialtrack/store.h>

struct st_nq;

/* The named queries of store (borrowed: it must outlive the table); free
 * with st_nq_destroy, which accepts NULL. */
st_rc st_nq_create(st_store *store, struct st_nq **out);
void st_nq_destroy(struct st_nq *t);

/*
 * Add the query definition in JSON body[0..len) (read, not kept), made by
 * the API key named by (recorded as its creator; NULL on a server without
 * keys: then only admins may delete it). *name_out (cap bytes) receives its
 * name. Returns ST_OK; ST_ERR_SYNTAX for a body that is not {name, query}
 * or a parameter st_query_set refuses, with the member at fault in field
 * (fcap bytes) and a sentence in err; ST_ERR_EXHAUSTED when the name is
 * taken; ST_ERR_LIMIT when the table is full; ST_ERR_NOMEM; store errors.
 */
st_rc st_nq_add(struct st_nq *t, const char *body, size_t len, const char *by, char *name_out,
                size_t cap, char *field, size_t fcap, st_error *err);

/* Set the parameters of query name on q (the caller's). ST_ERR_NOT_FOUND;
 * what st_query_set returns; store errors. */
st_rc st_nq_apply(struct st_nq *t, const char *name, st_query *q, st_error *err);

/* Write query name as {name, query, createdAt} into jw. ST_ERR_NOT_FOUND;
 * store errors (with err). */
st_rc st_nq_describe(struct st_nq *t, const char *name, st_jw *jw, st_error *err);

/* Write at most per queries whose names sort after after ("" for the
 * first), in name order, as a JSON array into jw; next (cap bytes) receives
 * the name to pass as after for the next page, or "" when none remains.
 * Store errors. */
st_rc st_nq_list(struct st_nq *t, const char *after, long per, st_jw *jw, char *next, size_t cap,
                 st_error *err);

/*
 * Forget query name, asked by the API key named by (NULL: none) with admin
 * 1 for an admin key. Only the key that made the query or an admin key may
 * delete it; a query without a recorded creator (made before schema v8, or
 * without keys) only an admin key. ST_ERR_NOT_FOUND; ST_ERR_REFUSED (the
 * caller may not: HTTP 403), with who may in err; store errors.
 */
st_rc st_nq_delete(struct st_nq *t, const char *name, const char *by, int admin, st_error *err);

#endif
