/*
 * Inside the trace (lib/trace/trace.c): what its parts share. Reads are
 * queued into a batch and run together (st_store_exec_batch: on
 * PostgreSQL one round trip for the whole batch), so a trace asks for
 * everything it can before it needs any answer: the state and container
 * chain, the history's first statements and the first genealogy level of
 * both directions go out at once, and every further genealogy level of
 * both directions together (lib/trace/genealogy.c).
 */
#ifndef ST_TRACE_TRACE_INT_H
#define ST_TRACE_TRACE_INT_H

#include <serialtrack/trace.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/error.h"
#include "store/scope.h"
#include "store/store_int.h"

#define ST_TR_BATCH 48 /* reads queued before they are sent */

/* The unit's id in a statement that names it by its key ($1): the first
 * batch reads everything by key, so it need not wait for the id. */
#define ST_TR_ITEM "(SELECT id FROM ident WHERE key = $1)"

/* One trace being written. */
typedef struct st_tr {
    st_store *s;
    st_jw *j;
    st_error *err;
    st_arena *a;           /* scratch for this trace */
    const st_scope *scope; /* a partner's scope, or NULL */
} st_tr;

/* Reads queued and not yet run. The first failure sticks: later calls do
 * nothing and st_tr_flush returns it. */
typedef struct st_tr_batch {
    st_tr *t;
    st_read r[ST_TR_BATCH]; /* queued reads */
    size_t n;               /* queued */
    st_rc rc;               /* the first failure */
} st_tr_batch;

void st_tr_batch_init(st_tr_batch *b, st_tr *t);
/* n arguments for one queued read, from the trace's arena (NULL on failure,
 * b->rc set). */
st_val *st_tr_args(st_tr_batch *b, int n);
/* Queue a read; args must live until the batch is flushed (st_tr_args).
 * A full batch is sent first. */
void st_tr_read(st_tr_batch *b, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                void *ctx);
/* Run what is queued; every callback has been called when it returns. */
st_rc st_tr_flush(st_tr_batch *b);

/* Ids and keys read by one or more statements (row_idkey's context), and
 * a third column's flag when there is one. */
typedef struct st_tr_idlist {
    int64_t *id;
    char **key;
    unsigned char *flag; /* the third column is an integer other than 0 */
    size_t n, cap;
    st_arena *a;
    size_t max; /* stop growing here */
    int truncated;
} st_tr_idlist;

/* Row callback: (id, key[, flag]) appended to an st_tr_idlist. */
st_rc st_tr_row_idkey(void *ctx, const st_val *c, int n);

/* A genealogy walk in one direction (up: to inputs; down: to outputs),
 * level by level. */
typedef struct st_tr_gen st_tr_gen;

/* A walk from the unit named by key (which must live as long as the walk;
 * the first level is read by it); max_depth 0: all levels. NULL when out
 * of memory. Destroy with st_tr_gen_destroy (accepts NULL). */
st_tr_gen *st_tr_gen_create(st_tr *t, const char *key, int up, int max_depth);
/* The unit's id, once known (before the second step): never a node found. */
void st_tr_gen_start(st_tr_gen *g, int64_t item);
void st_tr_gen_destroy(st_tr_gen *g);
/* Take in the level the last flush read (if any) and queue the next
 * level's reads into b. 1 when reads were queued, 0 when the walk is done,
 * or a negative st_rc. */
int st_tr_gen_step(st_tr_gen *g, st_tr_batch *b);
/* "up" or "down": the nodes found, each with its depth. */
void st_tr_gen_write(st_tr_gen *g, st_jw *j);

#endif
