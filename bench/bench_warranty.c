/*
 * Warranty and returns benchmark on a store of N units (default 100,000),
 * commissioned and sold (one retail_selling event per 10,000 units), with
 * 12-month terms from the sale. Figures, each beside a baseline measured
 * in the same run on the same units:
 *   - warranty look-ups per second (st_warranty_get: facts, terms, dates)
 *     beside the plain item-state trace (st_trace_write, state only);
 *   - return decisions per second (st_return_decide: facts, terms,
 *     warranty, routing; nothing written) beside the same trace;
 *   - accepted returns per second (st_return_create: the decision stored
 *     with its two events in one durable commit) beside a capture of the
 *     same two events per unit (st_store_capture_mem).
 * Prints figures; never fails on them.
 *   bench_warranty [--units N] [--dir DIR]   (or BENCH_WARRANTY_UNITS / _DIR)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <serialtrack/serialtrack.h>

#define GTIN "09520123456788"
#define LOOKUPS 20000 /* look-ups and decisions per figure */
#define WRITES 500    /* accepted returns, and baseline captures */
#define PER_EVENT 10000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const st_error *e)
{
    fprintf(stderr, "bench_warranty: %s%s%s\n", what, e ? ": " : "", e ? e->msg : "");
    exit(1);
}

static void unit(size_t i, char *out, size_t cap)
{
    snprintf(out, cap, "https://id.gs1.org/01/" GTIN "/21/U%07zu", i);
}

/* Capture the sale of units [0, n) at time t, PER_EVENT EPCs per event. */
static void sell(st_store *s, size_t n, const char *t)
{
    st_jw w;
    st_jw_init(&w);
    char epc[96];
    st_jw_object_begin(&w);
    st_jw_key(&w, "@context");
    st_jw_array_begin(&w);
    st_jw_cstring(&w, "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld");
    st_jw_array_end(&w);
    st_jw_member_str(&w, "type", "EPCISDocument");
    st_jw_member_str(&w, "schemaVersion", "2.0");
    st_jw_member_str(&w, "creationDate", t);
    st_jw_key(&w, "epcisBody");
    st_jw_object_begin(&w);
    st_jw_key(&w, "eventList");
    st_jw_array_begin(&w);
    for (size_t from = 0; from < n; from += PER_EVENT) {
        st_jw_object_begin(&w);
        st_jw_member_str(&w, "type", "ObjectEvent");
        st_jw_member_str(&w, "eventTime", t);
        st_jw_member_str(&w, "eventTimeZoneOffset", "+00:00");
        st_jw_key(&w, "epcList");
        st_jw_array_begin(&w);
        for (size_t i = from; i < n && i < from + PER_EVENT; i++) {
            unit(i, epc, sizeof epc);
            st_jw_cstring(&w, epc);
        }
        st_jw_array_end(&w);
        st_jw_member_str(&w, "action", "OBSERVE");
        st_jw_member_str(&w, "bizStep", "retail_selling");
        st_jw_member_str(&w, "disposition", "retail_sold");
        st_jw_object_end(&w);
    }
    st_jw_array_end(&w);
    st_jw_object_end(&w);
    st_jw_object_end(&w);
    st_epcis_report *rep = NULL;
    if (w.failed || st_store_capture_mem(s, w.p, w.n, "sale", NULL, &rep) != ST_OK)
        die("the sale document was refused", NULL);
    st_epcis_report_destroy(rep);
    st_jw_free(&w);
}

/* The two events of an accepted return of unit i, as one document. */
static int return_doc(size_t i, const char *t, char *out, size_t cap)
{
    char epc[96];
    unit(i, epc, sizeof epc);
    return snprintf(out, cap,
                    "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/"
                    "epcis-context.jsonld\"],\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
                    "\"creationDate\":\"%s\",\"epcisBody\":{\"eventList\":["
                    "{\"type\":\"ObjectEvent\",\"eventTime\":\"%s\",\"eventTimeZoneOffset\":"
                    "\"+00:00\",\"epcList\":[\"%s\"],\"action\":\"OBSERVE\",\"bizStep\":"
                    "\"receiving\",\"disposition\":\"returned\"},"
                    "{\"type\":\"ObjectEvent\",\"eventTime\":\"%s\",\"eventTimeZoneOffset\":"
                    "\"+00:00\",\"epcList\":[\"%s\"],\"action\":\"OBSERVE\",\"bizStep\":"
                    "\"stocking\",\"disposition\":\"sellable_accessible\"}]}}",
                    t, t, epc, t, epc);
}

