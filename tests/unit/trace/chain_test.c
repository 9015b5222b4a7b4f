/*
 * Tests for lib/trace/chain.c: a chain of 200 units whose every document
 * passes the EPCIS validator, with event counts per type and bizStep as the
 * options imply them (computed here from the options, not from the
 * generator); the stats identifiers and the full, time-ordered history of
 * the unit they name; the component lot's genealogy counted from the
 * transformations; byte-identical output for a seed; exact event targets;
 * event IDs; bad options and a failing callback; with ST_SHARED_DIR and
 * xmllint, the GS1 EPCIS 2.0 XSD. The speed test prints events/s (no
 * assertion on time) and bounds memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <serialtrack/epcis.h>
#include <serialtrack/limits.h>

#include "common/arena.h"
#include "epcis/xml.h"
#include "gs1/checkdigit.h"
#include <serialtrack/chain.h>
#include "unit/test_util.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MDA "urn:epcglobal:cbv:mda"

/* ---- capturing documents ---------------------------------------------------------- */

typedef struct docs {
    char **text;    /* each document, malloc'd and NUL-terminated */
    size_t *len;    /* its length */
    size_t *events; /* the events the generator said it holds */
    size_t n, cap;  /* documents kept, room */
    int fail_at;    /* return ST_ERR_IO for this document (1-based), 0 never */
} docs;

static st_rc keep(void *ctx, const char *doc, size_t len, size_t events)
{
    docs *d = ctx;
    if (d->fail_at && (size_t)d->fail_at == d->n + 1)
        return ST_ERR_IO;
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 16;
        d->text = realloc(d->text, d->cap * sizeof *d->text);
        d->len = realloc(d->len, d->cap * sizeof *d->len);
        d->events = realloc(d->events, d->cap * sizeof *d->events);
        assert_true(d->text && d->len && d->events);
    }
    assert_int_equal(doc[len], '\0');
    d->text[d->n] = malloc(len + 1);
    assert_non_null(d->text[d->n]);
    memcpy(d->text[d->n], doc, len + 1);
    d->len[d->n] = len;
    d->events[d->n++] = events;
    return ST_OK;
}

static void docs_free(docs *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->text[i]);
    free(d->text);
    free(d->len);
    free(d->events);
    memset(d, 0, sizeof *d);
}

/* FNV-1a over every document, their lengths included. */
static uint64_t docs_hash(const docs *d)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < d->n; i++) {
        for (size_t j = 0; j < d->len[i]; j++)
            h = (h ^ (unsigned char)d->text[i][j]) * 0x100000001b3ULL;
        h = (h ^ d->len[i]) * 0x100000001b3ULL;
    }
    return h;
}

/* ---- a map of strings to times ------------------------------------------------------ */

typedef struct strset {
    char **slot;    /* open addressing, power-of-two size */
    long long *val; /* a value per slot */
    size_t n, cap;
} strset;

static uint64_t str_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* The slot of v, added (value 0, *added set) when it was not there. */
static size_t set_slot(strset *s, const char *v, int *added)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 1024;
        strset t = {calloc(cap, sizeof(char *)), calloc(cap, sizeof(long long)), 0, cap};
        assert_true(t.slot && t.val);
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i])
                for (size_t j = str_hash(s->slot[i]) & (cap - 1);; j = (j + 1) & (cap - 1))
                    if (!t.slot[j]) {
                        t.slot[j] = s->slot[i];
                        t.val[j] = s->val[i];
                        t.n++;
                        break;
                    }
        free(s->slot);
        free(s->val);
        *s = t;
    }
    for (size_t j = str_hash(v) & (s->cap - 1);; j = (j + 1) & (s->cap - 1)) {
        if (!s->slot[j]) {
            s->slot[j] = strdup(v);
            assert_non_null(s->slot[j]);
            s->n++;
            *added = 1;
            return j;
        }
        if (!strcmp(s->slot[j], v)) {
            *added = 0;
            return j;
        }
    }
}

/* Add v; 1 when it was new. */
static int set_add(strset *s, const char *v)
{
    int added;
    set_slot(s, v, &added);
    return added;
}

static int set_has(const strset *s, const char *v)
{
    if (!s->cap)
        return 0;
    for (size_t j = str_hash(v) & (s->cap - 1);; j = (j + 1) & (s->cap - 1)) {
        if (!s->slot[j])
            return 0;
        if (!strcmp(s->slot[j], v))
            return 1;
    }
}

static void set_free(strset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slot[i]);
    free(s->slot);
    free(s->val);
    memset(s, 0, sizeof *s);
}

/* ---- reading the documents back ----------------------------------------------------- */

/* Every document: read with validation through the public API; the report
 * must list no error and count the events the generator announced. */
