/*
 * EPCIS benchmarks, one core: reading + validating + hashing typical
 * ObjectEvents (3 EPCs, bizStep, disposition, readPoint, bizLocation, one
 * bizTransaction) from JSON-LD and from XML, each beside a bare parse of the
 * same bytes by jansson / libxml2's reader measured in the same run (with a
 * note when that bare parse alone is slower than the target); and the peak
 * memory of streaming a large XML document from a file.
 * Prints figures, never fails on them.
 *   bench_epcis [EVENTS]          default 100000 events per document
 *   bench_epcis --stream-mb N     stream an N-MB XML document (default 500; 0 = skip)
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/xmlreader.h>

#include "epcis/doc.h"
#include "epcis/hashid.h"
#include "epcis/jsonld.h"
#include "epcis/validate.h"
#include "epcis/xml.h"

#define RUNS 3

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A growable text buffer for generating documents. */
typedef struct text {
    char *p;
    size_t n, cap;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
        va_end(ap);
        if ((size_t)k < t->cap - t->n) {
            t->n += (size_t)k;
            return;
        }
        t->cap = t->cap ? t->cap * 2 : 1 << 20;
        t->p = realloc(t->p, t->cap);
        if (!t->p) {
            fprintf(stderr, "bench_epcis: out of memory\n");
            exit(1);
        }
    }
}

static void gen_jsonld(text *t, long events)
{
    add(t, "{\"@context\":\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\","
           "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
           "\"creationDate\":\"2026-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[");
    for (long i = 0; i < events; i++)
        add(t,
            "%s{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-03-0%ldT10:%02ld:%02ld.%03ldZ\","
            "\"eventTimeZoneOffset\":\"+01:00\",\"action\":\"OBSERVE\",\"bizStep\":\"shipping\","
            "\"disposition\":\"in_transit\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.%ld\","
            "\"urn:epc:id:sgtin:0614141.107346.%ld\",\"urn:epc:id:sgtin:0614141.107346.%ld\"],"
            "\"readPoint\":{\"id\":\"urn:epc:id:sgln:0614141.07346.1234\"},"
            "\"bizLocation\":{\"id\":\"urn:epc:id:sgln:0614141.07346.0\"},"
            "\"bizTransactionList\":[{\"type\":\"po\",\"bizTransaction\":"
            "\"http://transaction.acme.com/po/%ld\"}]}",
            i ? "," : "", 1 + i % 9, i / 60 % 60, i % 60, i % 1000, 3 * i, 3 * i + 1, 3 * i + 2,
            i);
    add(t, "]}}");
}

static void gen_xml_head(text *t)
{
    add(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<epcis:EPCISDocument "
           "xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" schemaVersion=\"2.0\" "
           "creationDate=\"2026-01-01T00:00:00Z\"><EPCISBody><EventList>\n");
}

static void gen_xml_event(text *t, long i)
{
    add(t,
        "<ObjectEvent><eventTime>2026-03-0%ldT10:%02ld:%02ld.%03ldZ</eventTime>"
        "<eventTimeZoneOffset>+01:00</eventTimeZoneOffset><epcList>"
        "<epc>urn:epc:id:sgtin:0614141.107346.%ld</epc><epc>urn:epc:id:sgtin:0614141.107346.%ld"
        "</epc><epc>urn:epc:id:sgtin:0614141.107346.%ld</epc></epcList><action>OBSERVE</action>"
        "<bizStep>https://ref.gs1.org/cbv/BizStep-shipping</bizStep>"
        "<disposition>https://ref.gs1.org/cbv/Disp-in_transit</disposition>"
        "<readPoint><id>urn:epc:id:sgln:0614141.07346.1234</id></readPoint>"
        "<bizLocation><id>urn:epc:id:sgln:0614141.07346.0</id></bizLocation>"
        "<bizTransactionList><bizTransaction type=\"https://ref.gs1.org/cbv/BTT-po\">"
        "http://transaction.acme.com/po/%ld</bizTransaction></bizTransactionList></ObjectEvent>\n",
        1 + i % 9, i / 60 % 60, i % 60, i % 1000, 3 * i, 3 * i + 1, 3 * i + 2, i);
}

static const char xml_tail[] = "</EventList></EPCISBody></epcis:EPCISDocument>\n";

/* Per event: validate and hash, as capture will. */
struct work {
    st_diag *diag;
    long invalid;
    unsigned long sum;
};

static st_rc on_event(void *ctx, const st_epcis_doc *doc, st_event *ev)
{
    struct work *w = ctx;
    if (st_epcis_validate_event(doc, ev, w->diag))
        w->invalid++;
    char id[ST_HASHID_LEN + 1];
    st_rc rc = st_hashid_compute(ev, st_hashid_bindings(doc), id);
    w->sum += (unsigned char)id[20];
    return rc;
}

/* Read buf once with reader r (0 = JSON-LD, 1 = XML); seconds taken. */
static double run_reader(int xml, const text *t, long *events)
{
    st_arena *a = st_arena_create(0);
    st_epcis_doc doc = {.arena = a, .name = "bench"};
    st_diag diag;
    st_diag_init(&diag, a);
    struct work w = {&diag, 0, 0};
    double t0 = now();
    st_rc rc = xml ? st_xml_read(&doc, t->p, t->n, on_event, &w, &diag)
                   : st_jsonld_read(&doc, t->p, t->n, on_event, &w, &diag);
    double dt = now() - t0;
    if (rc || w.invalid || diag.n) {
        fprintf(stderr, "bench_epcis: read failed: rc %d, %ld invalid, %s\n", rc, w.invalid,
                diag.n ? diag.items[0].msg : "");
        exit(1);
    }
    *events = (long)doc.events;
    st_arena_destroy(a);
    return dt;
}