int main(int argc, char **argv)
{
    size_t n = 100000;
    const char *dir = getenv("BENCH_WARRANTY_DIR");
    if (getenv("BENCH_WARRANTY_UNITS"))
        n = (size_t)strtoul(getenv("BENCH_WARRANTY_UNITS"), NULL, 10);
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--units"))
            n = (size_t)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--dir"))
            dir = argv[i + 1];
    }
    if (n < 2 * WRITES + 1 || n > ST_COMMISSION_MAX_UNITS)
        die("--units must be from 1001 to 100000", NULL);
    char path[600], p[640];
    snprintf(path, sizeof path, "%s/bench_warranty.db",
             dir                ? dir
             : getenv("TMPDIR") ? getenv("TMPDIR")
                                : "/tmp");
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        unlink(p);
    }
    st_store *s = NULL;
    st_error e;
    if (st_store_open(path, NULL, &s, &e))
        die("cannot open the store", &e);

    /* the store: N units commissioned and sold a week ago, terms from the sale */
    double t0 = now();
    st_commission_req cr = {0};
    cr.gtin = GTIN;
    cr.count = n;
    cr.opts.scheme = ST_SERIAL_SEQUENTIAL;
    cr.opts.prefix = "U";
    cr.opts.width = 7;
    cr.read_point = "9520123000011";
    st_commission *c = NULL;
    if (st_commission_run(s, &cr, &c, NULL, &e))
        die("commissioning", &e);
    st_commission_destroy(c);
    time_t week = time(NULL) - 7 * 86400;
    struct tm tm;
    gmtime_r(&week, &tm);
    char sold[32];
    strftime(sold, sizeof sold, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sell(s, n, sold);
    st_warranty_terms terms = {0};
    snprintf(terms.gtin, sizeof terms.gtin, GTIN);
    terms.base = ST_WARRANTY_FROM_SALE;
    terms.months = 12;
    if (st_warranty_terms_set(s, &terms, "bench", &e))
        die("terms", &e);
    printf("store: %zu units commissioned and sold (%.2f s)\n", n, now() - t0);

    /* look-ups over the same pseudo-random units */
    size_t *pick = malloc(LOOKUPS * sizeof *pick);
    st_warranty *w = malloc(sizeof *w);
    st_return_decision *d = malloc(sizeof *d);
    if (!pick || !w || !d)
        die("out of memory", NULL);
    unsigned long x = 88172645463325252UL;
    for (size_t i = 0; i < LOOKUPS; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        pick[i] = 2 * WRITES + x % (n - 2 * WRITES); /* never one the write figures use */
    }
    char id[96];
    st_trace_opts to = {0};
    to.parts = ST_TRACE_STATE;
    st_jw j;
    st_jw_init(&j);
    t0 = now();
    for (size_t i = 0; i < LOOKUPS; i++) {
        unit(pick[i], id, sizeof id);
        st_jw_reset(&j);
        if (st_trace_write(s, id, &to, &j, &e))
            die("trace", &e);
    }
    double base = LOOKUPS / (now() - t0);
    size_t covered = 0;
    t0 = now();
    for (size_t i = 0; i < LOOKUPS; i++) {
        unit(pick[i], id, sizeof id);
        if (st_warranty_get(s, id, 0, w, &e))
            die("warranty", &e);
        covered += (size_t)w->covered;
    }
    double look = LOOKUPS / (now() - t0);
    size_t accepted = 0;
    t0 = now();
    for (size_t i = 0; i < LOOKUPS; i++) {
        unit(pick[i], id, sizeof id);
        st_return_req r = {.id = id, .reason = "bench", .condition = "opened"};
        if (st_return_decide(s, &r, d, &e))
            die("decide", &e);
        accepted += (size_t)d->accepted;
    }
    double dec = LOOKUPS / (now() - t0);
    printf("item-state trace (baseline):     %8.0f /s\n", base);
    printf("warranty look-ups:               %8.0f /s  (%.2f of the baseline; %zu of %d covered)\n",
           look, look / base, covered, LOOKUPS);
    printf("return decisions (no write):     %8.0f /s  (%.2f of the baseline; %zu accepted)\n", dec,
           dec / base, accepted);

    /* writes: accepted returns beside captures of the same two events */
    char doc[2048];
    char t[32];
    time_t nowt = time(NULL);
    gmtime_r(&nowt, &tm);
    strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
    t0 = now();
    for (size_t i = 0; i < WRITES; i++) {
        int len = return_doc(i, t, doc, sizeof doc);
        st_epcis_report *rep = NULL;
        if (st_store_capture_mem(s, doc, (size_t)len, "bench", NULL, &rep))
            die("baseline capture", NULL);
        st_epcis_report_destroy(rep);
    }
    double cap = WRITES / (now() - t0);
    t0 = now();
    for (size_t i = WRITES; i < 2 * WRITES; i++) {
        unit(i, id, sizeof id);
        st_return_req r = {.id = id, .reason = "bench", .condition = "new"};
        if (st_return_create(s, &r, d, &e))
            die("return", &e);
    }
    double ret = WRITES / (now() - t0);
    printf("capture of 2 events (baseline):  %8.0f /s\n", cap);
    printf("accepted returns (stored):       %8.0f /s  (%.2f of the baseline)\n", ret, ret / cap);
    st_jw_free(&j);
    free(pick);
    free(w);
    free(d);
    st_store_close(s);
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        unlink(p);
    }
    return 0;
}
