/*
 * Bulk commissioning benchmark: st_commission_run of N units (default
 * 100,000) in one call, in-process, each run on a new SQLite store: serials
 * allocated (sequential, and random), the document built and captured. The
 * issue's target is at most 3 s for 100,000 on a 2-core machine. Baseline
 * in the same run: st_store_capture_mem of a pre-built document of the same
 * shape and size (the capture alone, no allocation, no building). Prints
 * figures; never fails on them.
 *   bench_commission [--units N] [--dir DIR]   (or BENCH_COMMISSION_UNITS / _DIR)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <serialtrack/serialtrack.h>

#define TARGET_SECONDS 3.0
#define TARGET_UNITS 100000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const st_error *e)
{
    fprintf(stderr, "bench_commission: %s%s%s\n", what, e ? ": " : "", e ? e->msg : "");
    exit(1);
}

/* A new store file dir/name (removed first). */
static st_store *fresh(const char *dir, const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s.db", dir, name);
    const char *sfx[] = {"", "-wal", "-shm"};
    char p[600];
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        unlink(p);
    }
    st_store *s = NULL;
    st_error e;
    if (st_store_open(path, NULL, &s, &e) != ST_OK)
        die("cannot open the store", &e);
    return s;
}

static void remove_store(const char *path)
{
    const char *sfx[] = {"", "-wal", "-shm"};
    char p[600];
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        unlink(p);
    }
}

/* One commissioning of n units with scheme and EPC form; seconds. */
static double run_commission(const char *dir, const char *name, size_t n, st_serial_scheme scheme,
                             int gcp_len)
{
    char path[512];
    st_store *s = fresh(dir, name, path, sizeof path);
    st_commission_req r = {0};
    r.gtin = "09520123456788";
    r.count = n;
    r.opts.scheme = scheme;
    r.lot = "LOT2026A";
    r.expiry = "2028-06-30";
    r.read_point = "urn:epc:id:sgln:9520123.00001.0";
    r.biz_location = "urn:epc:id:sgln:9520123.00001.0";
    r.gcp_len = gcp_len;
    r.by = "bench";
    st_commission *c = NULL;
    st_epcis_report *rep = NULL;
    st_error e;
    double t0 = now();
    if (st_commission_run(s, &r, &c, &rep, &e) != ST_OK)
        die("commissioning failed", &e);
    double t = now() - t0;
    if (st_commission_capture(c)->stored * ST_COMMISSION_EVENT_EPCS < n)
        die("the events were not stored", NULL);
    st_commission_destroy(c);
    st_epcis_report_destroy(rep);
    st_store_close(s);
    remove_store(path);
    return t;
}

/* The same document as a commissioning of n sequential units would write,
 * built here beforehand; the seconds its capture alone takes. */
