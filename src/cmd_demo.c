/*
 * `serialtrack demo`: generate a realistic serialized supply chain (the
 * public st_chain generator) and capture it into the store, or write its
 * EPCIS documents to a folder.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"

static int usage(void)
{
    fprintf(stderr,
            "usage: serialtrack demo [--db URL] [--units N | --events N] [--seed S]\n"
            "                        [--per-doc N] [--levels 1|2] [--anomalies 0|1] [--out DIR]\n"
            "  Generates components by lot, assembly (cells into battery packs into units:\n"
            "  two levels unless --levels 1), packing into cases and pallets, shipping to\n"
            "  distribution centres and stores, sales and returns, then a planted\n"
            "  counterfeit, clone and resurrected serial (unless --anomalies 0), and\n"
            "  captures it into the store (or, with --out, writes the EPCIS 2.0 XML\n"
            "  documents into DIR as chain-00001.xml, ...).\n");
    return CLI_USAGE;
}

struct demo {
    st_store *s;     /* capture here, or */
    const char *out; /* write files here */
    size_t stored, duplicates, docs;
    int failed;
    char msg[512];
};

static st_rc emit(void *ctx, const char *doc, size_t len, size_t events)
{
    struct demo *d = ctx;
    (void)events;
    d->docs++;
    if (d->out) {
        char path[4096];
        snprintf(path, sizeof path, "%s/chain-%05zu.xml", d->out, d->docs);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(doc, 1, len, f) != len || fclose(f)) {
            snprintf(d->msg, sizeof d->msg, "cannot write %.400s: %s", path, strerror(errno));
            d->failed = 1;
            return ST_ERR_IO;
        }
        return ST_OK;
    }
    st_capture_result r;
    st_epcis_report *rep = NULL;
    st_rc rc = st_store_capture_mem(d->s, doc, len, "demo", &r, &rep);
    if (rc) {
        long ev = -1;
        const char *path = "", *m = st_strerror(rc);
        if (rep && st_epcis_report_errors_listed(rep))
            st_epcis_report_error(rep, 0, &ev, &path, &m);
        snprintf(d->msg, sizeof d->msg, "document %zu was refused: event %ld: %.200s: %.200s",
                 d->docs, ev, path, m);
        d->failed = 1;
    } else {
        d->stored += r.stored;
        d->duplicates += r.duplicates;
    }
    st_epcis_report_destroy(rep);
    return rc;
}

static int size_arg(const char *v, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || *end || !*v || v[0] == '-')
        return -1;
    *out = (size_t)n;
    return 0;
}

int cmd_demo(int argc, char **argv)
{
    st_chain_opts o = {0};
    o.packs = 1;
    o.anomalies = 1;
    const char *db = NULL, *out = NULL;
    for (int i = 0; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return usage();
        size_t n = 0;
        if (!strcmp(argv[i], "--db"))
            db = v;
        else if (!strcmp(argv[i], "--out"))
            out = v;
        else if (!strcmp(argv[i], "--units") && !size_arg(v, &n))
            o.units = n;
        else if (!strcmp(argv[i], "--events") && !size_arg(v, &n))
            o.target_events = n;
        else if (!strcmp(argv[i], "--seed") && !size_arg(v, &n))
            o.seed = n;
        else if (!strcmp(argv[i], "--per-doc") && !size_arg(v, &n))
            o.events_per_doc = n;
        else if (!strcmp(argv[i], "--levels") && !size_arg(v, &n) && (n == 1 || n == 2))
            o.packs = n == 2;
        else if (!strcmp(argv[i], "--anomalies") && !size_arg(v, &n) && n <= 1)
            o.anomalies = (int)n;
        else
            return usage();
    }
    struct demo d = {0};
    d.out = out;
    st_error e;
    st_error_clear(&e);
    if (!out && st_store_open(db, NULL, &d.s, &e)) {
        fprintf(stderr, "serialtrack demo: %s\n", e.msg);
        return CLI_FAILURE;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    st_chain_stats st;
    st_rc rc = st_chain_generate(&o, emit, &d, &st, &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    st_store_close(d.s);
    if (rc) {
        fprintf(stderr, "serialtrack demo: %s\n", d.failed ? d.msg : e.msg);
        return d.failed && rc != ST_ERR_IO ? CLI_INVALID
               : rc == ST_ERR_ARG          ? CLI_USAGE
                                           : CLI_FAILURE;
    }
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_key(&j, "documents");
    st_jw_long(&j, (long)st.documents);
    st_jw_key(&j, "events");
    st_jw_long(&j, (long)st.events);
    if (!out) {
        st_jw_key(&j, "stored");
        st_jw_long(&j, (long)d.stored);
        st_jw_key(&j, "duplicates");
        st_jw_long(&j, (long)d.duplicates);
    }
    st_jw_key(&j, "units");
    st_jw_long(&j, (long)st.units);
    st_jw_key(&j, "sold");
    st_jw_long(&j, (long)st.sold);
    st_jw_member_str(&j, "unit", st.unit_epc);
    st_jw_member_str(&j, "case", st.case_epc);
    st_jw_member_str(&j, "pallet", st.pallet_epc);
    st_jw_member_str(&j, "pack", st.pack_epc);
    st_jw_member_str(&j, "component_lot", st.lot_class);
    st_jw_member_str(&j, "component_gtin", st.lot_gtin);
    st_jw_member_str(&j, "component_lot_number", st.lot);
    st_jw_key(&j, "component_lot_units");
    st_jw_long(&j, (long)st.lot_units);
    st_jw_member_str(&j, "material_lot", st.material_class);
    st_jw_member_str(&j, "counterfeit", st.counterfeit_epc);
    st_jw_member_str(&j, "clone", st.clone_epc);
    st_jw_member_str(&j, "resurrected", st.resurrected_epc);
    st_jw_key(&j, "seconds");
    char b[32];
    snprintf(b, sizeof b, "%.3f", secs);
    st_jw_raw(&j, b, strlen(b));
    st_jw_object_end(&j);
    int fail = st_jw_flush_line(&j, stdout);
    st_jw_free(&j);
    return fail ? CLI_FAILURE : CLI_OK;
}
