/*
 * Capture jobs (capture_jobs.h): a bounded table of jobs, a FIFO of queued
 * ones and ST_API_JOB_WORKERS threads that capture them into the store
 * (thread-safe; concurrent captures share commits). Stopping the server
 * lets the workers finish what was accepted (202) before they exit.
 */
#include "api/capture_jobs.h"

#include <fcntl.h>
#include <serialtrack/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/named_queries.h"
#include "api/rest.h"
#include "common/error.h"

enum job_state { JOB_QUEUED = 0, JOB_RUNNING = 1, JOB_DONE = 2 };

struct job {
    char id[ST_JOB_ID_MAX];            /* "id" + hex */
    uint64_t seq;                      /* its place in the order of acceptance (from 1) */
    enum job_state state;              /* where it is */
    int success;                       /* DONE: every event valid and stored */
    time_t created;                    /* when it was accepted */
    time_t finished;                   /* when it ended (DONE) */
    char *body;                        /* the document until it is captured (malloc'd) */
    size_t len;                        /* its length */
    size_t events, stored, duplicates; /* what capturing did */
    char *errors;                      /* DONE: JSON array of problems (malloc'd) */
    unsigned status;                   /* DONE, failed: the synchronous capture's status */
    char *problem;                     /* DONE, failed: its problem object (malloc'd) */
    struct job *qnext;                 /* next in the queue */
};

struct st_jobs {
    pthread_mutex_t mu;                /* guards everything below */
    pthread_cond_t cv;                 /* a job was queued, or stop */
    struct job *slot[ST_API_JOBS_MAX]; /* remembered jobs, oldest first */
    int njobs;                         /* how many */
    struct job *qhead, *qtail;         /* queued jobs, FIFO */
    int inflight;                      /* queued or running */
    size_t inflight_bytes;             /* bytes of their documents */
    int stop;                          /* st_jobs_free: exit once the queue is empty */
    pthread_t th[ST_API_JOB_WORKERS];  /* the workers */
    int nth;                           /* how many started */
    unsigned salt, seq;                /* job ids */
    st_store *store;                   /* borrowed */
    struct st_nq *nq;                  /* named queries (named_queries.c) */
};

static void iso_time(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* jw's text as a malloc'd string (NULL when out of memory); frees jw. */
static char *jw_take(st_jw *j)
{
    char *s = j->failed ? NULL : malloc(j->n + 1);
    if (s) {
        memcpy(s, j->p, j->n);
        s[j->n] = 0;
    }
    st_jw_free(j);
    return s;
}

/* What a finished capture tells (J->mu not needed): the problem the
 * synchronous capture would have answered, with its status, and the JSON
 * array of its errors (each malloc'd; no problem and "[]" on success). */
static void outcome(struct job *jb, st_rc rc, const st_epcis_report *rep)
{
    st_jw j;
    st_jw_init(&j);
    if (rc == ST_OK) {
        jb->status = 0;
        jb->problem = NULL;
        st_jw_raw(&j, "[]", 2);
        jb->errors = jw_take(&j);
        return;
    }
    jb->status = st_rest_capture_problem(&j, rc, rep);
    jb->problem = jw_take(&j);
    st_jw_init(&j);
    if (rep && st_epcis_report_errors_listed(rep) > 0) {
        /* the problem's own errors, with its status */
        st_rest_report_errors(&j, rep, jb->status == 409 ? 409 : 400);
    } else {
        st_jw_array_begin(&j);
        st_jw_object_begin(&j);
        st_jw_member_str(&j, "type",
                         rc == ST_ERR_SYNTAX || rc == ST_ERR_LIMIT
                             ? "epcisException:ValidationException"
                             : "epcisException:ImplementationException");
        st_jw_member_str(&j, "title", "Capture failed");
        st_jw_key(&j, "status");
        st_jw_long(&j, (long)jb->status);
        st_jw_member_str(&j, "detail", st_strerror(rc));
        st_jw_key(&j, "event");
        st_jw_null(&j);
        st_jw_key(&j, "path");
        st_jw_null(&j);
        st_jw_member_str(&j, "message", st_strerror(rc));
        st_jw_object_end(&j);
        st_jw_array_end(&j);
    }
    jb->errors = jw_take(&j);
}

static void run_job(struct st_jobs *J, struct job *jb)
{
    st_capture_result res = {0};
    st_epcis_report *rep = NULL;
    char name[64];
    snprintf(name, sizeof name, "capture %s", jb->id);
    st_rc rc = st_store_capture_mem(J->store, jb->body, jb->len, name, &res, &rep);
    struct job done = {0};
    outcome(&done, rc, rep);
    pthread_mutex_lock(&J->mu);
    jb->success = rc == ST_OK;
    jb->status = done.status;
    jb->problem = done.problem;
    jb->events = rep ? st_epcis_report_events(rep) : res.events;
    jb->stored = res.stored;
    jb->duplicates = res.duplicates;
    jb->errors = done.errors;
    jb->finished = time(NULL);
    jb->state = JOB_DONE;
    J->inflight--;
    J->inflight_bytes -= jb->len;
    free(jb->body);
    jb->body = NULL;
    pthread_mutex_unlock(&J->mu);
    st_epcis_report_destroy(rep);
}

static void *worker(void *arg)
{
    struct st_jobs *J = arg;
    pthread_mutex_lock(&J->mu);
    for (;;) {
        while (!J->qhead && !J->stop)
            pthread_cond_wait(&J->cv, &J->mu);
        struct job *jb = J->qhead;
        if (!jb)
            break; /* stopping and nothing left */
        J->qhead = jb->qnext;
        if (!J->qhead)
            J->qtail = NULL;
        jb->state = JOB_RUNNING;
        pthread_mutex_unlock(&J->mu);
        run_job(J, jb);
        pthread_mutex_lock(&J->mu);
    }
    pthread_mutex_unlock(&J->mu);
    return NULL;
}

static void job_free(struct job *jb)
{
    if (!jb)
        return;
    free(jb->body);
    free(jb->errors);
    free(jb->problem);
    free(jb);
}

st_rc st_jobs_init(st_api *api, st_error *err)
{
    struct st_jobs *J = calloc(1, sizeof *J);
    if (!J)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory for the capture jobs");
    pthread_mutex_init(&J->mu, NULL);
    pthread_cond_init(&J->cv, NULL);
    J->store = api->store;
    J->salt = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd >= 0) {
        unsigned r;
        if (read(fd, &r, sizeof r) == (ssize_t)sizeof r)
            J->salt ^= r;
        close(fd);
    }
    api->jobs = J;
    if (st_nq_create(api->store, &J->nq) != ST_OK) {
        st_jobs_free(api);
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory for the named queries");
    }
    for (int i = 0; i < ST_API_JOB_WORKERS; i++) {
        if (pthread_create(&J->th[i], NULL, worker, J)) {
            st_jobs_free(api);
            return st_fail(err, ST_ERR_NOMEM, -1, NULL, "cannot start a capture worker thread");
        }
        J->nth++;
    }
    return ST_OK;
}

