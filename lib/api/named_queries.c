/*
 * Named queries (named_queries.h): a mutex-guarded array of definitions,
 * each kept as parameter name/value pairs (lists joined with '|', the REST
 * binding's separator) and as the JSON it was given in.
 */
#include "api/named_queries.h"

#include <jansson.h>
#include <pthread.h>
#include <serialtrack/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "store/query.h"

struct nq_entry {
    char *name;    /* the query's name (malloc'd) */
    char *json;    /* its query object, compact JSON (malloc'd) */
    char **k, **v; /* parameters (malloc'd) */
    int n;         /* how many */
    time_t created;
};

struct st_nq {
    pthread_mutex_t mu;
    struct nq_entry *e[ST_API_NAMED_QUERIES_MAX]; /* oldest first */
    int n;
};

static void entry_free(struct nq_entry *e)
{
    if (!e)
        return;
    for (int i = 0; i < e->n; i++) {
        free(e->k[i]);
        free(e->v[i]);
    }
    free(e->k);
    free(e->v);
    free(e->name);
    free(e->json);
    free(e);
}

st_rc st_nq_create(struct st_nq **out)
{
    struct st_nq *t = calloc(1, sizeof *t);
    if (!t)
        return ST_ERR_NOMEM;
    pthread_mutex_init(&t->mu, NULL);
    *out = t;
    return ST_OK;
}

void st_nq_destroy(struct st_nq *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++)
        entry_free(t->e[i]);
    pthread_mutex_destroy(&t->mu);
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
        json_array_foreach(x, i, el) {
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

static int find(struct st_nq *t, const char *name)
{
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->e[i]->name, name))
            return i;
    return -1;
}

st_rc st_nq_add(struct st_nq *t, const char *body, size_t len, char *name_out, size_t cap,
                char *field, size_t fcap, st_error *err)
{
    snprintf(field, fcap, "%s", "");
    json_error_t je;
    json_t *root = json_loadb(body ? body : "", body ? len : 0, JSON_REJECT_DUPLICATES, &je);
    struct nq_entry *e = NULL;
    st_query *q = NULL;
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
    e = calloc(1, sizeof *e);
    size_t np = json_object_size(jq);
    if (!e || !(e->k = calloc(np + 1, sizeof *e->k)) || !(e->v = calloc(np + 1, sizeof *e->v)) ||
        !(e->name = strdup(json_string_value(jn))) ||
        !(e->json = json_dumps(jq, JSON_COMPACT | JSON_PRESERVE_ORDER)) ||
        st_query_create(&q) != ST_OK) {
        rc = st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory for the query");
        goto out;
    }
    const char *k;
    json_t *v;
    json_object_foreach(jq, k, v) {
        snprintf(field, fcap, "query.%s", k);
        char *text = param_text(v);
        if (!text) {
            rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL,
                         "QueryParameterException: %s must be a string, number, boolean or a "
                         "non-empty list of them",
                         k);
            goto out;
        }
        e->k[e->n] = strdup(k);
        e->v[e->n] = text;
        if (!e->k[e->n++]) {
            rc = st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory for the query");
            goto out;
        }
        st_error qe;
        st_error_clear(&qe);
        st_rc qrc = st_query_set(q, k, text, &qe);
        if (qrc != ST_OK) {
            rc = st_fail(err, qrc == ST_ERR_NOMEM ? qrc : ST_ERR_SYNTAX, -1, NULL,
                         "QueryParameterException: %s", qe.msg[0] ? qe.msg : st_strerror(qrc));
            goto out;
        }
    }
    snprintf(field, fcap, "query");
    st_error ce;
    st_error_clear(&ce);
    if (st_query_check(q, &ce) != ST_OK) {
        rc = st_fail(err, ST_ERR_SYNTAX, -1, NULL, "QueryParameterException: %s", ce.msg);
        goto out;
    }
    snprintf(field, fcap, "name");
    e->created = time(NULL);
    pthread_mutex_lock(&t->mu);
    if (find(t, e->name) >= 0)
        rc = st_fail(err, ST_ERR_EXHAUSTED, -1, NULL, "a query named %s exists already", e->name);
    else if (t->n >= ST_API_NAMED_QUERIES_MAX)
        rc = st_fail(err, ST_ERR_LIMIT, -1, NULL, "%d named queries are kept; the limit is %d",
                     t->n, ST_API_NAMED_QUERIES_MAX);
    else {
        t->e[t->n++] = e;
        snprintf(name_out, cap, "%s", e->name);
        e = NULL;
        snprintf(field, fcap, "%s", "");
    }
    pthread_mutex_unlock(&t->mu);
out:
    entry_free(e);
    st_query_destroy(q);
    json_decref(root);
    return rc;
}

st_rc st_nq_apply(struct st_nq *t, const char *name, st_query *q, st_error *err)
{
    st_rc rc = ST_OK;
    pthread_mutex_lock(&t->mu);
    int i = find(t, name);
    if (i < 0)
        rc = st_fail(err, ST_ERR_NOT_FOUND, -1, NULL, "no query is named %s", name);
    for (int p = 0; i >= 0 && rc == ST_OK && p < t->e[i]->n; p++)
        rc = st_query_set(q, t->e[i]->k[p], t->e[i]->v[p], err);
    pthread_mutex_unlock(&t->mu);
    return rc;
}

static void describe(const struct nq_entry *e, st_jw *jw)
{
    char when[32];
    struct tm tm;
    gmtime_r(&e->created, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    st_jw_object_begin(jw);
    st_jw_member_str(jw, "name", e->name);
    st_jw_key(jw, "query");
    st_jw_raw(jw, e->json, strlen(e->json));
    st_jw_member_str(jw, "createdAt", when);
    st_jw_object_end(jw);
}

st_rc st_nq_describe(struct st_nq *t, const char *name, st_jw *jw)
{
    pthread_mutex_lock(&t->mu);
    int i = find(t, name);
    if (i >= 0)
        describe(t->e[i], jw);
    pthread_mutex_unlock(&t->mu);
    return i >= 0 ? ST_OK : ST_ERR_NOT_FOUND;
}

void st_nq_list(struct st_nq *t, st_jw *jw)
{
    pthread_mutex_lock(&t->mu);
    st_jw_array_begin(jw);
    for (int i = 0; i < t->n; i++)
        describe(t->e[i], jw);
    st_jw_array_end(jw);
    pthread_mutex_unlock(&t->mu);
}

st_rc st_nq_delete(struct st_nq *t, const char *name)
{
    pthread_mutex_lock(&t->mu);
    int i = find(t, name);
    if (i >= 0) {
        entry_free(t->e[i]);
        memmove(&t->e[i], &t->e[i + 1], (size_t)(t->n - i - 1) * sizeof *t->e);
        t->n--;
    }
    pthread_mutex_unlock(&t->mu);
    return i >= 0 ? ST_OK : ST_ERR_NOT_FOUND;
}
