/*
 * Named queries (named_queries.h), kept in the store (table named_query:
 * the query object as the compact JSON it was given in, and since schema
 * v8 the name of the API key that made it, which alone, with admin keys,
 * may delete it). Every use reads
 * the row, so every server on the store sees the same queries and a
 * restart loses none; each parameter becomes text for st_query_set (lists
 * joined with '|', the REST binding's separator).
 */
#include "api/named_queries.h"

#include <jansson.h>
#include <serialtrack/keys.h>
#include <serialtrack/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "store/query.h"
#include "store/store_int.h"

struct st_nq {
    st_store *store; /* borrowed */
};

st_rc st_nq_create(st_store *store, struct st_nq **out)
{
    struct st_nq *t = calloc(1, sizeof *t);
    if (!t)
        return ST_ERR_NOMEM;
    t->store = store;
    *out = t;
    return ST_OK;
}

void st_nq_destroy(struct st_nq *t)
{
    free(t);
}

/* One scalar as parameter text into out (cap bytes); 0 for a non-scalar. */
static int scalar_text(const json_t *x, char *out, size_t cap)
{
    if (json_is_string(x))
        return snprintf(out, cap, "%s", json_string_value(x)) < (int)cap;
    if (json_is_integer(x))
        return snprintf(out, cap, "%lld", (long long)json_integer_value(x)) < (int)cap;
    if (json_is_real(x))
        return snprintf(out, cap, "%.17g", json_real_value(x)) < (int)cap;
    if (json_is_boolean(x))
        return snprintf(out, cap, "%s", json_is_true(x) ? "true" : "false") < (int)cap;
    return 0;
}

/* The parameter text of a query member value (malloc'd), or NULL. */
static char *param_text(const json_t *x)
{
    size_t cap = ST_EPCIS_MAX_STRING;
    char *s = malloc(cap), *one = malloc(cap);
    if (!s || !one)
        goto bad;
    s[0] = 0;
    if (json_is_array(x)) {
        size_t i, n = 0;
        json_t *el;
        if (json_array_size(x) == 0 || json_array_size(x) > ST_QUERY_MAX_VALUES)
            goto bad;
        json_array_foreach(x, i, el)
        {
            if (!scalar_text(el, one, cap))
                goto bad;
            size_t m = strlen(one);
            if (n + m + 2 > cap)
                goto bad;
            if (n)
                s[n++] = '|';
            memcpy(s + n, one, m + 1);
            n += m;
        }
    } else if (!scalar_text(x, s, cap)) {
        goto bad;
    }
    free(one);
    return s;
bad:
    free(s);
    free(one);
    return NULL;
}

static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (!n || n >= ST_API_QUERY_NAME_MAX)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.' || *s == '~'))
            return 0;
    return 1;
}

/* Apply each member of the query object jq to q (q may be NULL: only
 * checked). field (fcap bytes) names the member at fault. */
static st_rc apply_json(json_t *jq, st_query *q, char *field, size_t fcap, st_error *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(jq, k, v)
    {
        snprintf(field, fcap, "query.%s", k);
        char *text = param_text(v);
        if (!text)
            return st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                           "QueryParameterException: %s must be a string, number, boolean or a "
                           "non-empty list of them",
                           k);
        st_error qe;
        st_error_clear(&qe);
        st_rc qrc = st_query_set(q, k, text, &qe);
        free(text);
        if (qrc != ST_OK)
            return st_fail(err, qrc == ST_ERR_NOMEM ? qrc : ST_ERR_SYNTAX, -1, NULL,
                           "QueryParameterException: %s", qe.msg[0] ? qe.msg : st_strerror(qrc));
    }
    return ST_OK;
}