static void assert_all_valid(const docs *d)
{
    for (size_t i = 0; i < d->n; i++) {
        st_epcis_read_opts ro = {"chain", 1};
        st_epcis_report *r = NULL;
        st_rc rc = st_epcis_read_mem(d->text[i], d->len[i], &ro, NULL, NULL, &r);
        assert_non_null(r);
        for (size_t e = 0; e < st_epcis_report_errors_listed(r) && e < 5; e++) {
            long ev;
            const char *path, *msg;
            st_epcis_report_error(r, e, &ev, &path, &msg);
            print_message("document %zu event %ld %s: %s\n", i, ev, path, msg);
        }
        assert_int_equal(rc, ST_OK);
        assert_int_equal(st_epcis_report_format(r), ST_EPCIS_FMT_XML2);
        assert_int_equal(st_epcis_report_error_count(r), 0);
        assert_int_equal(st_epcis_report_events(r), d->events[i]);
        st_epcis_report_destroy(r);
    }
}

/* What the events of a chain hold, counted per kind. */
typedef struct tally {
    size_t events, objects, aggregations, transformations, others;
    size_t commissioning;      /* ObjectEvent ADD commissioning with ILMD (cells) */
    size_t creating;           /* ObjectEvent ADD creating_class_instance (material lots) */
    size_t assembled;          /* TransformationEvent commissioning with outputs */
    size_t packing, unpacking; /* AggregationEvent ADD packing / DELETE unpacking */
    size_t shipping, receiving, selling, returns;
    size_t unexpected; /* events of no kind above */
    /* genealogy of one component lot */
    const char *lot;        /* its lot number */
    strset lot_cells;       /* its cells, from the commissioning events */
    size_t lot_outputs;     /* outputs of transformations consuming them */
    const char *material;   /* a material lot class */
    size_t material_inputs; /* transformations consuming it */
    strset lot_numbers;     /* every component lot number commissioned */
    /* the history of one unit and its containers */
    const char *ids[3];   /* unit, case, pallet */
    char history[64][24]; /* bizStep (last word) of each event naming one of ids, in order */
    long long when[64];   /* its eventTime in ms (UTC) */
    size_t n_history;
    strset event_ids;    /* eventIDs seen */
    size_t with_id;      /* events carrying one */
    strset last_seen;    /* every EPC named: the eventTime of its latest event */
    size_t out_of_order; /* events naming an EPC no later than its previous event */
    size_t after_hours;  /* sales and returns outside 08:00-21:00 local time */
} tally;

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DDThh:mm:ss.sss+hh:mm" in ms since 1970 (UTC). */
static long long utc_ms(const char *s)
{
    int y, mo, d, h, mi, se, ms, oh, om;
    char sign;
    assert_int_equal(sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c%2d:%2d", &y, &mo, &d, &h, &mi, &se,
                            &ms, &sign, &oh, &om),
                     10);
    long long off = (oh * 60LL + om) * 60000 * (sign == '-' ? -1 : 1);
    return ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000LL + se * 1000LL + ms - off;
}

/* 1 when the local time of date-time s is within 08:00-21:00. */
static int open_hour(const char *s)
{
    int h = (s[11] - '0') * 10 + (s[12] - '0');
    return h >= 8 && h < 21;
}

static const char *last_word(const char *v)
{
    const char *c = v ? strrchr(v, ':') : NULL;
    return c ? c + 1 : v ? v : "";
}

/* 1 when list field name of root holds value v. */
static int list_has(const st_evnode *root, const char *name, const char *v)
{
    const st_evnode *l = st_evnode_child(root, name);
    for (const st_evnode *n = l ? l->first : NULL; n; n = n->next)
        if (n->value && !strcmp(n->value, v))
            return 1;
    return 0;
}

/* Each EPC named in list name of root (a parent ID when name is
 * "parentID") must come later than in its previous event. */
static void check_order(tally *t, const st_evnode *root, const char *name, long long when)
{
    const st_evnode *l = st_evnode_child(root, name);
    if (!l)
        return;
    for (const st_evnode *n = l->value && !l->first ? l : l->first; n; n = n->next) {
        int added;
        size_t j = set_slot(&t->last_seen, n->value, &added);
        if (!added && t->last_seen.val[j] >= when && t->out_of_order++ < 5)
            print_message("%s: %s at %lld, after an event at %lld\n", n->value, name, when,
                          t->last_seen.val[j]);
        t->last_seen.val[j] = when;
        if (n == l)
            break;
    }
}

