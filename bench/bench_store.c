/*
 * Event store benchmark, one process, figures and ratios measured in the
 * same run, on SQLite and, with --db postgres://... (or BENCH_STORE_DB), on
 * PostgreSQL too, the same data for both, side by side at the end:
 *  - capture: a generated realistic chain (lib/trace/chain.c: components by
 *    lot, assembly, packing, shipping, receiving, unpacking, selling) of N
 *    events captured document by document, split into preparation (read +
 *    validate + hash + encode) and commit; beside a baseline that inserts the
 *    very same rows (copied from the captured store) into an empty store of
 *    the same schema with a bare prepared-statement loop, committing as often;
 *  - trace: st_trace_write of 1,000 random units (full trace: state, history
 *    through containers, container chain, genealogy up and down), p50/p99;
 *  - genealogy down from one component lot used in 100,000 units;
 *  - bytes on disk per event against the event's compact JSON-LD size.
 * With a second, larger size (default 10,000,000 events) the trace figures
 * are measured again there. Prints figures; never fails on them. The
 * bare-statement baseline is SQLite's; a PostgreSQL store lives in a schema
 * of its own (bench_N), dropped at the end.
 *   bench_store [--events N] [--big N] [--dir DIR] [--db postgres://...]   (--big 0 skips)
 * or the same through BENCH_STORE_EVENTS, BENCH_STORE_BIG, BENCH_STORE_DIR,
 * BENCH_STORE_DB (make bench; BENCH_STORE_PG_ONLY=1 skips SQLite). The 10M run needs about 12 GB of
 * disk per backend and some minutes.
 * BENCH_STORE_KEEP=1 keeps each store (in --dir, and schema bench_N) after the run, and a
 * later run with it finds a kept store of the same size and measures only its reads
 * (trace, genealogy) there: the capture figures are then not measured again.
 * BENCH_TRACE_SAMPLES=N traces N units instead of 1,000; BENCH_TRACE_PARTS=1 adds each part's p99.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <serialtrack/serialtrack.h>

#include "epcis/epcis_int.h"
#include "epcis/hashid.h"
#include "epcis/write.h"
#include "store/capture.h"
#include "store/store_int.h"

static size_t trace_samples = 1000; /* BENCH_TRACE_SAMPLES changes it */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_store: %s\n", what);
    exit(1);
}

/* ---- capture -------------------------------------------------------------------- */

struct cap {
    st_store *s;
    double prep, commit; /* seconds */
    size_t events, json_bytes, json_events;
    size_t docs;
};

struct prep {
    st_cap_doc *d;
    struct cap *c;
    int sample; /* measure compact JSON of some events */
};

static st_rc on_event(void *ctx, const st_epcis_event *e)
{
    struct prep *p = ctx;
    if (p->sample && st_epcis_event_index(e) % 50 == 0) {
        st_jw j;
        st_jw_init(&j);
        if (st_epcis_event_jsonld(e->ev, st_hashid_bindings(e->doc), ST_EPCIS_IDS_ASIS, &j) ==
            ST_OK) {
            /* without the @context, which a document states once */
            const char *t = strstr(j.p, "\"type\":");
            p->c->json_bytes += t ? j.n - (size_t)(t - j.p) + 1 : j.n;
            p->c->json_events++;
        }
        st_jw_free(&j);
    }
    return st_cap_add_event(p->d, st_hashid_bindings(e->doc), e->ev);
}

static st_rc emit(void *ctx, const char *doc, size_t len, size_t events)
{
    struct cap *c = ctx;
    struct prep p = {st_cap_doc_create(), c, c->docs % 10 == 0};
    if (!p.d)
        return ST_ERR_NOMEM;
    double t0 = now();
    st_epcis_read_opts o = {"chain", 1};
    st_epcis_report *rep = NULL;
    st_rc rc = st_epcis_read_mem(doc, len, &o, on_event, &p, &rep);
    double t1 = now();
    if (rc == ST_OK) {
        st_error e;
        rc = st_store_commit_doc(c->s, p.d, &e);
        if (rc)
            fprintf(stderr, "bench_store: commit: %s\n", e.msg);
    } else {
        long ev;
        const char *path, *msg;
        if (st_epcis_report_error(rep, 0, &ev, &path, &msg) == ST_OK)
            fprintf(stderr, "bench_store: event %ld: %s: %s\n", ev, path, msg);
    }
    double t2 = now();
    c->prep += t1 - t0;
    c->commit += t2 - t1;
    c->events += events;
    c->docs++;
    st_epcis_report_destroy(rep);
    st_cap_doc_destroy(p.d);
    return rc;
}