static double run_baseline(const char *dir, size_t n, int gcp_len)
{
    size_t cap = n * 64 + 4096, used = 0;
    char *doc = malloc(cap);
    if (!doc)
        die("out of memory", NULL);
    used += (size_t)snprintf(doc + used, cap - used,
                             "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/"
                             "epcis-context.jsonld\"],\"type\":\"EPCISDocument\",\"schemaVersion\":"
                             "\"2.0\",\"creationDate\":\"2026-01-01T00:00:00Z\",\"epcisBody\":{"
                             "\"eventList\":[");
    for (size_t from = 0; from < n; from += ST_COMMISSION_EVENT_EPCS) {
        size_t to = n - from > ST_COMMISSION_EVENT_EPCS ? from + ST_COMMISSION_EVENT_EPCS : n;
        used +=
            (size_t)snprintf(doc + used, cap - used,
                             "%s{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-01-01T00:00:00Z\","
                             "\"eventTimeZoneOffset\":\"+00:00\",\"epcList\":[",
                             from ? "," : "");
        for (size_t i = from; i < to; i++) {
            if (gcp_len)
                used += (size_t)snprintf(doc + used, cap - used,
                                         "%s\"urn:epc:id:sgtin:9520123.045678.%zu\"",
                                         i > from ? "," : "", i);
            else
                used += (size_t)snprintf(doc + used, cap - used,
                                         "%s\"https://id.gs1.org/01/09520123456788/21/%zu\"",
                                         i > from ? "," : "", i);
        }
        used += (size_t)snprintf(
            doc + used, cap - used,
            "],\"action\":\"ADD\",\"bizStep\":\"commissioning\",\"disposition\":\"active\","
            "\"readPoint\":{\"id\":\"urn:epc:id:sgln:9520123.00001.0\"},"
            "\"bizLocation\":{\"id\":\"urn:epc:id:sgln:9520123.00001.0\"},"
            "\"ilmd\":{\"cbvmda:lotNumber\":\"LOT2026A\","
            "\"cbvmda:itemExpirationDate\":\"2028-06-30\"}}");
    }
    used += (size_t)snprintf(doc + used, cap - used, "]}}");
    char path[512];
    st_store *s = fresh(dir, "baseline", path, sizeof path);
    st_capture_result res;
    st_epcis_report *rep = NULL;
    double t0 = now();
    if (st_store_capture_mem(s, doc, used, "baseline", &res, &rep) != ST_OK)
        die("the baseline capture failed", NULL);
    double t = now() - t0;
    st_epcis_report_destroy(rep);
    st_store_close(s);
    remove_store(path);
    free(doc);
    return t;
}

int main(int argc, char **argv)
{
    size_t n = TARGET_UNITS;
    const char *dir = getenv("BENCH_COMMISSION_DIR") ? getenv("BENCH_COMMISSION_DIR") : NULL;
    if (getenv("BENCH_COMMISSION_UNITS"))
        n = (size_t)strtoul(getenv("BENCH_COMMISSION_UNITS"), NULL, 10);
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--units"))
            n = (size_t)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--dir"))
            dir = argv[i + 1];
    }
    if (n < 1 || n > ST_COMMISSION_MAX_UNITS)
        die("--units must be 1..100000", NULL);
    char tmp[256];
    if (!dir) {
        snprintf(tmp, sizeof tmp, "%s/st_bench_commission_XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(tmp))
            die("cannot make a temporary folder", NULL);
        dir = tmp;
    }
    printf("commissioning %zu units in one call (one document of %d-EPC ObjectEvents, one "
           "transaction), each on a new store\n",
           n, ST_COMMISSION_EVENT_EPCS);
    double base_urn = run_baseline(dir, n, 7);
    double base_dl = run_baseline(dir, n, 0);
    double seq_urn = run_commission(dir, "seq_urn", n, ST_SERIAL_SEQUENTIAL, 7);
    double rnd_urn = run_commission(dir, "rnd_urn", n, ST_SERIAL_RANDOM, 7);
    double seq_dl = run_commission(dir, "seq_dl", n, ST_SERIAL_SEQUENTIAL, 0);
    printf("%-52s %9s %12s %10s\n", "run", "seconds", "units/s", "vs 3 s");
    struct {
        const char *name;
        double t;
    } rows[] = {
        {"baseline: capture of a pre-built document (EPC URIs)", base_urn},
        {"baseline: capture of a pre-built document (Digital Links)", base_dl},
        {"commission, sequential serials, EPC URIs", seq_urn},
        {"commission, random serials, EPC URIs", rnd_urn},
        {"commission, sequential serials, Digital Links", seq_dl},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        printf("%-52s %9.3f %12.0f %9.2fx\n", rows[i].name, rows[i].t, (double)n / rows[i].t,
               rows[i].t / TARGET_SECONDS);
    printf("commission / baseline (sequential, EPC URIs): %.2f; (Digital Links): %.2f\n",
           seq_urn / base_urn, seq_dl / base_dl);
    printf("target: %d units in at most %.0f s: %s (%.3f s, sequential, EPC URIs)\n", TARGET_UNITS,
           TARGET_SECONDS,
           n == TARGET_UNITS && seq_urn <= TARGET_SECONDS ? "meets target" : "see figures",
           seq_urn);
    if (dir == tmp)
        rmdir(tmp);
    return 0;
}