static st_rc tally_event(void *ctx, const st_epcis_doc *doc, st_event *ev)
{
    (void)doc;
    tally *t = ctx;
    const st_evnode *root = ev->root;
    const char *action = st_evnode_child_value(root, "action");
    const char *step = last_word(st_evnode_child_value(root, "bizStep"));
    const char *disp = last_word(st_evnode_child_value(root, "disposition"));
    const st_evnode *ilmd = st_evnode_child(root, "ilmd");
    t->events++;
    long long when = utc_ms(st_evnode_child_value(root, "eventTime"));
    static const char *const lists[] = {"epcList", "childEPCs", "inputEPCList", "outputEPCList",
                                        "parentID"};
    for (size_t i = 0; i < COUNT(lists); i++)
        check_order(t, root, lists[i], when);
    const char *id = st_evnode_child_value(root, "eventID");
    if (id) {
        t->with_id++;
        set_add(&t->event_ids, id);
    }
    switch (ev->type) {
    case ST_EVENT_OBJECT:
        t->objects++;
        if (!strcmp(action, "ADD") && !strcmp(step, "commissioning") && ilmd) {
            t->commissioning++;
            const char *lot = NULL;
            for (const st_evnode *n = ilmd->first; n; n = n->next)
                if (n->ns && !strcmp(n->ns, MDA) && !strcmp(n->name, "lotNumber"))
                    lot = n->value;
            assert_non_null(lot);
            set_add(&t->lot_numbers, lot);
            if (t->lot && !strcmp(lot, t->lot))
                for (const st_evnode *n = st_evnode_child(root, "epcList")->first; n; n = n->next)
                    set_add(&t->lot_cells, n->value);
        } else if (!strcmp(action, "ADD") && !strcmp(step, "creating_class_instance")) {
            t->creating++;
        } else if (!strcmp(action, "OBSERVE") && !strcmp(step, "shipping") &&
                   !strcmp(disp, "in_transit")) {
            t->shipping++;
        } else if (!strcmp(action, "OBSERVE") && !strcmp(step, "receiving") &&
                   !strcmp(disp, "in_progress")) {
            t->receiving++;
        } else if (!strcmp(action, "OBSERVE") && !strcmp(step, "retail_selling") &&
                   !strcmp(disp, "retail_sold")) {
            t->selling++;
            t->after_hours += !open_hour(st_evnode_child_value(root, "eventTime"));
        } else if (!strcmp(action, "OBSERVE") && !strcmp(step, "receiving") &&
                   !strcmp(disp, "returned")) {
            t->returns++;
            t->after_hours += !open_hour(st_evnode_child_value(root, "eventTime"));
        } else {
            t->unexpected++;
        }
        break;
    case ST_EVENT_AGGREGATION:
        t->aggregations++;
        if (!strcmp(action, "ADD") && !strcmp(step, "packing"))
            t->packing++;
        else if (!strcmp(action, "DELETE") && !strcmp(step, "unpacking"))
            t->unpacking++;
        else
            t->unexpected++;
        break;
    case ST_EVENT_TRANSFORMATION: {
        t->transformations++;
        const st_evnode *in = st_evnode_child(root, "inputEPCList");
        const st_evnode *out = st_evnode_child(root, "outputEPCList");
        if (strcmp(step, "commissioning") || !in || !out || !ilmd) {
            t->unexpected++;
            break;
        }
        t->assembled++;
        int from_lot = 0;
        for (const st_evnode *n = in->first; n; n = n->next)
            from_lot |= set_has(&t->lot_cells, n->value);
        if (from_lot)
            t->lot_outputs += st_evnode_count(out, NULL);
        const st_evnode *q = st_evnode_child(root, "inputQuantityList");
        for (const st_evnode *e = q ? q->first : NULL; e; e = e->next) {
            const char *cls = st_evnode_child_value(e, "epcClass");
            if (t->material && cls && !strcmp(cls, t->material)) {
                t->material_inputs++;
                assert_string_equal(st_evnode_child_value(e, "uom"), "KGM");
            }
        }
        break;
    }
    default:
        t->others++;
        break;
    }
    /* the unit's history: events that name it or its case or pallet */
    int hit = 0;
    for (size_t i = 0; i < 3 && !hit; i++) {
        const char *v = t->ids[i];
        if (!v || !*v)
            continue;
        const char *parent = st_evnode_child_value(root, "parentID");
        hit = (parent && !strcmp(parent, v)) || list_has(root, "epcList", v) ||
              list_has(root, "outputEPCList", v) || (i == 0 && list_has(root, "childEPCs", v));
    }
    if (hit) {
        assert_true(t->n_history < COUNT(t->history));
        snprintf(t->history[t->n_history], sizeof t->history[0], "%s%s", step,
                 !strcmp(disp, "returned") ? "/returned" : "");
        t->when[t->n_history++] = when;
    }
    return ST_OK;
}

/* Read every document with the XML reader into t. */
static void tally_docs(tally *t, const docs *d)
{
    for (size_t i = 0; i < d->n; i++) {
        st_arena *a = st_arena_create(0);
        assert_non_null(a);
        st_epcis_doc doc = {.arena = a, .name = "chain"};
        assert_int_equal(st_xml_read(&doc, d->text[i], d->len[i], tally_event, t, NULL), ST_OK);
        st_arena_destroy(a);
    }
}