static int64_t file_bytes(const char *path)
{
    struct stat sb;
    char p[1100];
    int64_t n = 0;
    if (stat(path, &sb) == 0)
        n += sb.st_size;
    snprintf(p, sizeof p, "%s-wal", path);
    if (stat(p, &sb) == 0)
        n += sb.st_size;
    return n;
}

static void remove_db(const char *path)
{
    char p[1100];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* ---- PostgreSQL stores --------------------------------------------------------------- */

static const char *g_pg; /* the PostgreSQL URL (--db), or NULL */

static int is_pg(const char *url)
{
    return !strncmp(url, "postgres", 8);
}

/* The URL of the PostgreSQL store named tag: g_pg in schema tag. */
static void pg_url(const char *tag, char *out, size_t cap)
{
    snprintf(out, cap, "%s%cschema=%s", g_pg, strchr(g_pg, '?') ? '&' : '?', tag);
}

/* Remove the store at url: the files of SQLite, the schema of PostgreSQL. */
static void remove_store(const char *url)
{
    if (!is_pg(url)) {
        remove_db(url);
        return;
    }
    st_store *s = NULL;
    if (st_store_open(url, NULL, &s, NULL))
        return;
    const char *sc = strstr(url, "schema=");
    char sql[128];
    snprintf(sql, sizeof sql, "DROP SCHEMA \"%s\" CASCADE", sc ? sc + 7 : "none");
    st_store_admin_exec(s, sql, NULL, 0, NULL, NULL, NULL, NULL);
    st_store_close(s);
}

/* Figures of one backend at one size, for the table at the end. */
struct fig {
    const char *backend;
    size_t events;
    double cap1, cap2;      /* events/s end to end, one and two capturing threads */
    double commit_us;       /* commit only, per event */
    double bytes_per_event; /* on disk */
    double p50, p99;        /* trace, ms */
};

/* ---- capture with two threads: preparation on both cores, commits shared ---- */

#define QUEUE 4

struct queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *doc[QUEUE];
    size_t len[QUEUE], events[QUEUE];
    int n, head, done;
    struct cap *c;
    pthread_mutex_t stats; /* guards c's sums */
};

static st_rc push(void *ctx, const char *doc, size_t len, size_t events)
{
    struct queue *q = ctx;
    char *copy = malloc(len + 1);
    if (!copy)
        return ST_ERR_NOMEM;
    memcpy(copy, doc, len + 1);
    pthread_mutex_lock(&q->mu);
    while (q->n == QUEUE)
        pthread_cond_wait(&q->cv, &q->mu);
    int slot = (q->head + q->n) % QUEUE;
    q->doc[slot] = copy;
    q->len[slot] = len;
    q->events[slot] = events;
    q->n++;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return ST_OK;
}

static void *worker(void *arg)
{
    struct queue *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->mu);
        while (!q->n && !q->done)
            pthread_cond_wait(&q->cv, &q->mu);
        if (!q->n) {
            pthread_mutex_unlock(&q->mu);
            return NULL;
        }
        char *doc = q->doc[q->head];
        size_t len = q->len[q->head], events = q->events[q->head];
        q->head = (q->head + 1) % QUEUE;
        q->n--;
        pthread_cond_broadcast(&q->cv);
        pthread_mutex_unlock(&q->mu);
        st_capture_result r;
        st_rc rc = st_store_capture_mem(q->c->s, doc, len, "chain", &r, NULL);
        free(doc);
        pthread_mutex_lock(&q->stats);
        q->c->events += events;
        q->c->docs += rc == ST_OK;
        pthread_mutex_unlock(&q->stats);
    }
}

/* Capture the chain o with two capturing threads; returns wall seconds. */
static double capture_parallel(const char *path, const st_chain_opts *o, size_t *events)
{
    remove_store(path);
    struct cap c = {0};
    if (st_store_open(path, NULL, &c.s, NULL))
        die("cannot create the store");
    struct queue q = {.c = &c};
    pthread_mutex_init(&q.mu, NULL);
    pthread_mutex_init(&q.stats, NULL);
    pthread_cond_init(&q.cv, NULL);
    pthread_t t[2];
    double t0 = now();
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, &q);
    st_chain_stats stats;
    st_error err;
    if (st_chain_generate(o, push, &q, &stats, &err))
        die(err.msg);
    pthread_mutex_lock(&q.mu);
    q.done = 1;
    pthread_cond_broadcast(&q.cv);
    pthread_mutex_unlock(&q.mu);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    double dt = now() - t0;
    st_store_close(c.s);
    *events = c.events;
    if (c.docs != stats.documents)
        die("a document was refused in the parallel capture");
    return dt;
}

