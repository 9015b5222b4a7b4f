/*
 * Partner scope (scope.h): the party's canonical key, its GLN, and the
 * locations below that GLN in the master-data hierarchy, read once when the
 * scope is opened and kept sorted for binary search; the checks of events
 * and identifier keys against them.
 */
#include <serialtrack/id.h>
#include <serialtrack/limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "store/capture.h"
#include "store/scope.h"
#include "store/store_int.h"

#define KEY_CAP 1024 /* bytes of one canonical key */
#define DL_PARTY "https://id.gs1.org/417/"
#define DL_LOC "https://id.gs1.org/414/"
#define GLN_LEN 13

struct st_scope {
    char party[KEY_CAP]; /* canonical key of the party */
    char loc[64];        /* https://id.gs1.org/414/{gln}, or "" when no GLN */
    size_t loc_len;      /* its length */
    char **below;        /* keys of the locations under loc in the hierarchy, sorted */
    size_t n, cap;       /* entries in below */
};

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

st_rc st_scope_party_key(const char *party, char *out, size_t cap, st_error *err)
{
    if (!party || !*party)
        return st_fail(err, ST_ERR_SYNTAX, -1, NULL, "no party given");
    char es[32];
    size_t n = strlen(party);
    if (n == GLN_LEN && all_digits(party, n)) { /* a bare GLN: the party's */
        snprintf(es, sizeof es, "(417)%s", party);
        party = es;
        n = strlen(es);
    }
    st_id *h = NULL;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_id_parse(party, n, NULL, &h, &e);
    if (rc == ST_OK) {
        const char *k = st_id_key(h);
        size_t kn = k ? strlen(k) : 0;
        rc = kn && kn < cap ? ST_OK : ST_ERR_BUFFER;
        if (rc == ST_OK)
            memcpy(out, k, kn + 1);
        st_id_destroy(h);
        return rc ? st_fail(err, rc, -1, NULL, "the party's key is too long") : ST_OK;
    }
    st_id_destroy(h);
    if (!strncmp(party, "urn:epc:", 8) || e.rc != ST_ERR_SYNTAX)
        return st_fail(err, ST_ERR_SYNTAX, e.position, e.ai[0] ? e.ai : NULL,
                       "the party is not a valid GS1 identifier: %s", e.msg);
    if (strchr(party, ':') && st_cap_canon(party, -1, NULL, out, cap) == ST_OK)
        return ST_OK;
    return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                   "the party is neither a GLN (PGLN or SGLN, in any GS1 form) nor a URI");
}

/* The GLN of a party or location key, or NULL. */
static const char *gln_of(const char *key)
{
    const char *g = NULL;
    if (!strncmp(key, DL_PARTY, sizeof DL_PARTY - 1))
        g = key + sizeof DL_PARTY - 1;
    else if (!strncmp(key, DL_LOC, sizeof DL_LOC - 1))
        g = key + sizeof DL_LOC - 1;
    if (!g || strlen(g) < GLN_LEN || !all_digits(g, GLN_LEN) || (g[GLN_LEN] && g[GLN_LEN] != '/'))
        return NULL;
    return g;
}

static st_rc row_below(void *ctx, const st_val *c, int n)
{
    st_scope *sc = ctx;
    if (n < 1 || c[0].type != ST_VAL_TEXT)
        return ST_OK;
    if (sc->n == ST_SCOPE_MAX_LOCATIONS)
        return ST_ERR_LIMIT;
    if (sc->n == sc->cap) {
        size_t cap = sc->cap ? 2 * sc->cap : 16;
        char **v = realloc(sc->below, cap * sizeof *v);
        if (!v)
            return ST_ERR_NOMEM;
        sc->below = v;
        sc->cap = cap;
    }
    char *k = malloc(c[0].n + 1);
    if (!k)
        return ST_ERR_NOMEM;
    memcpy(k, c[0].p, c[0].n);
    k[c[0].n] = 0;
    sc->below[sc->n++] = k;
    return ST_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

st_rc st_scope_open(st_store *s, const char *party, st_scope **out, st_error *err)
{
    *out = NULL;
    if (!s)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store");
    st_scope *sc = calloc(1, sizeof *sc);
    if (!sc)
        return ST_ERR_NOMEM;
    st_rc rc = st_scope_party_key(party, sc->party, sizeof sc->party, err);
    if (rc)
        goto fail;
    const char *g = gln_of(sc->party);
    if (g) {
        sc->loc_len = (size_t)snprintf(sc->loc, sizeof sc->loc, DL_LOC "%.13s", g);
        /* the GLN itself, its extensions (key range "…/254/" up to "…/2540"),
         * and everything below them in the hierarchy */
        char lo[80], hi[80];
        snprintf(lo, sizeof lo, "%s/", sc->loc);
        snprintf(hi, sizeof hi, "%s0", sc->loc);
        st_val args[3] = {st_val_text(sc->loc), st_val_text(lo), st_val_text(hi)};
        rc = st_store_exec(
            s,
            "WITH RECURSIVE loc(id) AS ("
            " SELECT id FROM ident WHERE key = $1 OR (key > $2 AND key < $3)"
            " UNION SELECT c.child FROM location_child c JOIN loc ON c.parent = loc.id)"
            " SELECT i.key FROM loc JOIN ident i ON i.id = loc.id",
            args, 3, row_below, sc, err);
        if (rc == ST_ERR_LIMIT)
            rc = st_fail(err, ST_ERR_LIMIT, -1, NULL, "the party %s has more than %d locations",
                         sc->party, ST_SCOPE_MAX_LOCATIONS);
        if (rc)
            goto fail;
        if (sc->n)
            qsort(sc->below, sc->n, sizeof *sc->below, cmp_str);
    }
    *out = sc;
    return ST_OK;
fail:
    st_scope_destroy(sc);
    return rc;
}

void st_scope_destroy(st_scope *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->n; i++)
        free(sc->below[i]);
    free(sc->below);
    free(sc);
}

const char *st_scope_party(const st_scope *sc)
{
    return sc ? sc->party : NULL;
}

int st_scope_key_ok(const st_scope *sc, const char *key)
{
    if (!key)
        return 0;
    if (!strcmp(key, sc->party))
        return 1;
    if (sc->loc_len && !strncmp(key, sc->loc, sc->loc_len) &&
        (key[sc->loc_len] == 0 || key[sc->loc_len] == '/'))
        return 1;
    return sc->n && bsearch(&key, sc->below, sc->n, sizeof *sc->below, cmp_str) != NULL;
}

/* Whether value (as written in the event) names the party or its locations. */
static int value_ok(const st_scope *sc, const char *value, const st_evnode *bindings)
{
    char canon[KEY_CAP];
    return value && st_cap_canon(value, -1, bindings, canon, sizeof canon) == ST_OK &&
           st_scope_key_ok(sc, canon);
}

int st_scope_event_ok(const st_scope *sc, const st_evnode *root, const st_evnode *bindings)
{
    static const char *const lists[] = {"sourceList", "destinationList"};
    for (size_t l = 0; l < 2; l++) {
        const st_evnode *n = st_evnode_child(root, lists[l]);
        for (const st_evnode *k = n ? n->first : NULL; k; k = k->next)
            if (value_ok(sc, k->value, bindings))
                return 1;
    }
    static const char *const where[] = {"readPoint", "bizLocation"};
    for (size_t w = 0; w < 2; w++) {
        const st_evnode *n = st_evnode_child(root, where[w]);
        if (n && value_ok(sc, st_evnode_child_value(n, "id"), bindings))
            return 1;
    }
    return 0;
}