static void tally_free(tally *t)
{
    set_free(&t->lot_cells);
    set_free(&t->lot_numbers);
    set_free(&t->event_ids);
    set_free(&t->last_seen);
}

/* ---- what the options imply ----------------------------------------------------------- */

typedef struct expect {
    size_t pallets, cases, commissioning, material_lots, component_lots, min_shipments;
} expect;

/* Counts for units units (all complete), from the chain's rules: full
 * pallets but the last, cases of units_per_case but the last of a pallet,
 * one commissioning per case and component lot it touches, per plant (pallet
 * p at plant p % plants) a material lot per units_per_material_lot units,
 * runs of 1-3 cases per store shipment. */
static expect implied(const st_chain_opts *o)
{
    expect e = {0};
    size_t per_pallet = o->units_per_case * o->cases_per_pallet;
    size_t *plant_units = calloc(o->plants, sizeof *plant_units);
    assert_non_null(plant_units);
    for (size_t u = 0, p = 0; u < o->units; p++) {
        size_t n = o->units - u < per_pallet ? o->units - u : per_pallet;
        size_t nc = (n + o->units_per_case - 1) / o->units_per_case;
        e.pallets++;
        e.cases += nc;
        e.min_shipments += (nc + 2) / 3;
        plant_units[p % o->plants] += n;
        for (size_t c = 0; c < nc; c++) {
            size_t a = u + c * o->units_per_case;
            size_t b = a + o->units_per_case < u + n ? a + o->units_per_case : u + n;
            e.commissioning +=
                (b - 1) / o->units_per_component_lot - a / o->units_per_component_lot + 1;
        }
        u += n;
    }
    for (size_t i = 0; i < o->plants; i++)
        e.material_lots +=
            (plant_units[i] + o->units_per_material_lot - 1) / o->units_per_material_lot;
    e.component_lots = (o->units + o->units_per_component_lot - 1) / o->units_per_component_lot;
    free(plant_units);
    return e;
}

/* ---- tests ------------------------------------------------------------------------------ */

static const st_chain_opts small = {
    .seed = 42,
    .units = 200,
    .units_per_case = 6,
    .cases_per_pallet = 5,
    .components_per_unit = 3,
    .units_per_component_lot = 70,
    .units_per_material_lot = 45,
    .plants = 3,
    .dcs = 2,
    .stores = 5,
    .sold_fraction = 0.5,
    .return_fraction = 0.1,
    .events_per_doc = 250,
};

/* Generation speed (~200,000 events, printed) and bounded memory: the
 * documents of one run add up to far more than the peak RSS may grow. */
static void test_speed(void **state)
{
    (void)state;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long before = ru.ru_maxrss;
    st_chain_opts o = {.seed = 7, .target_events = 200000, .units_per_component_lot = 100000};
    st_chain_stats st;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(st_chain_generate(&o, NULL, NULL, &st, NULL), ST_OK);
    clock_gettime(CLOCK_MONOTONIC, &b);
    getrusage(RUSAGE_SELF, &ru);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    assert_int_equal(st.events, 200000);
    assert_int_equal(st.documents, 20);
    print_message("generated %zu events (%zu units, %.1f MB of XML, %zu documents) in %.3f s: "
                  "%.0f events/s, %.0f MB/s; %.2f events per unit; first lot %s in %zu units; "
                  "peak RSS grew %ld KB\n",
                  st.events, st.units, (double)st.bytes / 1e6, st.documents, s,
                  (double)st.events / s, (double)st.bytes / 1e6 / s,
                  (double)st.events / (double)st.units, st.lot, st.lot_units,
                  ru.ru_maxrss - before);
    assert_true(st.bytes > 100u << 20);             /* over 100 MB were written ... */
    assert_true(ru.ru_maxrss - before < 48 * 1024); /* ... in less than 48 MB */
    assert_int_equal(st.lot_units, st.units < 100000 ? st.units : 100000);
}

/* The default chain: 1000 units; the events per unit it makes, printed. */
static void test_defaults(void **state)
{
    (void)state;
    st_chain_stats st;
    docs d = {0};
    assert_int_equal(st_chain_generate(NULL, keep, &d, &st, NULL), ST_OK);
    assert_int_equal(st.units, 1000);
    assert_int_equal(st.components, 4000);
    assert_int_equal(st.cases, 84); /* 10 pallets of 8 cases of 12, and 4 cases of 40 units */
    assert_int_equal(st.pallets, 11);
    assert_int_equal(st.component_lots, 1);
    assert_int_equal(st.lot_units, 1000);
    assert_int_equal(st.documents, d.n);
    assert_int_equal(st.documents, (st.events + 9999) / 10000);
    print_message("defaults: %zu events for %zu units (%.2f per unit), %zu sold, %zu bytes "
                  "(%.0f per event)\n",
                  st.events, st.units, (double)st.events / (double)st.units, st.sold, st.bytes,
                  (double)st.bytes / (double)st.events);
    assert_all_valid(&d);
    docs_free(&d);
}