void st_jobs_free(st_api *api)
{
    struct st_jobs *J = api->jobs;
    if (!J)
        return;
    pthread_mutex_lock(&J->mu);
    J->stop = 1;
    pthread_cond_broadcast(&J->cv);
    pthread_mutex_unlock(&J->mu);
    for (int i = 0; i < J->nth; i++)
        pthread_join(J->th[i], NULL);
    for (int i = 0; i < J->njobs; i++)
        job_free(J->slot[i]);
    st_nq_destroy(J->nq);
    pthread_cond_destroy(&J->cv);
    pthread_mutex_destroy(&J->mu);
    free(J);
    api->jobs = NULL;
}

struct st_nq *st_jobs_named(st_api *api)
{
    return api->jobs->nq;
}

/* Drop slot i (J->mu held). */
static void drop_slot(struct st_jobs *J, int i)
{
    job_free(J->slot[i]);
    memmove(&J->slot[i], &J->slot[i + 1], (size_t)(J->njobs - i - 1) * sizeof *J->slot);
    J->njobs--;
}

/* Forget expired jobs, and the oldest finished one when the table is full
 * (J->mu held). 0 when no slot can be freed. */
static int make_room(struct st_jobs *J, time_t now)
{
    for (int i = 0; i < J->njobs;) {
        struct job *jb = J->slot[i];
        if (jb->state == JOB_DONE && now - jb->finished > ST_API_JOB_TTL_SECONDS)
            drop_slot(J, i);
        else
            i++;
    }
    if (J->njobs < ST_API_JOBS_MAX)
        return 1;
    for (int i = 0; i < J->njobs; i++)
        if (J->slot[i]->state == JOB_DONE) {
            drop_slot(J, i);
            return 1;
        }
    return 0;
}