/* ---- the baseline: the same rows, a bare prepared-statement loop ------------------- */

static const char *const tables[] = {"ident",      "batch",       "event",     "event_epc",
                                     "item_state", "containment", "genealogy", "location_child"};

/* Copy (or, with dst NULL, only read) every row of every table; commit
 * every `every` rows. Returns seconds. */
static double copy_rows(sqlite3 *src, sqlite3 *dst, long every, long *rows)
{
    double t0 = now();
    long n = 0;
    if (dst)
        sqlite3_exec(dst, "BEGIN", NULL, NULL, NULL);
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT * FROM %s", tables[t]);
        sqlite3_stmt *r = NULL, *w = NULL;
        if (sqlite3_prepare_v2(src, sql, -1, &r, NULL) != SQLITE_OK)
            die(sqlite3_errmsg(src));
        int cols = sqlite3_column_count(r);
        if (dst) {
            char ins[512];
            int k = snprintf(ins, sizeof ins, "INSERT INTO %s VALUES (", tables[t]);
            for (int i = 0; i < cols; i++)
                k += snprintf(ins + k, sizeof ins - (size_t)k, "%s?", i ? "," : "");
            snprintf(ins + k, sizeof ins - (size_t)k, ")");
            if (sqlite3_prepare_v2(dst, ins, -1, &w, NULL) != SQLITE_OK)
                die(sqlite3_errmsg(dst));
        }
        while (sqlite3_step(r) == SQLITE_ROW) {
            for (int i = 0; i < cols; i++) {
                sqlite3_value *v = sqlite3_column_value(r, i);
                if (w)
                    sqlite3_bind_value(w, i + 1, v);
            }
            if (w) {
                if (sqlite3_step(w) != SQLITE_DONE)
                    die(sqlite3_errmsg(dst));
                sqlite3_reset(w);
            }
            if (++n % every == 0 && dst) {
                sqlite3_exec(dst, "COMMIT", NULL, NULL, NULL);
                sqlite3_exec(dst, "BEGIN", NULL, NULL, NULL);
            }
        }
        sqlite3_finalize(r);
        sqlite3_finalize(w);
    }
    if (dst)
        sqlite3_exec(dst, "COMMIT", NULL, NULL, NULL);
    *rows = n;
    return now() - t0;
}

static double baseline(const char *src_path, const char *dst_path, long every, long *rows)
{
    remove_db(dst_path);
    st_store *s = NULL;
    if (st_store_open(dst_path, NULL, &s, NULL))
        die("cannot create the baseline store");
    st_store_close(s);
    sqlite3 *src = NULL, *dst = NULL;
    if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_open(dst_path, &dst) != SQLITE_OK)
        die("cannot open the stores for the baseline");
    sqlite3_exec(dst,
                 "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                 " PRAGMA cache_size = -262144;",
                 NULL, NULL, NULL);
    sqlite3_exec(src, "PRAGMA cache_size = -262144", NULL, NULL, NULL);
    long r1 = 0, r2 = 0;
    double read = copy_rows(src, NULL, every, &r1); /* warms the cache too */
    read = copy_rows(src, NULL, every, &r1);
    double copy = copy_rows(src, dst, every, &r2);
    sqlite3_close(src);
    sqlite3_close(dst);
    *rows = r2;
    return copy - read > 0 ? copy - read : copy;
}

/* ---- trace latency ------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct keys {
    char **k;
    size_t n;
};

static st_rc row_first(void *ctx, const st_val *c, int n)
{
    st_val *v = ctx;
    if (n > 0 && c[0].type == ST_VAL_INT)
        *v = c[0];
    else if (n > 0 && c[0].type == ST_VAL_TEXT && c[0].n < 1000) {
        static char text[1000]; /* sampling runs on one thread */
        memcpy(text, c[0].p, c[0].n);
        text[c[0].n] = 0;
        *v = st_val_text(text);
    }
    return ST_OK;
}