static double bare_jansson(const text *t)
{
    double t0 = now();
    json_error_t e;
    json_t *j = json_loadb(t->p, t->n, 0, &e);
    if (!j) {
        fprintf(stderr, "bench_epcis: jansson: %s\n", e.text);
        exit(1);
    }
    json_decref(j);
    return now() - t0;
}

static double bare_libxml2(const text *t)
{
    double t0 = now();
    xmlTextReaderPtr r = xmlReaderForMemory(t->p, (int)t->n, NULL, NULL, XML_PARSE_NONET);
    long nodes = 0;
    while (xmlTextReaderRead(r) == 1)
        nodes++;
    xmlFreeTextReader(r);
    if (nodes < 10) {
        fprintf(stderr, "bench_epcis: libxml2 read nothing\n");
        exit(1);
    }
    return now() - t0;
}

/* When the bare parse alone is slower than the target, say so: then no work
 * on reading, validating or hashing can meet it. Times are per document. */
static void budget_note(const char *what, const char *parser, long events, double total,
                        double bare, double target)
{
    if (events / bare >= target)
        return;
    printf("note: %s: %s alone takes %.2f us/event (%.0f/s), more than the %.2f us/event a "
           "target of %.0f/s allows; reading, validating and hashing add %.2f us/event\n",
           what, parser, bare * 1e6 / events, events / bare, 1e6 / target, target,
           (total - bare) * 1e6 / events);
}

static double best(double a, double b)
{
    return a < b ? a : b;
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static st_rc count_event(void *ctx, const st_epcis_doc *doc, st_event *ev)
{
    (void)doc;
    (void)ev;
    ++*(long *)ctx;
    return ST_OK;
}

/* Write an XML document of about mb megabytes to a temp file, stream it. */
static void stream(long mb)
{
    char path[] = "/tmp/bench_epcis_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "bench_epcis: cannot create a temp file\n");
        exit(1);
    }
    text t = {0};
    gen_xml_head(&t);
    fwrite(t.p, 1, t.n, f);
    long i = 0;
    size_t total = t.n;
    while (total < (size_t)mb << 20) {
        t.n = 0;
        for (int k = 0; k < 1000; k++)
            gen_xml_event(&t, i++);
        fwrite(t.p, 1, t.n, f);
        total += t.n;
    }
    fputs(xml_tail, f);
    fclose(f);
    free(t.p);
    /* Run before the in-memory figures, so the peak RSS is the stream's own. */
    long before = max_rss_kb();
    int in = open(path, O_RDONLY);
    st_arena *a = st_arena_create(0);
    st_epcis_doc doc = {.arena = a, .name = path};
    st_diag diag;
    st_diag_init(&diag, a);
    long n = 0;
    double t0 = now();
    st_rc rc = st_xml_read_fd(&doc, in, count_event, &n, &diag);
    double dt = now() - t0;
    close(in);
    unlink(path);
    st_arena_destroy(a);
    long peak = max_rss_kb();
    printf("stream %ld MB XML from a file: %ld events in %.1f s (%.0f events/s), rc %d\n"
           "  peak RSS %ld MB (%ld MB before the read); target below 100 MB: %s\n\n",
           mb, n, dt, n / dt, rc, peak / 1024, before / 1024,
           peak < 100 * 1024 ? "meets target" : "below target");
}

int main(int argc, char **argv)
{
    long events = 100000, stream_mb = 500;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--stream-mb") && i + 1 < argc)
            stream_mb = atol(argv[++i]);
        else
            events = atol(argv[i]);
    }
    if (stream_mb)
        stream(stream_mb);
    text js = {0}, xs = {0};
    gen_jsonld(&js, events);
    gen_xml_head(&xs);
    for (long i = 0; i < events; i++)
        gen_xml_event(&xs, i);
    add(&xs, "%s", xml_tail);

    double tj = 1e9, tjb = 1e9, tx = 1e9, txb = 1e9;
    long n = 0;
    for (int r = 0; r < RUNS; r++) {
        tj = best(tj, run_reader(0, &js, &n));
        tjb = best(tjb, bare_jansson(&js));
        tx = best(tx, run_reader(1, &xs, &n));
        txb = best(txb, bare_libxml2(&xs));
    }
    printf("bench_epcis: one core, %ld typical ObjectEvents per document, best of %d runs\n",
           events, RUNS);
    printf("%-38s %12s %14s %8s %14s %s\n", "benchmark", "events/s", "bare parse/s", "cost",
           "target", "verdict");
    printf("%-38s %12.0f %14.0f %7.1fx %14s %s\n", "JSON-LD read+validate+hash", events / tj,
           events / tjb, tj / tjb, ">= 100000/s", events / tj >= 100000 ? "meets target"
                                                                         : "below target");
    printf("%-38s %12.0f %14.0f %7.1fx %14s %s\n", "XML 2.0 read+validate+hash", events / tx,
           events / txb, tx / txb, ">= 50000/s", events / tx >= 50000 ? "meets target"
                                                                      : "below target");
    printf("(bare parse = jansson json_loadb / libxml2 reader over the same bytes; %zu and %zu "
           "bytes)\n",
           js.n, xs.n);
    budget_note("JSON-LD", "the bare jansson parse (json_loadb + json_decref)", events, tj, tjb,
                100000);
    budget_note("XML 2.0", "the bare libxml2 reader", events, tx, txb, 50000);
    free(js.p);
    free(xs.p);
    return 0;
}