st_rc st_jobs_submit(st_api *api, const char *body, size_t len, char *id, st_error *err)
{
    struct st_jobs *J = api->jobs;
    struct job *jb = calloc(1, sizeof *jb);
    char *copy = malloc(len + 1);
    if (!jb || !copy) {
        free(jb);
        free(copy);
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory for the capture job");
    }
    memcpy(copy, body, len);
    copy[len] = 0;
    jb->body = copy;
    jb->len = len;
    jb->created = time(NULL);
    pthread_mutex_lock(&J->mu);
    st_rc rc = ST_OK;
    if (J->stop)
        rc = st_fail(err, ST_ERR_LIMIT, -1, NULL, "the server is stopping");
    else if (J->inflight >= ST_API_JOBS_INFLIGHT)
        rc = st_fail(err, ST_ERR_LIMIT, -1, NULL,
                     "%d capture jobs are queued or running; the limit is %d", J->inflight,
                     ST_API_JOBS_INFLIGHT);
    else if (J->inflight_bytes + len > ST_API_JOBS_INFLIGHT_BYTES)
        rc = st_fail(err, ST_ERR_LIMIT, -1, NULL,
                     "capture jobs in flight hold %zu bytes; the limit is %u", J->inflight_bytes,
                     (unsigned)ST_API_JOBS_INFLIGHT_BYTES);
    else if (!make_room(J, jb->created))
        rc = st_fail(err, ST_ERR_LIMIT, -1, NULL, "all %d remembered capture jobs are unfinished",
                     ST_API_JOBS_MAX);
    if (rc != ST_OK) {
        pthread_mutex_unlock(&J->mu);
        job_free(jb);
        return rc;
    }
    jb->seq = ++J->seq;
    snprintf(jb->id, sizeof jb->id, "id%08x%06x", J->salt, (unsigned)(jb->seq & 0xffffffu));
    J->slot[J->njobs++] = jb;
    J->inflight++;
    J->inflight_bytes += len;
    if (J->qtail)
        J->qtail->qnext = jb;
    else
        J->qhead = jb;
    J->qtail = jb;
    snprintf(id, ST_JOB_ID_MAX, "%s", jb->id);
    pthread_cond_signal(&J->cv);
    pthread_mutex_unlock(&J->mu);
    return ST_OK;
}

/* One job as a CaptureJob object (J->mu held). */
static void describe(const struct job *jb, st_jw *jw)
{
    char t[32];
    st_jw_object_begin(jw);
    st_jw_member_str(jw, "captureID", jb->id);
    iso_time(jb->created, t);
    st_jw_member_str(jw, "createdAt", t);
    if (jb->state == JOB_DONE) {
        iso_time(jb->finished, t);
        st_jw_member_str(jw, "finishedAt", t);
    }
    st_jw_key(jw, "running");
    st_jw_bool(jw, jb->state != JOB_DONE);
    st_jw_key(jw, "success");
    st_jw_bool(jw, jb->state != JOB_DONE || jb->success);
    st_jw_member_str(jw, "captureErrorBehaviour", "rollback");
    st_jw_key(jw, "errors");
    if (jb->state == JOB_DONE && jb->errors)
        st_jw_raw(jw, jb->errors, strlen(jb->errors));
    else
        st_jw_raw(jw, "[]", 2);
    if (jb->state == JOB_DONE && !jb->success) {
        /* what the synchronous capture of the document would have answered */
        st_jw_key(jw, "status");
        st_jw_long(jw, (long)jb->status);
        st_jw_key(jw, "problem");
        if (jb->problem)
            st_jw_raw(jw, jb->problem, strlen(jb->problem));
        else
            st_jw_null(jw);
    }
    if (jb->state == JOB_DONE) {
        st_jw_key(jw, "events");
        st_jw_long(jw, (long)jb->events);
        st_jw_key(jw, "stored");
        st_jw_long(jw, (long)jb->stored);
        st_jw_key(jw, "duplicates");
        st_jw_long(jw, (long)jb->duplicates);
    }
    st_jw_object_end(jw);
}

st_rc st_jobs_describe(st_api *api, const char *id, st_jw *jw)
{
    struct st_jobs *J = api->jobs;
    st_rc rc = ST_ERR_NOT_FOUND;
    pthread_mutex_lock(&J->mu);
    time_t now = time(NULL);
    for (int i = 0; i < J->njobs; i++) {
        struct job *jb = J->slot[i];
        if (strcmp(jb->id, id))
            continue;
        if (jb->state == JOB_DONE && now - jb->finished > ST_API_JOB_TTL_SECONDS)
            break;
        describe(jb, jw);
        rc = ST_OK;
        break;
    }
    pthread_mutex_unlock(&J->mu);
    return rc;
}

uint64_t st_jobs_list(st_api *api, uint64_t before, long per, st_jw *jw)
{
    struct st_jobs *J = api->jobs;
    pthread_mutex_lock(&J->mu);
    time_t now = time(NULL);
    uint64_t next = 0, last = 0;
    long n = 0;
    st_jw_array_begin(jw);
    for (int i = J->njobs - 1; i >= 0; i--) {
        const struct job *jb = J->slot[i];
        if ((before && jb->seq >= before) ||
            (jb->state == JOB_DONE && now - jb->finished > ST_API_JOB_TTL_SECONDS))
            continue;
        if (n == per) { /* one more exists: the next page starts below the last listed */
            next = last;
            break;
        }
        describe(jb, jw);
        last = jb->seq;
        n++;
    }
    st_jw_array_end(jw);
    pthread_mutex_unlock(&J->mu);
    return next;
}