/* Random finished units, through the store's read path (any backend). */
static void sample_units(st_store *s, struct keys *ks)
{
    st_val mx = st_val_int(0);
    if (st_store_exec(s, "SELECT max(id) FROM ident", NULL, 0, row_first, &mx, NULL))
        die("cannot sample units");
    int64_t max = mx.i > 0 ? mx.i : 1;
    ks->k = calloc(trace_samples, sizeof *ks->k);
    unsigned long long x = 88172645463325252ull;
    for (size_t tries = 0; ks->n < trace_samples && tries < 100 * trace_samples; tries++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        st_val id = st_val_int((int64_t)(x % (unsigned long long)max) + 1), k = {0};
        if (st_store_exec(s, "SELECT key FROM ident WHERE id = $1", &id, 1, row_first, &k, NULL))
            continue;
        /* finished units: the maker's GTINs (0614141...), serialised */
        if (k.type == ST_VAL_TEXT && strstr(k.p, "/01/00614141") && strstr(k.p, "/21/"))
            ks->k[ks->n++] = strdup(k.p);
    }
}

static void trace_figures(st_store *s, const struct keys *ks, const char *label, struct fig *f)
{
    double *lat = calloc(ks->n ? ks->n : 1, sizeof *lat);
    st_jw j;
    st_jw_init(&j);
    size_t bytes = 0, failed = 0;
    for (int warm = 0; warm < 2; warm++) /* first pass warms the page cache */
        for (size_t i = 0; i < ks->n; i++) {
            st_jw_reset(&j);
            double t0 = now();
            st_rc rc = st_trace_write(s, ks->k[i], NULL, &j, NULL);
            lat[i] = now() - t0;
            if (warm) {
                bytes += j.n;
                failed += rc != ST_OK;
            }
        }
    st_jw_free(&j);
    qsort(lat, ks->n, sizeof *lat, cmp_double);
    if (!ks->n)
        return;
    f->p50 = lat[ks->n / 2] * 1e3;
    f->p99 = lat[ks->n * 99 / 100] * 1e3;
    printf("trace at %-16s p50 %.3f ms, p99 %.3f ms, max %.3f ms over %zu units (%zu bytes of "
           "JSON each on average%s)   target: p99 <= 1 ms\n",
           label, lat[ks->n / 2] * 1e3, lat[ks->n * 99 / 100] * 1e3, lat[ks->n - 1] * 1e3, ks->n,
           bytes / ks->n, failed ? ", SOME FAILED" : "");
    free(lat);
}

/* p99 of each part alone, to see where a slow trace spends its time. */
static void part_figures(st_store *s, const struct keys *ks)
{
    static const struct {
        unsigned bit;
        const char *name;
    } parts[] = {{ST_TRACE_STATE, "state"},
                 {ST_TRACE_HISTORY, "history"},
                 {ST_TRACE_CONTAINER, "containers"},
                 {ST_TRACE_UP, "up"},
                 {ST_TRACE_DOWN, "down"}};
    double *lat = calloc(ks->n ? ks->n : 1, sizeof *lat);
    st_jw j;
    st_jw_init(&j);
    printf("  p99 by part:");
    for (size_t p = 0; p < sizeof parts / sizeof *parts; p++) {
        st_trace_opts o = {.parts = parts[p].bit};
        size_t worst = 0;
        for (size_t i = 0; i < ks->n; i++) {
            st_jw_reset(&j);
            double t0 = now();
            st_trace_write(s, ks->k[i], &o, &j, NULL);
            lat[i] = now() - t0;
            if (lat[i] > lat[worst])
                worst = i;
        }
        const char *wk = ks->n ? ks->k[worst] : "";
        qsort(lat, ks->n, sizeof *lat, cmp_double);
        printf(" %s %.3f ms (max %.3f, %s)", parts[p].name, lat[ks->n * 99 / 100] * 1e3,
               lat[ks->n - 1] * 1e3, wk);
    }
    printf("\n");
    st_jw_free(&j);
    free(lat);
}

static void genealogy_figure(st_store *s, const char *lot, size_t units)
{
    st_trace_opts o = {.parts = ST_TRACE_DOWN};
    st_jw j;
    st_jw_init(&j);
    double t0 = now();
    st_rc rc = st_trace_write(s, lot, &o, &j, NULL);
    double dt = now() - t0;
    size_t found = 0;
    for (const char *p = j.p; p && (p = strstr(p, "\"depth\":1")); p++)
        found++;
    printf("genealogy down from one component lot (%s): %zu units at depth 1 (the chain says "
           "%zu) in %.1f ms%s\n",
           lot, found, units, dt * 1e3, rc ? " FAILED" : "");
    st_jw_free(&j);
}

