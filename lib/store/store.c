/*
 * The public store API (include/serialtrack/store.h): URL to backend, the
 * capture pipeline (read + validate + prepare outside any lock, then commit)
 * and group commit. Group commit: a capturing thread queues its prepared
 * document; whichever thread finds no commit running becomes the leader,
 * takes everything queued and commits it in one transaction (one fsync),
 * then wakes the others. Under load, documents that arrive during a commit
 * ride together in the next one instead of each waiting for its own fsync.
 */
#include <serialtrack/store.h>

#include <pthread.h>
#include <serialtrack/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "epcis/epcis_int.h"
#include "epcis/hashid.h"
#include "store/chain.h"
#include "store/rulecheck.h"
#include "store/lineage.h"
#include "store/store_int.h"

#define GROUP_MAX 256 /* documents committed together at most */

struct st_store {
    const st_store_methods *m; /* the backend */
    void *impl;                /* its handle */
    pthread_mutex_t mu;        /* guards the queue */
    pthread_cond_t cv;         /* signalled when a group is done */
    st_cap_doc *queue[GROUP_MAX];
    size_t nq;             /* documents queued */
    int committing;        /* a leader is committing */
    struct st_rules rules; /* lifecycle rules checked at capture (guarded by mu) */
};

const char *st_store_default_url(const char *url)
{
    if (url && *url)
        return url;
    const char *env = getenv("SERIALTRACK_DB");
    return env && *env ? env : "serialtrack.db";
}

/* The backend and target of url. */
static st_rc resolve(const char *url, const st_store_methods **m, const char **target,
                     st_error *err)
{
    if (!strncmp(url, "sqlite://", 9)) {
        *target = url + 9;
    } else if (!strncmp(url, "sqlite:", 7)) {
        *target = url + 7;
    } else if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13)) {
        *target = url; /* libpq takes the whole URL */
        *m = &st_store_postgres;
        return ST_OK;
    } else {
        const char *colon = strchr(url, ':');
        const char *slash = strchr(url, '/');
        if (colon && colon - url > 1 && (!slash || colon < slash) && colon[1] == '/')
            return st_fail(err, ST_ERR_ARG, -1, NULL,
                           "unknown store URL scheme in \"%.*s\": use sqlite:PATH, a file path or "
                           "postgres://...",
                           (int)(colon - url), url);
        *target = url;
    }
    *m = &st_store_sqlite;
    return ST_OK;
}