/* 200 units: every document valid; counts per type and bizStep as the
 * options imply; the stats identifiers in the documents; the lot's
 * genealogy; the unit's history in order. */
static void test_small_chain(void **state)
{
    (void)state;
    st_chain_stats st;
    docs d = {0};
    st_error err;
    assert_int_equal(st_chain_generate(&small, keep, &d, &st, &err), ST_OK);
    assert_int_equal(err.rc, ST_OK);

    /* documents: all valid, sizes and counts as announced */
    assert_all_valid(&d);
    size_t events = 0, bytes = 0;
    for (size_t i = 0; i < d.n; i++) {
        events += d.events[i];
        bytes += d.len[i];
        assert_true(d.events[i] <= small.events_per_doc);
        if (i + 1 < d.n)
            assert_int_equal(d.events[i], small.events_per_doc);
    }
    assert_int_equal(d.n, st.documents);
    assert_int_equal(events, st.events);
    assert_int_equal(bytes, st.bytes);

    /* counts: what the options imply, and the generator's stats agree */
    expect e = implied(&small);
    tally t = {0};
    t.lot = st.lot;
    t.material = st.material_class;
    t.ids[0] = st.unit_epc;
    t.ids[1] = st.case_epc;
    t.ids[2] = st.pallet_epc;
    tally_docs(&t, &d);
    assert_int_equal(t.events, st.events);
    assert_int_equal(t.out_of_order, 0); /* every object's events run forward in time */
    assert_int_equal(t.after_hours, 0);  /* and shops sell in opening hours */
    assert_int_equal(t.last_seen.n,      /* units, cells, cases, pallets */
                     small.units * (1 + small.components_per_unit) + e.cases + e.pallets);
    assert_int_equal(t.unexpected, 0);
    assert_int_equal(t.others, 0);
    assert_int_equal(st.units, small.units);
    assert_int_equal(t.transformations, small.units);
    assert_int_equal(t.assembled, small.units);
    assert_int_equal(st.components, small.units * small.components_per_unit);
    assert_int_equal(t.commissioning, e.commissioning);
    assert_int_equal(t.creating, e.material_lots);
    assert_int_equal(st.material_lots, e.material_lots);
    assert_int_equal(st.component_lots, e.component_lots);
    assert_int_equal(t.lot_numbers.n, e.component_lots);
    assert_int_equal(st.cases, e.cases);
    assert_int_equal(st.pallets, e.pallets);
    assert_int_equal(t.packing, e.cases + e.pallets);
    assert_int_equal(t.unpacking, e.cases + e.pallets);
    assert_true(st.shipments >= e.min_shipments && st.shipments <= e.cases);
    assert_int_equal(t.shipping, e.pallets + st.shipments);
    assert_int_equal(t.receiving, e.pallets + st.shipments);
    assert_int_equal(t.selling, st.sold);
    assert_int_equal(t.returns, st.returned);
    assert_true(st.sold > 60 && st.sold < 140); /* half of 200 */
    assert_true(st.returned <= st.sold / 4);
    assert_int_equal(t.objects + t.aggregations + t.transformations, st.events);
    print_message("200 units: %zu events (%zu object, %zu aggregation, %zu transformation) in "
                  "%zu documents; %zu sold, %zu returned, %zu store shipments\n",
                  st.events, t.objects, t.aggregations, t.transformations, st.documents, st.sold,
                  st.returned, st.shipments);

    /* the lot: its GTIN has a valid check digit and is the one in its class
     * URI; its cells feed exactly lot_units units */
    assert_int_equal(strlen(st.lot_gtin), 14);
    assert_int_equal(st_cd_verify(st.lot_gtin, 14, NULL), ST_OK);
    char want_class[96];
    snprintf(want_class, sizeof want_class, "urn:epc:class:lgtin:%.7s.%c%.5s.%s", st.lot_gtin + 1,
             st.lot_gtin[0], st.lot_gtin + 8, st.lot);
    assert_string_equal(st.lot_class, want_class);
    assert_int_equal(st.lot_units, small.units_per_component_lot);
    assert_int_equal(t.lot_cells.n, small.units_per_component_lot * small.components_per_unit);
    assert_int_equal(t.lot_outputs, st.lot_units);
    assert_int_equal(t.material_inputs, st.material_units);
    assert_int_equal(st.material_units, small.units_per_material_lot);

    /* the unit: sold, and its history (with its case's and pallet's) runs
     * through every step in this order, each later than the one before */
    assert_true(!strncmp(st.unit_epc, "urn:epc:id:sgtin:", 17));
    assert_true(!strncmp(st.case_epc, "urn:epc:id:sscc:", 16));
    assert_true(!strncmp(st.pallet_epc, "urn:epc:id:sscc:", 16));
    static const char *const life[] = {"commissioning", "packing",       "packing",  "shipping",
                                       "receiving",     "unpacking",     "shipping", "receiving",
                                       "unpacking",     "retail_selling"};
    assert_true(t.n_history >= COUNT(life));
    for (size_t i = 0; i < t.n_history; i++) {
        if (i < COUNT(life))
            assert_string_equal(t.history[i], life[i]);
        else
            assert_string_equal(t.history[i], "receiving/returned");
        if (i)
            assert_true(t.when[i] > t.when[i - 1]);
    }
    int lot_seen = 0;
    char needle[64];
    snprintf(needle, sizeof needle, ">%s<", st.lot);
    for (size_t i = 0; i < d.n; i++)
        lot_seen |= strstr(d.text[i], needle) != NULL;
    assert_true(lot_seen);
    tally_free(&t);
    docs_free(&d);
}

