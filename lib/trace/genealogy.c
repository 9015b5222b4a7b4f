/*
 * A trace's genealogy (lib/trace/trace_int.h): transformations (table
 * genealogy, one row per input or output of a transformation) followed
 * level by level, many nodes per statement, crossing lots both ways: a lot
 * consumed by class-level quantity feeds every unit of that lot (down), and
 * a unit's lot as a class-level output leads to that transformation's
 * inputs (up). Only nodes that are lots of some unit (each step says which
 * of the nodes it finds are; the unit's own key says whether it may be) are
 * looked up as lots: most are not, and that statement is the dearest of the
 * three. A walk does not read by itself: each step queues one
 * level's statements into the trace's batch, so the levels of the up and the down walk, and the
 * first level beside the trace's other parts, go out together.
 */
#include <serialtrack/limits.h>
#include <stdlib.h>

#include "common/i64set.h"
#include "store/capture.h"
#include "trace/trace_int.h"

#define CHUNK 64 /* ids per genealogy statement */

/* One expansion step: from a chunk of ids ($1..$CHUNK), the ids one level
 * away. Direction 0 = down (inputs to outputs), 1 = up. */
#define IN_CHUNK                                                                                   \
    "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,"     \
    "$25,$26,$27,$28,$29,$30,$31,$32,$33,$34,$35,$36,$37,$38,$39,$40,$41,$42,$43,$44,$45,$46,"     \
    "$47,$48,$49,$50,$51,$52,$53,$54,$55,$56,$57,$58,$59,$60,$61,$62,$63,$64)"

/* Whether the node found is the lot of some unit: only a key of a lot's
 * form (st_cap_is_lot_key) is looked up. */
#define IS_LOT                                                                                     \
    "EXISTS (SELECT 1 FROM item_lot il WHERE i.key LIKE 'https://id.gs1.org/01/%/10/%'"            \
    " AND il.lot = g2.ident)"

/* From a node to the transformations it took part in (as input for down,
 * as output for up) to their other side. */
#define VIA_EVENTS(from_roles, to_roles)                                                           \
    "SELECT DISTINCT g2.ident, i.key, " IS_LOT " FROM event_epc x JOIN event e ON e.id = x.event"  \
    " JOIN genealogy g2 ON g2.xform = coalesce(e.xform, -e.id) AND g2.role IN " to_roles           \
    " JOIN ident i ON i.id = g2.ident WHERE x.role IN " from_roles " AND x.ident IN "

/* The node is a lot: transformations that took (down) or made (up) any unit of it. */
#define VIA_UNITS(unit_role, to_roles)                                                             \
    "SELECT DISTINCT g2.ident, i.key, " IS_LOT " FROM item_lot s JOIN event_epc x"                 \
    " ON x.ident = s.ident AND x.role = " unit_role " JOIN event e ON e.id = x.event"              \
    " JOIN genealogy g2 ON g2.xform = coalesce(e.xform, -e.id) AND g2.role IN " to_roles           \
    " JOIN ident i ON i.id = g2.ident WHERE s.lot IN "

/* The node's lot was consumed (down) or made (up) as a class. */
#define VIA_LOT(class_role, to_roles)                                                              \
    "SELECT DISTINCT g2.ident, i.key, " IS_LOT " FROM item_state s JOIN event_epc x"               \
    " ON x.ident = s.lot AND x.role = " class_role " JOIN event e ON e.id = x.event"               \
    " JOIN genealogy g2 ON g2.xform = coalesce(e.xform, -e.id) AND g2.role IN " to_roles           \
    " JOIN ident i ON i.id = g2.ident WHERE s.ident IN "

#define STEPS(in)                                                                                  \
    {                                                                                              \
        {VIA_EVENTS("(4, 8)", "(5, 9)") in, VIA_UNITS("4", "(5, 9)") in,                           \
         VIA_LOT("8", "(5, 9)") in},                                                               \
        {                                                                                          \
            VIA_EVENTS("(5, 9)", "(4, 8)")                                                         \
            in, VIA_UNITS("5", "(4, 8)") in, VIA_LOT("9", "(4, 8)") in                             \
        }                                                                                          \
    }

/* [direction][statement]: the steps from a chunk of nodes, and the first
 * step, from the unit named by its key ($1; its id is not known yet) */
static const char *const step_sql[2][3] = STEPS(IN_CHUNK);
static const char *const first_sql[2][3] = STEPS(ST_TR_ITEM);

struct st_tr_gen {
    st_tr *t;
    int up;             /* 1: towards inputs */
    int max_depth;      /* levels to follow; 0: all */
    int depth;          /* the level last queued (0: none yet) */
    int done;           /* no level left to queue */
    int truncated;      /* a node was left out (ST_TRACE_MAX_NODES) */
    st_i64set seen;     /* every node met, the start included */
    const char *key1;   /* the unit's key (the first level is read by it) */
    int64_t *frontier;  /* the nodes of the level last taken in */
    unsigned char *lot; /* which of them are lots (item_lot.lot) */
    size_t nf;          /* in frontier */
    st_tr_idlist next;  /* the level being read */
    char **key;         /* the nodes found, in order (keys in the trace's arena) */
    int *at;            /* and their depths */
    size_t n, cap;      /* found */
};