/* ---- one size -------------------------------------------------------------------------- */

static st_rc emit_none(void *ctx, const char *doc, size_t len, size_t events)
{
    (void)ctx, (void)doc, (void)len, (void)events;
    return ST_OK;
}

/* Events in the store at path when it exists (0 when it does not). */
static size_t stored_events(const char *path)
{
    st_store *s = NULL;
    st_store_opts ro = {.read_only = 1};
    st_val n = st_val_int(0);
    if (st_store_open(path, &ro, &s, NULL) == ST_OK)
        st_store_exec(s, "SELECT coalesce(max(last_event), 0) FROM batch", NULL, 0, row_first, &n,
                      NULL);
    st_store_close(s);
    return (size_t)n.i;
}

static void run(const char *dir, size_t events, int with_baseline, int pg, struct fig *f)
{
    char path[1024], base[1024], tag[64];
    snprintf(tag, sizeof tag, "bench_%zu", events);
    if (pg)
        pg_url(tag, path, sizeof path);
    else
        snprintf(path, sizeof path, "%s/bench-%zu.db", dir, events);
    snprintf(base, sizeof base, "%s/bench-%zu-baseline.db", dir, events);
    int keep = getenv("BENCH_STORE_KEEP") != NULL;
    printf("-- %s\n", pg ? "PostgreSQL" : "SQLite");
    f->backend = pg ? "postgres" : "sqlite";
    st_chain_opts o = {
        .target_events = events, .units_per_component_lot = 100000, .events_per_doc = 10000};
    st_chain_stats stats;
    st_error err;
    size_t kept = keep ? stored_events(path) : 0;
    if (kept) { /* the same chain again, only for its figures; the store holds it */
        if (st_chain_generate(&o, emit_none, NULL, &stats, &err))
            die(err.msg);
        printf("the kept store %s: %zu events (capture not measured again)\n", path, kept);
        f->events = kept;
        goto reads;
    }
    remove_store(path);
    struct cap c = {0};
    if (st_store_open(path, NULL, &c.s, NULL))
        die("cannot create the store");
    double t0 = now();
    if (st_chain_generate(&o, emit, &c, &stats, &err))
        die(err.msg[0] ? err.msg : "capture failed");
    double total = now() - t0;
    st_store_info info;
    int64_t disk = 0;
    if (pg && st_store_info_get(c.s, &info, NULL) == ST_OK)
        disk = info.bytes;
    st_store_close(c.s);
    if (!pg)
        disk = file_bytes(path);
    double cap_rate = (double)c.events / (c.prep + c.commit);
    f->events = c.events;
    f->cap1 = cap_rate;
    f->commit_us = c.commit * 1e6 / (double)c.events;
    f->bytes_per_event = (double)disk / (double)c.events;
    printf("capture %zu events (%zu documents of 10,000; chain: %zu units, %zu cases, %zu "
           "pallets):\n",
           c.events, c.docs, stats.units, stats.cases, stats.pallets);
    printf("  end to end (read + validate + hash + encode + commit): %.0f events/s   target: "
           ">= 30,000\n",
           cap_rate);
    printf("  of which preparation %.1f us/event, commit (store only) %.1f us/event = %.0f "
           "events/s; generating the XML took %.1f s more\n",
           c.prep * 1e6 / (double)c.events, c.commit * 1e6 / (double)c.events,
           (double)c.events / c.commit, total - c.prep - c.commit);
    printf("  on disk: %.0f bytes/event; compact JSON-LD: %.0f bytes/event; ratio %.2f   target: "
           "<= 2\n",
           (double)disk / (double)c.events, (double)c.json_bytes / (double)c.json_events,
           ((double)disk / (double)c.events) / ((double)c.json_bytes / (double)c.json_events));
    if (with_baseline) {
        size_t pev = 0;
        char ppath[1100];
        if (pg)
            pg_url("bench_parallel", ppath, sizeof ppath);
        else
            snprintf(ppath, sizeof ppath, "%s/bench-%zu-parallel.db", dir, events);
        double pt = capture_parallel(ppath, &o, &pev);
        remove_store(ppath);
        double par_rate = (double)pev / pt;
        f->cap2 = par_rate;
        printf("  two capturing threads (group commit; preparation on both cores): %.0f "
               "events/s   target: >= 30,000\n",
               par_rate);
    }
    if (with_baseline && !pg) {
        double par_rate = f->cap2;
        long rows = 0;
        double bt = baseline(path, base, 200000, &rows);
        double base_rate = (double)c.events / bt;
        printf("  baseline: the same %ld rows by a bare prepared-statement loop: %.1f s = %.0f "
               "events/s\n",
               rows, bt, base_rate);
        printf("  capture / baseline: one thread %.2f, two threads %.2f, commit only %.2f   "
               "target: >= 0.5\n",
               cap_rate / base_rate, par_rate / base_rate,
               ((double)c.events / c.commit) / base_rate);
        remove_db(base);
    }
reads:;
    st_store *s = NULL;
    st_store_opts ro = {.read_only = 1};
    if (st_store_open(path, &ro, &s, NULL))
        die("cannot reopen the store");
    struct keys ks = {0};
    sample_units(s, &ks);
    char label[64];
    snprintf(label, sizeof label, "%zu events:", f->events);
    trace_figures(s, &ks, label, f);
    if (getenv("BENCH_TRACE_PARTS"))
        part_figures(s, &ks);
    genealogy_figure(s, stats.lot_class, stats.lot_units);
    st_store_close(s);
    for (size_t i = 0; i < ks.n; i++)
        free(ks.k[i]);
    free(ks.k);
    if (!keep)
        remove_store(path);
}