/* A lot larger than the chain feeds every unit; one that ends inside a
 * case splits that case's commissioning in two. */
static void test_lot_sizes(void **state)
{
    (void)state;
    st_chain_opts o = small;
    o.units_per_component_lot = 100000;
    st_chain_stats st;
    docs d = {0};
    assert_int_equal(st_chain_generate(&o, keep, &d, &st, NULL), ST_OK);
    tally t = {0};
    t.lot = st.lot;
    tally_docs(&t, &d);
    assert_int_equal(st.lot_units, o.units);
    assert_int_equal(t.lot_outputs, o.units);
    assert_int_equal(st.component_lots, 1);
    assert_int_equal(t.commissioning, implied(&o).commissioning);
    tally_free(&t);
    docs_free(&d);

    o.units_per_component_lot = 7; /* lots end inside most cases of 6 */
    assert_int_equal(st_chain_generate(&o, keep, &d, &st, NULL), ST_OK);
    memset(&t, 0, sizeof t);
    t.lot = st.lot;
    tally_docs(&t, &d);
    assert_int_equal(st.lot_units, 7);
    assert_int_equal(t.lot_outputs, 7);
    assert_int_equal(t.commissioning, implied(&o).commissioning);
    assert_true(t.commissioning > st.cases);
    assert_all_valid(&d);
    tally_free(&t);
    docs_free(&d);
}

/* One seed, one output, byte for byte; another seed, another output. */
static void test_determinism(void **state)
{
    (void)state;
    docs a = {0}, b = {0}, c = {0};
    st_chain_stats sa, sb, sc;
    assert_int_equal(st_chain_generate(&small, keep, &a, &sa, NULL), ST_OK);
    assert_int_equal(st_chain_generate(&small, keep, &b, &sb, NULL), ST_OK);
    st_chain_opts o = small;
    o.seed = 43;
    assert_int_equal(st_chain_generate(&o, keep, &c, &sc, NULL), ST_OK);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        assert_int_equal(a.len[i], b.len[i]);
        assert_memory_equal(a.text[i], b.text[i], a.len[i]);
    }
    assert_memory_equal(&sa, &sb, sizeof sa);
    assert_true(docs_hash(&a) != docs_hash(&c));
    assert_string_not_equal(sa.unit_epc, sc.unit_epc);
    docs_free(&a);
    docs_free(&b);
    docs_free(&c);
}

/* A target count is met exactly, across documents, every one valid. */
static void test_target_events(void **state)
{
    (void)state;
    static const size_t targets[] = {1, 97, 1234};
    for (size_t i = 0; i < COUNT(targets); i++) {
        st_chain_opts o = {.seed = 5, .target_events = targets[i], .events_per_doc = 500};
        st_chain_stats st;
        docs d = {0};
        assert_int_equal(st_chain_generate(&o, keep, &d, &st, NULL), ST_OK);
        assert_int_equal(st.events, targets[i]);
        assert_int_equal(st.documents, (targets[i] + 499) / 500);
        size_t events = 0;
        for (size_t j = 0; j < d.n; j++)
            events += d.events[j];
        assert_int_equal(events, targets[i]);
        assert_all_valid(&d);
        docs_free(&d);
    }
    /* units and a target: whichever comes first */
    st_chain_opts o = {.units = 10, .target_events = 100000};
    st_chain_stats st;
    assert_int_equal(st_chain_generate(&o, NULL, NULL, &st, NULL), ST_OK);
    assert_int_equal(st.units, 10);
    assert_true(st.events < 100000);
}

