/*
 * Recall benchmark: a store where one component lot goes into N finished
 * units (default 1,000,000) through two assembly levels (cells into
 * battery packs into units, lib/trace/chain.c with packs), packed into
 * cases and pallets, shipped, sold; then, measured in the same run:
 *  - the recall walk from that lot to every affected unit with its status,
 *    location, container chain and holder (target: 1 s at 1,000,000 units);
 *  - the walk with the blanket scope (units of the same GTINs by location
 *    and party), and the whole POST /recalls work (walk, scope, storing);
 *  - baselines: counting the lot's cells (one index range) and, up to
 *    100,000 units, the genealogy-down trace from the same lot.
 * The store is built once and kept (BENCH_RECALL_DIR, default
 * bench-cache/ beside the bench/ folder of the build) for later runs.
 *   bench_recall [--units N] [--dir DIR]    or BENCH_RECALL_UNITS, BENCH_RECALL_DIR
 * Prints figures; never fails on them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <serialtrack/serialtrack.h>

#include "store/store_int.h"
#include "trace/recall_int.h"

#define RUNS 3           /* timed runs of each figure; the median is shown */
#define TARGET_MS 1000.0 /* the walk at 1,000,000 units */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* CPU time of the whole process (every thread), ms */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static void die(const char *what, const st_error *e)
{
    fprintf(stderr, "bench_recall: %s%s%s\n", what, e ? ": " : "", e ? e->msg : "");
    exit(1);
}

struct build {
    st_store *s;
    size_t docs, events;
};

static st_rc emit(void *ctx, const char *doc, size_t len, size_t events)
{
    struct build *b = ctx;
    st_capture_result r;
    st_rc rc = st_store_capture_mem(b->s, doc, len, "bench", &r, NULL);
    b->docs++;
    b->events += events;
    if (b->docs % 20 == 0)
        fprintf(stderr, "  ... %zu events captured\n", b->events);
    return rc;
}