/* Both backends side by side. */
static void table(const struct fig *f, int n)
{
    printf("\n%-9s %11s %14s %14s %12s %12s %10s %10s\n", "backend", "events", "capture ev/s",
           "2 threads ev/s", "commit us/ev", "bytes/event", "trace p50", "trace p99");
    for (int i = 0; i < n; i++) {
        char two[32] = "-";
        if (f[i].cap2 > 0)
            snprintf(two, sizeof two, "%.0f", f[i].cap2);
        printf("%-9s %11zu %14.0f %14s %12.1f %12.0f %7.3f ms %7.3f ms\n", f[i].backend,
               f[i].events, f[i].cap1, two, f[i].commit_us, f[i].bytes_per_event, f[i].p50,
               f[i].p99);
    }
    printf("PostgreSQL targets: capture >= 15,000 events/s, trace p99 <= 5 ms at 10M events\n");
}

int main(int argc, char **argv)
{
    size_t events = 1000000, big = 10000000;
    const char *dir = getenv("BENCH_STORE_DIR");
    if (getenv("BENCH_STORE_EVENTS"))
        events = strtoull(getenv("BENCH_STORE_EVENTS"), NULL, 10);
    if (getenv("BENCH_STORE_BIG"))
        big = strtoull(getenv("BENCH_STORE_BIG"), NULL, 10);
    if (getenv("BENCH_TRACE_SAMPLES") && atoi(getenv("BENCH_TRACE_SAMPLES")) > 0)
        trace_samples = (size_t)atoi(getenv("BENCH_TRACE_SAMPLES"));
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--events"))
            events = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--big"))
            big = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--dir"))
            dir = argv[i + 1];
        else if (!strcmp(argv[i], "--db"))
            g_pg = argv[i + 1];
    }
    if (!g_pg && getenv("BENCH_STORE_DB") && *getenv("BENCH_STORE_DB"))
        g_pg = getenv("BENCH_STORE_DB");
    if (g_pg && !is_pg(g_pg))
        die("--db takes a postgres:// URL (SQLite is always measured)");
    setvbuf(stdout, NULL, _IOLBF, 0); /* figures appear as they are measured */
    char tmp[] = "/tmp/bench_store.XXXXXX";
    if (!dir && !(dir = mkdtemp(tmp)))
        die("cannot make a temporary folder");
    struct fig figs[4] = {{0}};
    int nf = 0;
    int pg_only = g_pg && getenv("BENCH_STORE_PG_ONLY"); /* profiling PostgreSQL alone */
    if (!pg_only)
        run(dir, events, 1, 0, &figs[nf++]);
    if (g_pg)
        run(dir, events, 1, 1, &figs[nf++]);
    if (big) {
        if (!pg_only)
            run(dir, big, 0, 0, &figs[nf++]);
        if (g_pg)
            run(dir, big, 0, 1, &figs[nf++]);
    }
    if (g_pg)
        table(figs, nf);
    if (dir == tmp)
        rmdir(tmp);
    return 0;
}