st_rc st_store_open(const char *url, const st_store_opts *opts, st_store **out, st_error *err)
{
    if (!out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no handle to open into");
    *out = NULL;
    url = st_store_default_url(url);
    if (strlen(url) >= ST_STORE_URL_MAX)
        return st_fail(err, ST_ERR_LIMIT, -1, NULL, "the store URL is longer than %d bytes",
                       ST_STORE_URL_MAX - 1);
    st_store_opts none = {0};
    const st_store_methods *m = NULL;
    const char *target = NULL;
    st_rc rc = resolve(url, &m, &target, err);
    if (rc)
        return rc;
    st_store *s = calloc(1, sizeof *s);
    if (!s)
        return ST_ERR_NOMEM;
    rc = m->open(target, opts ? opts : &none, &s->impl, err);
    if (rc) {
        free(s);
        return rc;
    }
    s->m = m;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    st_rules_defaults(&s->rules);
    *out = s;
    return ST_OK;
}

void st_store_close(st_store *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    while (s->committing || s->nq)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    s->m->close(s->impl);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

st_rc st_store_migrate(st_store *s, int *from, int *to, st_error *err)
{
    if (!s)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store");
    return s->m->migrate(s->impl, from, to, err);
}

st_rc st_store_exec(st_store *s, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                    void *ctx, st_error *err)
{
    return s->m->exec(s->impl, sql, args, nargs, cb, ctx, err);
}

st_rc st_store_exec_batch(st_store *s, const st_read *reads, size_t n, st_error *err)
{
    if (n > 1 && s->m->exec_batch)
        return s->m->exec_batch(s->impl, reads, n, err);
    for (size_t i = 0; i < n; i++) {
        st_rc rc = s->m->exec(s->impl, reads[i].sql, reads[i].args, reads[i].nargs, reads[i].cb,
                              reads[i].ctx, err);
        if (rc)
            return rc;
    }
    return ST_OK;
}

st_rc st_store_read_begin(st_store *s, st_error *err)
{
    return s->m->read_begin ? s->m->read_begin(s->impl, err) : ST_OK;
}

void st_store_read_end(st_store *s)
{
    if (s->m->read_end)
        s->m->read_end(s->impl);
}

st_rc st_store_wait_change(st_store *s, int timeout_ms, int *notified, st_error *err)
{
    *notified = 0;
    if (!s->m->wait_change)
        return st_fail(err, ST_ERR_UNSUPPORTED, -1, NULL, "the %s backend cannot wait for commits",
                       s->m->name);
    return s->m->wait_change(s->impl, timeout_ms, notified, err);
}

st_rc st_store_admin_exec(st_store *s, const char *sql, const st_val *args, int nargs, st_row_cb cb,
                          void *ctx, int64_t *changes, st_error *err)
{
    if (changes)
        *changes = 0;
    if (!s || !sql)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no statement");
    return s->m->admin_exec(s->impl, sql, args, nargs, cb, ctx, changes, err);
}

st_rc st_store_set_rules(st_store *s, const st_rules *r)
{
    if (!s || !r)
        return ST_ERR_ARG;
    pthread_mutex_lock(&s->mu);
    s->rules = *r;
    pthread_mutex_unlock(&s->mu);
    return ST_OK;
}

/* ---- info ---------------------------------------------------------------------- */

static st_rc row_ints(void *ctx, const st_val *c, int n)
{
    int64_t *out = ctx;
    for (int i = 0; i < n; i++)
        out[i] = c[i].type == ST_VAL_INT ? c[i].i : 0;
    return ST_OK;
}

static st_rc row_head(void *ctx, const st_val *c, int n)
{
    st_store_info *info = ctx;
    if (n >= 2 && c[0].type == ST_VAL_BLOB && c[0].n == 32)
        st_chain_hex(c[0].p, info->chain_head);
    if (n >= 2 && c[1].type == ST_VAL_INT)
        info->last_record_ms = c[1].i;
    return ST_OK;
}

st_rc st_store_info_get(st_store *s, st_store_info *info, st_error *err)
{
    if (!s || !info)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no info record");
    memset(info, 0, sizeof *info);
    st_rc rc = s->m->info(s->impl, info, err);
    if (!rc)
        rc = s->m->schema_version(s->impl, &info->schema_version, err);
    info->schema_latest = ST_SCHEMA_VERSION;
    int64_t v[2] = {0, 0};
    if (!rc)
        rc = st_store_exec(s, "SELECT coalesce(sum(events), 0), count(*) FROM batch", NULL, 0,
                           row_ints, v, err);
    info->events = v[0];
    info->batches = v[1];
    if (!rc)
        rc = st_store_exec(s, "SELECT coalesce(max(id), 0) FROM ident", NULL, 0, row_ints, v, err);
    info->identifiers = v[0];
    if (!rc)
        rc = st_store_exec(s, "SELECT count(*) FROM item_state", NULL, 0, row_ints, v, err);
    info->items = v[0];
    if (!rc)
        rc = st_store_exec(s, "SELECT hash, record_time FROM batch ORDER BY id DESC LIMIT 1", NULL,
                           0, row_head, info, err);
    return rc;
}

/* ---- group commit ------------------------------------------------------------------ */

st_rc st_store_commit_doc(st_store *s, st_cap_doc *d, st_error *err)
{
    d->prepared = 0;
    st_error pe;
    st_error_clear(&pe);
    if (s->m->prepare && s->m->prepare(s->impl, d, &pe) != ST_OK)
        return st_fail(err, d->rc ? d->rc : ST_ERR_IO, -1, NULL, "%s", d->msg[0] ? d->msg : pe.msg);
    pthread_mutex_lock(&s->mu);
    while (s->nq == GROUP_MAX)
        pthread_cond_wait(&s->cv, &s->mu);
    d->done = 0;
    s->queue[s->nq++] = d;
    while (!d->done) {
        if (s->committing) {
            pthread_cond_wait(&s->cv, &s->mu);
            continue;
        }
        /* lead: commit everything queued so far */
        st_cap_doc *group[GROUP_MAX];
        size_t n = s->nq;
        memcpy(group, s->queue, n * sizeof *group);
        s->nq = 0;
        s->committing = 1;
        pthread_mutex_unlock(&s->mu);
        st_error e;
        st_error_clear(&e);
        st_rc crc = s->m->commit(s->impl, group, n, &e);
        pthread_mutex_lock(&s->mu);
        for (size_t i = 0; i < n; i++) {
            if (crc && !group[i]->rc) { /* the group failed as a whole: so did each document */
                group[i]->rc = crc;
                group[i]->stored = group[i]->duplicates = 0;
                group[i]->batch = 0;
                snprintf(group[i]->msg, sizeof group[i]->msg, "%s",
                         e.msg[0] ? e.msg : st_strerror(crc));
            }
            group[i]->done = 1;
        }
        s->committing = 0;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    if (d->rc)
        return st_fail(err, d->rc, -1, NULL, "%s", d->msg);
    return ST_OK;
}

/* ---- capture ------------------------------------------------------------------------ */

struct cap_ctx {
    st_cap_doc *d;
    st_rc rc; /* the first preparation failure */
};

static st_rc on_event(void *ctx, const st_epcis_event *e)
{
    struct cap_ctx *c = ctx;
    st_rc rc = st_cap_add_event(c->d, st_hashid_bindings(e->doc), e->ev);
    if (rc)
        c->rc = rc;
    return rc;
}

/* After reading: reject, or commit and report. */
static st_rc finish(st_store *s, st_rc rc, struct cap_ctx *c, st_capture_result *res,
                    st_epcis_report *rep)
{
    st_diag *diag = st_epcis_report_diag(rep);
    if (res)
        res->events = rep ? st_epcis_report_events(rep) : 0;
    /* an invalid document is ST_ERR_SYNTAX (store.h), whatever the code of its
     * first fault (an unknown bizStep is ST_ERR_NOT_FOUND to the validator, a
     * bad date ST_ERR_DATE); caps, I/O, memory and bugs keep their codes */
    if (rc != ST_OK && rc != ST_ERR_LIMIT && rc != ST_ERR_IO && rc != ST_ERR_NOMEM &&
        rc != ST_ERR_INTERNAL)
        rc = ST_ERR_SYNTAX;
    if (c->rc == ST_ERR_LIMIT && diag)
        st_diag_add(diag, ST_ERR_LIMIT, (long)c->d->n, "",
                    "the document holds more than %d events, the most one capture takes; "
                    "split it",
                    ST_STORE_MAX_CAPTURE_EVENTS);
    else if (c->rc && diag)
        st_diag_add(diag, c->rc, (long)c->d->n, "",
                    "the event could not be prepared for "
                    "storing: %s",
                    st_strerror(c->rc));
    if (rc == ST_OK && c->rc)
        rc = c->rc;
    if (rc == ST_OK)
        rc = st_cap_add_masterdata(c->d, st_epcis_report_doc(rep));
    if (rc != ST_OK)
        return rc;
    st_error e;
    st_error_clear(&e);
    pthread_mutex_lock(&s->mu);
    struct st_rules rules = s->rules;
    pthread_mutex_unlock(&s->mu);
    rc = st_rulecheck(s, &rules, c->d, &e);
    if (rc) {
        if (diag)
            st_diag_add(diag, rc, -1, "", "%s", e.msg[0] ? e.msg : st_strerror(rc));
        return rc;
    }
    rc = st_store_commit_doc(s, c->d, &e);
    if (rc && diag)
        st_diag_add(diag, rc, -1, "", "%s", e.msg);
    if (rc == ST_OK && res) {
        res->stored = c->d->stored;
        res->duplicates = c->d->duplicates;
        res->batch = c->d->batch;
        res->record_ms = c->d->record_ms;
    }
    return rc;
}

static st_rc capture(st_store *s, const char *path, const char *buf, size_t n, const char *name,
                     const st_cap_side *side, size_t n_side, st_capture_result *res,
                     st_epcis_report **report)
{
    if (res)
        memset(res, 0, sizeof *res);
    if (report)
        *report = NULL;
    if (!s || (n_side && !side))
        return ST_ERR_ARG;
    if (n_side > ST_STORE_MAX_SIDE_STATEMENTS)
        return ST_ERR_LIMIT;
    struct cap_ctx c = {st_cap_doc_create(), ST_OK};
    if (!c.d)
        return ST_ERR_NOMEM;
    c.d->side = side;
    c.d->n_side = n_side;
    st_epcis_read_opts opts = {name ? name : path, 1};
    st_epcis_report *rep = NULL;
    st_rc rc = path ? st_epcis_read_file(path, &opts, on_event, &c, &rep)
                    : st_epcis_read_mem(buf, n, &opts, on_event, &c, &rep);
    rc = finish(s, rc, &c, res, rep);
    st_cap_doc_destroy(c.d);
    if (report)
        *report = rep;
    else
        st_epcis_report_destroy(rep);
    return rc;
}

st_rc st_store_capture_file(st_store *s, const char *path, st_capture_result *res,
                            st_epcis_report **report)
{
    if (!path)
        return ST_ERR_ARG;
    return capture(s, path, NULL, 0, NULL, NULL, 0, res, report);
}

st_rc st_store_capture_mem(st_store *s, const char *buf, size_t n, const char *name,
                           st_capture_result *res, st_epcis_report **report)
{
    if (!buf && n)
        return ST_ERR_ARG;
    return capture(s, NULL, buf ? buf : "", n, name ? name : "document", NULL, 0, res, report);
}

st_rc st_store_capture_side(st_store *s, const char *buf, size_t n, const char *name,
                            const st_cap_side *side, size_t n_side, st_capture_result *res,
                            st_epcis_report **report)
{
    if (!buf && n)
        return ST_ERR_ARG;
    return capture(s, NULL, buf ? buf : "", n, name ? name : "document", side, n_side, res, report);
}

/* ---- the lineage index ------------------------------------------------------------------- */

st_rc st_store_write_tx(st_store *s, st_write_fn fn, void *ctx, st_error *err)
{
    if (!s || !fn)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no work");
    return s->m->write_tx(s->impl, fn, ctx, err);
}

static st_rc rebuild(const st_write_io *io, void *ctx, st_error *err)
{
    return st_lin_rebuild(io, ctx, err);
}

st_rc st_store_reindex(st_store *s, int64_t *events, st_error *err)
{
    int64_t n = 0;
    if (!s)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store");
    st_rc rc = st_store_write_tx(s, rebuild, &n, err);
    if (events)
        *events = rc ? 0 : n;
    return rc;
}

static st_rc row_built(void *ctx, const st_val *c, int n)
{
    if (n > 0 && c[0].type == ST_VAL_INT)
        *(int *)ctx = c[0].i != 0;
    return ST_OK;
}

st_rc st_store_lineage_built(st_store *s, int *built, st_error *err)
{
    *built = 0;
    return st_store_exec(s, "SELECT built FROM lineage_state", NULL, 0, row_built, built, err);
}