st_tr_gen *st_tr_gen_create(st_tr *t, const char *key, int up, int max_depth)
{
    st_tr_gen *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->t = t;
    g->up = up;
    g->max_depth = max_depth;
    g->key1 = key;
    st_i64set_init(&g->seen, ST_TRACE_MAX_NODES);
    return g;
}

void st_tr_gen_destroy(st_tr_gen *g)
{
    if (!g)
        return;
    st_i64set_free(&g->seen);
    free(g->frontier);
    free(g->lot);
    free(g->key);
    free(g->at);
    free(g);
}

/* Take in the level just read: its new nodes become the frontier and are
 * found at g->depth. */
static st_rc take_level(st_tr_gen *g)
{
    st_tr_idlist *l = &g->next;
    free(g->frontier);
    free(g->lot);
    g->nf = 0;
    g->frontier = malloc((l->n ? l->n : 1) * sizeof *g->frontier);
    g->lot = malloc(l->n ? l->n : 1);
    if (!g->frontier || !g->lot)
        return ST_ERR_NOMEM;
    if (g->n + l->n > g->cap) {
        size_t cap = g->n + l->n + 64;
        char **key = realloc(g->key, cap * sizeof *key);
        if (key)
            g->key = key;
        int *at = realloc(g->at, cap * sizeof *at);
        if (at)
            g->at = at;
        if (!key || !at)
            return ST_ERR_NOMEM;
        g->cap = cap;
    }
    for (size_t i = 0; i < l->n; i++) {
        int added = st_i64set_add(&g->seen, l->id[i]);
        if (added < 0) {
            g->truncated = 1;
            break;
        }
        if (!added)
            continue;
        g->lot[g->nf] = l->flag[i];
        g->frontier[g->nf++] = l->id[i];
        g->key[g->n] = l->key[i];
        g->at[g->n++] = g->depth;
    }
    g->truncated |= l->truncated;
    return ST_OK;
}

void st_tr_gen_start(st_tr_gen *g, int64_t item)
{
    st_i64set_add(&g->seen, item);
}

int st_tr_gen_step(st_tr_gen *g, st_tr_batch *b)
{
    if (g->done)
        return 0;
    if (b->rc)
        return -(int)b->rc;
    st_rc rc = g->depth > 0 ? take_level(g) : ST_OK;
    if (rc)
        return -(int)rc;
    if ((g->depth > 0 && !g->nf) || (g->max_depth > 0 && g->depth + 1 > g->max_depth)) {
        g->done = 1;
        return 0;
    }
    g->depth++;
    g->next = (st_tr_idlist){.a = g->t->a, .max = ST_TRACE_MAX_NODES};
    if (g->depth == 1) { /* from the unit, by its key */
        st_val *args = st_tr_args(b, 1);
        if (args)
            args[0] = st_val_text(g->key1);
        for (int q = 0; q < 3; q++)
            if (q != 1 || st_cap_is_lot_key(g->key1))
                st_tr_read(b, first_sql[g->up][q], args, 1, st_tr_row_idkey, &g->next);
        return b->rc ? -(int)b->rc : 1;
    }
    /* every node by the events it took part in and by its lot; the lots
     * among them by their units too */
    for (int q = 0; q < 3; q++) {
        size_t i = 0;
        while (i < g->nf) {
            while (q == 1 && i < g->nf && !g->lot[i])
                i++;
            if (i == g->nf)
                break;
            st_val *args = st_tr_args(b, CHUNK);
            if (!args)
                break;
            size_t k = 0;
            for (; k < CHUNK && i < g->nf; i++)
                if (q != 1 || g->lot[i])
                    args[k++] = st_val_int(g->frontier[i]);
            while (k < CHUNK)
                args[k++] = st_val_int(0);
            st_tr_read(b, step_sql[g->up][q], args, CHUNK, st_tr_row_idkey, &g->next);
        }
    }
    return b->rc ? -(int)b->rc : 1;
}

void st_tr_gen_write(st_tr_gen *g, st_jw *j)
{
    st_jw_key(j, g->up ? "up" : "down");
    st_jw_array_begin(j);
    for (size_t i = 0; i < g->n; i++) {
        st_jw_object_begin(j);
        st_jw_member_str(j, "key", g->key[i] ? g->key[i] : "");
        st_jw_key(j, "depth");
        st_jw_long(j, g->at[i]);
        st_jw_object_end(j);
    }
    st_jw_array_end(j);
    if (g->truncated) {
        st_jw_key(j, g->up ? "up_truncated" : "down_truncated");
        st_jw_bool(j, 1);
    }
}