/* eventIDs: deterministic UUID URNs, all different, all valid. */
static void test_event_ids(void **state)
{
    (void)state;
    st_chain_opts o = small;
    o.event_ids = 1;
    st_chain_stats st;
    docs d = {0};
    assert_int_equal(st_chain_generate(&o, keep, &d, &st, NULL), ST_OK);
    assert_all_valid(&d);
    tally t = {0};
    tally_docs(&t, &d);
    assert_int_equal(t.with_id, st.events);
    assert_int_equal(t.event_ids.n, st.events);
    assert_non_null(strstr(d.text[0], "<eventID>urn:uuid:"));
    tally_free(&t);
    docs_free(&d);
}

/* Bad options: each refused with its code and a sentence naming it. */
static void test_bad_options(void **state)
{
    (void)state;
    static const struct {
        st_chain_opts o;
        st_rc rc;
        const char *msg;
    } rows[] = {
        {{.units_per_case = ST_CHAIN_MAX_LIST + 1},
         ST_ERR_LIMIT,
         "units_per_case is 10001; the limit is 10000 (ST_CHAIN_MAX_LIST)"},
        {{.cases_per_pallet = 20000}, ST_ERR_LIMIT, "cases_per_pallet is 20000"},
        {{.units_per_case = 100, .components_per_unit = 101},
         ST_ERR_LIMIT,
         "components commissioned in one event"},
        {{.plants = ST_CHAIN_MAX_SITES + 1}, ST_ERR_LIMIT, "plants is 1001"},
        {{.stores = 5000}, ST_ERR_LIMIT, "stores is 5000"},
        {{.dcs = 3, .stores = 2}, ST_ERR_ARG, "fewer than dcs"},
        {{.sold_fraction = 1.5}, ST_ERR_ARG, "sold_fraction is 1.5"},
        {{.return_fraction = 2}, ST_ERR_ARG, "return_fraction is 2"},
        {{.events_per_doc = ST_CHAIN_MAX_DOC_EVENTS + 1},
         ST_ERR_LIMIT,
         "(ST_CHAIN_MAX_DOC_EVENTS)"},
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        st_error err;
        st_chain_stats st;
        docs d = {0};
        assert_int_equal(st_chain_generate(&rows[i].o, keep, &d, &st, &err), rows[i].rc);
        assert_int_equal(err.rc, rows[i].rc);
        if (!strstr(err.msg, rows[i].msg))
            fail_msg("row %zu: \"%s\" lacks \"%s\"", i, err.msg, rows[i].msg);
        assert_int_equal(st.events, 0);
        assert_int_equal(d.n, 0);
    }
    /* no sales, no returns */
    st_chain_opts o = {.units = 50, .sold_fraction = -1};
    st_chain_stats st;
    assert_int_equal(st_chain_generate(&o, NULL, NULL, &st, NULL), ST_OK);
    assert_int_equal(st.sold, 0);
    assert_int_equal(st.returned, 0);
    assert_int_equal(st.units, 50);
}

/* A callback's failure stops the generator with its code. */
static void test_callback_failure(void **state)
{
    (void)state;
    docs d = {.fail_at = 2};
    st_chain_opts o = small;
    o.events_per_doc = 100;
    st_chain_stats st;
    st_error err;
    assert_int_equal(st_chain_generate(&o, keep, &d, &st, &err), ST_ERR_IO);
    assert_int_equal(err.rc, ST_ERR_IO);
    assert_int_equal(d.n, 1);
    assert_int_equal(st.documents, 2);
    assert_int_equal(st.events, 2 * o.events_per_doc);
    docs_free(&d);
}

/* With the GS1 material and xmllint: every document of the small chain (with
 * event IDs) validates against the EPCIS 2.0 XSD. */