static st_rc row_int(void *ctx, const st_val *c, int n)
{
    if (n > 0 && c[0].type == ST_VAL_INT)
        *(int64_t *)ctx = c[0].i;
    return ST_OK;
}

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, dcmp);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    size_t units =
        getenv("BENCH_RECALL_UNITS") ? strtoull(getenv("BENCH_RECALL_UNITS"), NULL, 10) : 1000000;
    char dir[1024];
    if (getenv("BENCH_RECALL_DIR")) {
        snprintf(dir, sizeof dir, "%s", getenv("BENCH_RECALL_DIR"));
    } else { /* bench-cache/ beside the folder of this program */
        snprintf(dir, sizeof dir, "%s", argv[0]);
        char *slash = strrchr(dir, '/');
        if (slash)
            snprintf(slash, sizeof dir - (size_t)(slash - dir), "/../bench-cache");
        else
            snprintf(dir, sizeof dir, "bench-cache");
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--units"))
            units = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--dir"))
            snprintf(dir, sizeof dir, "%s", argv[i + 1]);
    }
    if (!units)
        die("--units must be at least 1", NULL);
    mkdir(dir, 0755);
    char path[1200];
    snprintf(path, sizeof path, "%s/recall-%zu.db", dir, units);

    st_chain_opts o = {0};
    o.seed = 7;
    o.units = units;
    o.packs = 1;
    o.units_per_component_lot = units; /* one component lot in every unit */
    o.events_per_doc = 50000;
    st_error e;
    st_error_clear(&e);
    st_store *s = NULL;
    struct stat sb;
    int have = stat(path, &sb) == 0;
    if (st_store_open(path, NULL, &s, &e))
        die("open", &e);
    int64_t stored = 0;
    st_store_exec(s, "SELECT count(*) FROM event", NULL, 0, row_int, &stored, &e);
    st_chain_stats cs;
    if (!have || !stored) {
        fprintf(stderr, "bench_recall: building %s (%zu units; kept for later runs)\n", path,
                units);
        struct build b = {s, 0, 0};
        double t0 = now_ms();
        if (st_chain_generate(&o, emit, &b, &cs, &e))
            die("generating the chain", &e);
        printf("store built: %zu events in %.1f s\n", cs.events, (now_ms() - t0) / 1e3);
    } else {
        if (st_chain_generate(&o, NULL, NULL, &cs, &e)) /* the identifiers only */
            die("generating the chain", &e);
        printf("store reused: %s\n", path);
    }
    st_store_info info;
    if (st_store_info_get(s, &info, &e))
        die("db info", &e);
    printf("store: %lld events, %lld items, %.1f MB; %zu units, %zu packs, %zu cases, %zu "
           "pallets, %zu sold\n",
           (long long)info.events, (long long)info.items, (double)info.bytes / 1e6, cs.units,
           cs.packs, cs.cases, cs.pallets, cs.sold);
    char crit[256];
    snprintf(crit, sizeof crit, "{\"component_lots\":[{\"gtin\":\"%s\",\"lot\":\"%s\"}]}",
             cs.lot_gtin, cs.lot);
    printf("criteria: %s (%zu units built with it)\n", crit, cs.lot_units);

    st_arena *a = st_arena_create(0);
    st_rcl_criteria c;
    if (st_rcl_parse(crit, strlen(crit), a, &c, &e))
        die("criteria", &e);
    double walk[RUNS], walk_cpu[RUNS], scope[RUNS], create[1], base[RUNS];
    size_t found = 0;
    int64_t blanket = 0, nodes = 0;
    for (int r = 0; r < RUNS; r++) {
        st_rcl_result res;
        double c0 = cpu_ms(), t0 = now_ms();
        if (st_rcl_walk(s, &c, 0, &res, &e))
            die("walk", &e);
        walk[r] = now_ms() - t0;
        walk_cpu[r] = cpu_ms() - c0;
        found = res.n;
        nodes = res.nodes;
        st_rcl_result_free(&res);
        t0 = now_ms();
        if (st_rcl_walk(s, &c, 1, &res, &e))
            die("walk with scope", &e);
        scope[r] = now_ms() - t0;
        blanket = res.blanket;
        st_rcl_result_free(&res);
        /* baseline: the lot's cells, one index range */
        int64_t cells = 0, lot = 0;
        st_val arg = st_val_text(c.lots[0]);
        t0 = now_ms();
        st_store_exec(s, "SELECT id FROM ident WHERE key = $1", &arg, 1, row_int, &lot, &e);
        arg = st_val_int(lot);
        st_store_exec(s, "SELECT count(*) FROM item_lot WHERE lot = $1", &arg, 1, row_int, &cells,
                      &e);
        base[r] = now_ms() - t0;
        if (r == 0)
            printf("baseline: the lot has %lld cells\n", (long long)cells);
    }
    for (int r = 0; r < 1; r++) { /* once: it writes the report */
        int64_t id = 0;
        double t0 = now_ms();
        if (st_recall_create(s, crit, strlen(crit), &id, &e))
            die("create", &e);
        create[r] = now_ms() - t0;
        st_val arg = st_val_int(id); /* keep the store's size steady between runs */
        st_store_admin_exec(s, "DELETE FROM recall_unit WHERE recall = $1", &arg, 1, NULL, NULL,
                            NULL, NULL);
        st_store_admin_exec(s, "DELETE FROM recall WHERE id = $1", &arg, 1, NULL, NULL, NULL, NULL);
    }
    double w = median(walk, RUNS), wc = median(walk_cpu, RUNS);
    printf("recall walk (affected units with status, location, container, holder): %zu units "
           "(%lld identifiers visited) in %.0f ms median of %d [target <= %.0f ms at 1,000,000 "
           "units: %s]\n",
           found, (long long)nodes, w, RUNS, TARGET_MS,
           units < 1000000  ? "not at that size"
           : w <= TARGET_MS ? "met"
                            : "missed");
    printf("  walk CPU time, both threads: %.0f ms (on an idle 2-core machine the walk takes "
           "about half to all of it)\n",
           wc);
    printf("  walk + blanket scope (%lld units of the same GTINs): %.0f ms\n", (long long)blanket,
           median(scope, RUNS));
    printf("  POST /recalls work (walk, scope, storing the report), once: %.0f ms\n", create[0]);
    printf("  baseline, counting the lot's cells by index: %.1f ms; walk per affected unit: "
           "%.2f us\n",
           median(base, RUNS), found ? w * 1e3 / (double)found : 0.0);
    if (units <= 100000) {
        st_trace_opts to = {.parts = ST_TRACE_DOWN};
        st_jw j;
        st_jw_init(&j);
        double t0 = now_ms();
        if (st_trace_write(s, cs.lot_class, &to, &j, &e))
            die("trace", &e);
        double t = now_ms() - t0;
        printf("  baseline, genealogy down from the lot (lib/trace/trace.c, packs and units): %.0f "
               "ms (%.1fx the walk)\n",
               t, w > 0 ? t / w : 0.0);
        st_jw_free(&j);
    } else {
        printf("  baseline, genealogy down from the lot: skipped above 100,000 units (its node "
               "cap is %d)\n",
               ST_TRACE_MAX_NODES);
    }
    st_arena_destroy(a);
    st_store_close(s);
    return 0;
}
