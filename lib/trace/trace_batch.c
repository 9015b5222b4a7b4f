/*
 * A trace's batches of reads (lib/trace/trace_int.h): reads are queued with
 * their arguments in the trace's arena and sent together through
 * st_store_exec_batch, and the id-and-key lists several parts read into.
 */
#include <string.h>

#include "trace/trace_int.h"

void st_tr_batch_init(st_tr_batch *b, st_tr *t)
{
    b->t = t;
    b->n = 0;
    b->rc = ST_OK;
}

st_val *st_tr_args(st_tr_batch *b, int n)
{
    st_val *v = st_arena_alloc(b->t->a, (size_t)(n > 0 ? n : 1) * sizeof *v);
    if (!v && !b->rc)
        b->rc = st_fail(b->t->err, ST_ERR_NOMEM, -1, NULL, "out of memory tracing");
    return v;
}

void st_tr_read(st_tr_batch *b, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                void *ctx)
{
    if (b->rc || !args)
        return;
    if (b->n == ST_TR_BATCH && st_tr_flush(b))
        return;
    b->r[b->n++] = (st_read){sql, args, nargs, cb, ctx};
}

st_rc st_tr_flush(st_tr_batch *b)
{
    if (!b->rc && b->n)
        b->rc = st_store_exec_batch(b->t->s, b->r, b->n, b->t->err);
    b->n = 0;
    return b->rc;
}

st_rc st_tr_row_idkey(void *ctx, const st_val *c, int n)
{
    st_tr_idlist *l = ctx;
    if (n < 2 || c[0].type != ST_VAL_INT)
        return ST_OK;
    if (l->n >= l->max) {
        l->truncated = 1;
        return ST_OK;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        int64_t *id = st_arena_alloc(l->a, cap * sizeof *id);
        char **key = st_arena_alloc(l->a, cap * sizeof *key);
        unsigned char *flag = st_arena_alloc(l->a, cap);
        if (!id || !key || !flag)
            return ST_ERR_NOMEM;
        if (l->n) {
            memcpy(id, l->id, l->n * sizeof *id);
            memcpy(key, l->key, l->n * sizeof *key);
            memcpy(flag, l->flag, l->n);
        }
        l->id = id;
        l->key = key;
        l->flag = flag;
        l->cap = cap;
    }
    l->id[l->n] = c[0].i;
    l->key[l->n] = c[1].type == ST_VAL_TEXT ? st_arena_strndup(l->a, c[1].p, c[1].n) : NULL;
    l->flag[l->n] = n > 2 && c[2].type == ST_VAL_INT && c[2].i != 0;
    l->n++;
    return ST_OK;
}