st_rc st_nq_add(struct st_nq *t, const char *body, size_t len, const char *by, char *name_out,
                size_t cap, char *field, size_t fcap, st_error *err)
{
    snprintf(field, fcap, "%s", "");
    json_error_t je;
    json_t *root = json_loadb(body ? body : "", body ? len : 0, JSON_REJECT_DUPLICATES, &je);
    st_query *q = NULL;
    char *json = NULL;
    st_rc rc = ST_OK;
    if (!root) {
        rc = st_fail(err, ST_ERR_SYNTAX, je.position, NULL, "the body is not JSON: %s (line %d)",
                     je.text, je.line);
        goto out;
    }
    json_t *jn = json_object_get(root, "name"), *jq = json_object_get(root, "query");
    if (!json_is_string(jn) || !name_ok(json_string_value(jn))) {
        snprintf(field, fcap, "name");
        rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                     "name must be a string of 1 to %d letters, digits, '-', '_', '.' or '~'",
                     ST_API_QUERY_NAME_MAX - 1);
        goto out;
    }
    if (!json_is_object(jq)) {
        snprintf(field, fcap, "query");
        rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL, "query must be an object of query parameters");
        goto out;
    }
    if (json_object_size(jq) > ST_QUERY_MAX_PARAMS) {
        snprintf(field, fcap, "query");
        rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL, "query holds %zu parameters; the limit is %d",
                     json_object_size(jq), ST_QUERY_MAX_PARAMS);
        goto out;
    }
    json = json_dumps(jq, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!json || st_query_create(&q) != ST_OK) {
        rc = st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory for the query");
        goto out;
    }
    if ((rc = apply_json(jq, q, field, fcap, err)))
        goto out;
    snprintf(field, fcap, "query");
    st_error ce;
    st_error_clear(&ce);
    if (st_query_check(q, &ce) != ST_OK) {
        rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL, "QueryParameterException: %s", ce.msg);
        goto out;
    }
    snprintf(field, fcap, "name");
    const char *name = json_string_value(jn);
    st_val args[5] = {st_val_text(name), st_val_text(json), st_val_int((int64_t)time(NULL)),
                      st_val_int(ST_API_NAMED_QUERIES_MAX), st_val_text(by)};
    int64_t added = 0;
    /* the cap in the statement itself: no window between counting and adding */
    rc = st_store_admin_exec(t->store,
                             "INSERT INTO named_query(name, query, created, created_by)"
                             " SELECT $1, $2, $3, $5 WHERE (SELECT count(*) FROM named_query) < $4",
                             args, 5, NULL, NULL, &added, err);
    if (rc == ST_ERR_ARG) /* the name's UNIQUE constraint */
        rc = st_fail(err, ST_ERR_EXHAUSTED, -1, NULL, "a query named %s exists already", name);
    else if (!rc && !added)
        rc = st_fail(err, ST_ERR_LIMIT, -1, NULL, "%d named queries are kept; the limit is %d",
                     ST_API_NAMED_QUERIES_MAX, ST_API_NAMED_QUERIES_MAX);
    if (!rc) {
        snprintf(name_out, cap, "%s", name);
        snprintf(field, fcap, "%s", "");
    }
out:
    free(json);
    st_query_destroy(q);
    json_decref(root);
    return rc;
}

/* One stored query: its JSON and creation time. */
struct row {
    char *json;      /* malloc'd, or NULL when there is no such query */
    int64_t created; /* seconds since the epoch */
};

static st_rc row_query(void *ctx, const st_val *c, int n)
{
    struct row *r = ctx;
    if (n < 2 || c[0].type != ST_VAL_TEXT || r->json)
        return ST_OK;
    if (!(r->json = strndup(c[0].p, c[0].n)))
        return ST_ERR_NOMEM;
    r->created = c[1].type == ST_VAL_INT ? c[1].i : 0;
    return ST_OK;
}

static st_rc load(struct st_nq *t, const char *name, struct row *r, st_error *err)
{
    *r = (struct row){NULL, 0};
    st_val arg = st_val_text(name);
    st_rc rc = st_store_exec(t->store, "SELECT query, created FROM named_query WHERE name = $1",
                             &arg, 1, row_query, r, err);
    if (!rc && !r->json)
        rc = st_fail(err, ST_ERR_NOT_FOUND, -1, NULL, "no query is named %s", name);
    return rc;
}

st_rc st_nq_apply(struct st_nq *t, const char *name, st_query *q, st_error *err)
{
    struct row r;
    st_rc rc = load(t, name, &r, err);
    if (rc)
        return rc;
    json_t *jq = json_loads(r.json, 0, NULL);
    char field[160];
    rc = jq ? apply_json(jq, q, field, sizeof field, err)
            : st_fail(err, ST_ERR_IO, -1, NULL, "the stored query %s is not JSON", name);
    json_decref(jq);
    free(r.json);
    return rc;
}