static void test_xsd(void **state)
{
    (void)state;
    const char *shared = test_shared_dir();
    if (!shared || system("xmllint --version >/dev/null 2>&1") != 0) {
        print_message("no ../shared or no xmllint: skipping the XSD check\n");
        return;
    }
    st_chain_opts o = small;
    o.event_ids = 1;
    docs d = {0};
    assert_int_equal(st_chain_generate(&o, keep, &d, NULL, NULL), ST_OK);
    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char path[16][1024], cmd[20000];
    assert_true(d.n <= COUNT(path));
    int at = snprintf(cmd, sizeof cmd,
                      "xmllint --nonet --noout --schema '%s/conformance/gs1-epcis/XSD/"
                      "EPCglobal-epcis-2_0.xsd'",
                      shared);
    for (size_t i = 0; i < d.n; i++) {
        snprintf(path[i], sizeof path[i], "%s/st_chain_xsd_%ld_%zu.xml", tmp, (long)getpid(), i);
        FILE *f = fopen(path[i], "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(d.text[i], 1, d.len[i], f), d.len[i]);
        fclose(f);
        at += snprintf(cmd + at, sizeof cmd - (size_t)at, " '%s'", path[i]);
    }
    snprintf(cmd + at, sizeof cmd - (size_t)at, " 2>&1");
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[1024];
    size_t validates = 0, lines = 0;
    while (fgets(line, sizeof line, p)) {
        validates += strstr(line, " validates") != NULL;
        if (lines++ < 8)
            print_message("  xmllint: %s", line);
    }
    int rc = pclose(p);
    for (size_t i = 0; i < d.n; i++)
        remove(path[i]);
    assert_int_equal(rc, 0);
    assert_int_equal(validates, d.n);
    docs_free(&d);
}

/* Two assembly levels and the planted anomalies: one more event per unit
 * (its pack), every document valid, the same bytes twice; each pack goes
 * into exactly one unit; the last document opens with every site's
 * coordinates and holds the counterfeit (never commissioned), the clone
 * (returned at two stores four minutes apart) and the resurrected unit
 * (decommissioned, then sold). */
static void test_packs_and_anomalies(void **state)
{
    (void)state;
    docs plain = {0}, a = {0}, b = {0};
    st_chain_stats sp, sa, sb;
    st_chain_opts o = small;
    assert_int_equal(st_chain_generate(&o, keep, &plain, &sp, NULL), ST_OK);
    o.packs = 1;
    o.anomalies = 1;
    assert_int_equal(st_chain_generate(&o, keep, &a, &sa, NULL), ST_OK);
    assert_int_equal(st_chain_generate(&o, keep, &b, &sb, NULL), ST_OK);
    assert_all_valid(&a);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++)
        assert_memory_equal(a.text[i], b.text[i], a.len[i]);
    assert_int_equal(sa.packs, sa.units);
    assert_int_equal(sp.packs, 0);
    assert_string_equal(sp.pack_epc, "");
    assert_string_equal(sp.counterfeit_epc, "");
    /* a pack event per unit, and five planted events */
    assert_int_equal(sa.events, sp.events + sa.units + 5);
    assert_true(!strncmp(sa.pack_epc, "urn:epc:id:sgtin:0614141.030001.", 32));
    /* the cells no longer go into units: each unit's input is its pack */
    size_t packs_in = 0, packs_out = 0;
    for (size_t i = 0; i < a.n; i++)
        for (const char *p = a.text[i]; (p = strstr(p, "<epc>urn:epc:id:sgtin:0614141.030001."));
             p++) {
            const char *list = p;
            while (list > a.text[i] && strncmp(list, "<inputEPCList>", 14) &&
                   strncmp(list, "<outputEPCList>", 15))
                list--;
            if (!strncmp(list, "<inputEPCList>", 14))
                packs_in++;
            else
                packs_out++;
        }
    assert_int_equal(packs_in, sa.units);
    assert_int_equal(packs_out, sa.units);
    /* the anomalies' document */
    const char *last = a.text[a.n - 1];
    assert_non_null(strstr(last, "<EPCISHeader><EPCISMasterData>"));
    assert_non_null(strstr(last, "urn:epcglobal:cbv:mda#latitude"));
    assert_non_null(strstr(last, "urn:epcglobal:cbv:mda#longitude"));
    assert_int_equal(a.events[a.n - 1], 5);
    assert_true(sa.counterfeit_epc[0] && sa.clone_epc[0] && sa.resurrected_epc[0]);
    assert_string_not_equal(sa.counterfeit_epc, sa.clone_epc);
    assert_string_not_equal(sa.clone_epc, sa.resurrected_epc);
    assert_string_not_equal(sa.clone_epc, sa.unit_epc); /* the noted unit stays clean */
    /* the counterfeit appears nowhere before */
    for (size_t i = 0; i + 1 < a.n; i++)
        assert_null(strstr(a.text[i], sa.counterfeit_epc));
    /* the resurrected unit: decommissioned (DELETE), then sold */
    const char *del = strstr(last, "<action>DELETE</action><bizStep>urn:epcglobal:cbv:bizstep:"
                                   "decommissioning");
    assert_non_null(del);
    assert_non_null(strstr(del, sa.resurrected_epc));
    /* anomalies are not planted when a target event count is set */
    docs t = {0};
    st_chain_stats st;
    o.target_events = 300;
    assert_int_equal(st_chain_generate(&o, keep, &t, &st, NULL), ST_OK);
    assert_int_equal(st.events, 300);
    assert_string_equal(st.counterfeit_epc, "");
    docs_free(&t);
    docs_free(&plain);
    docs_free(&a);
    docs_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_speed),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_small_chain),
        cmocka_unit_test(test_lot_sizes),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_target_events),
        cmocka_unit_test(test_event_ids),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_callback_failure),
        cmocka_unit_test(test_xsd),
        cmocka_unit_test(test_packs_and_anomalies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