static void describe(const char *name, const char *json, int64_t created, st_jw *jw)
{
    char when[32];
    struct tm tm;
    time_t tt = (time_t)created;
    gmtime_r(&tt, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    st_jw_object_begin(jw);
    st_jw_member_str(jw, "name", name);
    st_jw_key(jw, "query");
    st_jw_raw(jw, json, strlen(json));
    st_jw_member_str(jw, "createdAt", when);
    st_jw_object_end(jw);
}

st_rc st_nq_describe(struct st_nq *t, const char *name, st_jw *jw, st_error *err)
{
    struct row r;
    st_rc rc = load(t, name, &r, err);
    if (!rc)
        describe(name, r.json, r.created, jw);
    free(r.json);
    return rc;
}

struct listing {
    st_jw *jw;
    long n, per; /* rows seen; rows to write */
    char *next;  /* the last name written, when one more row follows */
    size_t cap;  /* bytes of next */
    char last[ST_API_QUERY_NAME_MAX];
};

static st_rc row_list(void *ctx, const st_val *c, int n)
{
    struct listing *l = ctx;
    if (n < 3 || c[0].type != ST_VAL_TEXT || c[1].type != ST_VAL_TEXT)
        return ST_OK;
    if (l->n++ == l->per) {
        snprintf(l->next, l->cap, "%s", l->last);
        return ST_OK;
    }
    describe(c[0].p, c[1].p, c[2].type == ST_VAL_INT ? c[2].i : 0, l->jw);
    snprintf(l->last, sizeof l->last, "%s", (const char *)c[0].p);
    return ST_OK;
}

st_rc st_nq_list(struct st_nq *t, const char *after, long per, st_jw *jw, char *next, size_t cap,
                 st_error *err)
{
    struct listing l = {jw, 0, per, next, cap, ""};
    next[0] = 0;
    st_val args[2] = {st_val_text(after ? after : ""), st_val_int(per + 1)};
    st_jw_array_begin(jw);
    st_rc rc = st_store_exec(t->store,
                             "SELECT name, query, created FROM named_query WHERE name > $1"
                             " ORDER BY name LIMIT $2",
                             args, 2, row_list, &l, err);
    st_jw_array_end(jw);
    return rc;
}

/* The creator of a stored query: found, and its key name ("" for none). */
struct creator {
    int found;
    char by[ST_KEY_NAME_MAX + 1];
};

static st_rc row_creator(void *ctx, const st_val *c, int n)
{
    struct creator *k = ctx;
    k->found = 1;
    if (n > 0 && c[0].type == ST_VAL_TEXT)
        snprintf(k->by, sizeof k->by, "%.*s", (int)c[0].n, (const char *)c[0].p);
    return ST_OK;
}

st_rc st_nq_delete(struct st_nq *t, const char *name, const char *by, int admin, st_error *err)
{
    st_val args[3] = {st_val_text(name), st_val_int(admin ? 1 : 0), st_val_text(by)};
    int64_t gone = 0;
    /* who may delete is part of the statement: no window between checking
     * and deleting */
    st_rc rc = st_store_admin_exec(t->store,
                                   "DELETE FROM named_query WHERE name = $1"
                                   " AND ($2 = 1 OR created_by = $3)",
                                   args, 3, NULL, NULL, &gone, err);
    if (rc || gone)
        return rc;
    struct creator k = {0, ""};
    if ((rc = st_store_exec(t->store, "SELECT created_by FROM named_query WHERE name = $1", args, 1,
                            row_creator, &k, err)) != ST_OK)
        return rc;
    if (!k.found)
        return st_fail(err, ST_ERR_NOT_FOUND, -1, NULL, "no query is named %s", name);
    if (!k.by[0])
        return st_fail(err, ST_ERR_REFUSED, -1, NULL,
                       "the query %s was made before its creator was recorded (or on a server "
                       "without keys); only an admin key may delete it",
                       name);
    return st_fail(err, ST_ERR_REFUSED, -1, NULL,
                   "the query %s was made by the API key \"%s\"; only that key or an admin key "
                   "may delete it",
                   name, k.by);
}
