/*
 * st_chain (chain.h): the generated supply chain. Three made-up companies
 * (a cell supplier, a brand owner's assembly plants, a retailer's DCs and
 * stores) and one pass per pallet: commission the components, assemble and
 * pack the units, ship the pallet, break it down at a DC, ship cases to
 * stores, unpack, sell. XML is written straight into one growing buffer
 * (capped, reused for every document); nothing per unit is remembered, so
 * memory depends on the document size and the number of sites only.
 */
#include <serialtrack/chain.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <serialtrack/limits.h>

#include "common/error.h"
#include "gs1/checkdigit.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define LIT(s) s, sizeof(s) - 1 /* a string literal and its length */

/* ---- the world ------------------------------------------------------------------ */

#define MIN_MS 60000LL
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
#define START_MS (19730 * DAY_MS + 6 * HOUR_MS) /* 2024-01-08T06:00:00Z */
#define LAST_DAY 2914000                        /* about 9948-01-01: no date may pass year 9999 */
#define CYCLE_MS 20000                          /* one assembly every 20 s on a plant's line */
#define CHANGEOVER_MS (15 * MIN_MS)
#define MATERIAL_CKG 25          /* material per assembly, in hundredths of a KGM */
#define SSCC_SPACE 1000000000ULL /* 9-digit serial reference after GCP and extension digit */

#define GCP_SUPPLIER "4012345" /* cell and material supplier */
#define GCP_MAKER "0614141"    /* brand owner: the assembly plants */
#define GCP_RETAIL "9520123"   /* retailer: DCs and stores (952: GS1's prefix for examples) */

/* Finished products (GCP_MAKER): indicator + item reference, serial style. */
static const struct product {
    const char *iir; /* indicator digit and item reference, 6 digits */
    int alnum;       /* 1: serials are 10 permuted base-36 characters; 0: sequential */
} products[] = {{"012345", 0}, {"012346", 1}, {"022347", 0}};
#define NPRODUCTS COUNT(products)
#define CELL_IIR "040001"     /* the serialized component (GCP_SUPPLIER) */
#define PACK_IIR "030001"     /* the battery pack, a serialized sub-assembly (GCP_MAKER) */
#define MATERIAL_IIR "050001" /* the material consumed by quantity (GCP_SUPPLIER) */

/* bizStep and disposition of each kind of step, as the XML writes them. */
enum step {
    S_COMMISSION,
    S_CREATE,
    S_PACK,
    S_SHIP,
    S_RECEIVE,
    S_UNPACK_DC,
    S_UNPACK_STORE,
    S_SELL,
    S_RETURN,
    S_INSPECT,
    S_DECOMMISSION
};
// clang-format off
#define STEP(b, d)                                                                           \
    {LIT("<bizStep>urn:epcglobal:cbv:bizstep:" b "</bizStep><disposition>urn:epcglobal:cbv:" \
         "disp:" d "</disposition>")}
// clang-format on
static const struct {
    const char *xml; /* the two elements */
    size_t n;        /* strlen(xml) */
} steps[] = {
    [S_COMMISSION] = STEP("commissioning", "active"),
    [S_CREATE] = STEP("creating_class_instance", "active"),
    [S_PACK] = STEP("packing", "in_progress"),
    [S_SHIP] = STEP("shipping", "in_transit"),
    [S_RECEIVE] = STEP("receiving", "in_progress"),
    [S_UNPACK_DC] = STEP("unpacking", "in_progress"),
    [S_UNPACK_STORE] = STEP("unpacking", "sellable_accessible"),
    [S_SELL] = STEP("retail_selling", "retail_sold"),
    [S_RETURN] = STEP("receiving", "returned"),
    [S_INSPECT] = STEP("inspecting", "sellable_accessible"),
    [S_DECOMMISSION] = STEP("decommissioning", "inactive"),
};

/* readPoint extensions (SGLN extension) of each site's stations */
#define RP_CELL_LINE "11"
#define RP_ASSEMBLY "101"
#define RP_PACK_LINE "102"
#define RP_PACKING "201"
#define RP_DOCK_OUT "301"
#define RP_MATERIAL "501"
#define RP_DOCK_IN "1"
#define RP_BREAKDOWN "2"
#define RP_DC_OUT "3"
#define RP_POS "9"
#define RP_SERVICE "8"

/* DC time zones, in turn (stores take their DC's). */
static const struct {
    const char *text; /* as written */
    int minutes;      /* east of UTC */
} dc_zones[] = {{"+01:00", 60}, {"+00:00", 0}, {"+02:00", 120}};

/* A physical site: its SGLN without extension, GLN and time zone. */
typedef struct site {
    char sgln[40]; /* "urn:epc:id:sgln:<GCP>.<ref>." (an extension follows) */
    size_t sgln_n; /* its length */
    char tz[7];    /* "+01:00" */
    int tz_min;    /* the offset in minutes */
} site;

/* A party: its PGLN and GLN (for business transaction URNs). */
typedef struct party {
    char pgln[40]; /* "urn:epc:id:pgln:<GCP>.00000" */
    char gln[14];  /* 13 digits */
} party;

/* ---- the output buffer ---------------------------------------------------------- */

/* One growing buffer, capped at XB_MAX: the document being written. */
typedef struct xb {
    char *p;    /* malloc'd */
    size_t n;   /* bytes written */
    size_t cap; /* bytes allocated */
    st_rc rc;   /* ST_OK until growing fails */
} xb;
#define XB_MAX (2 * (size_t)ST_CHAIN_DOC_BYTES) /* a document closes at half of this */

static int xb_grow(xb *b, size_t need)
{
    if (b->rc)
        return -1;
    size_t cap = b->cap ? b->cap : 1 << 20;
    while (cap - b->n <= need && cap < XB_MAX)
        cap *= 2;
    if (cap > XB_MAX)
        cap = XB_MAX;
    if (cap - b->n <= need) {
        b->rc = ST_ERR_LIMIT;
        return -1;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->rc = ST_ERR_NOMEM;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static inline void put(xb *b, const char *s, size_t n)
{
    if (b->cap - b->n <= n && xb_grow(b, n))
        return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static inline void puts0(xb *b, const char *s)
{
    put(b, s, strlen(s));
}

/* v in decimal into p; returns the end. */
static char *fmt_u(char *p, uint64_t v)
{
    char t[20];
    int n = 0;
    do
        t[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n)
        *p++ = t[--n];
    return p;
}

/* v in decimal, at least width digits (zero-padded), into p; returns the end. */
static char *fmt_uw(char *p, uint64_t v, int width)
{
    char t[24];
    int n = 0;
    do
        t[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n < width)
        t[n++] = '0';
    while (n)
        *p++ = t[--n];
    return p;
}

static void put_u(xb *b, uint64_t v)
{
    char t[24];
    put(b, t, (size_t)(fmt_u(t, v) - t));
}

/* ---- time ----------------------------------------------------------------------- */

/* The civil date of day z since 1970-01-01 (proleptic Gregorian calendar):
 * count in 400-year eras of 146097 days, each starting on 1 March so that
 * the leap day is the era-year's last. */
static void civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468; /* days from 0000-03-01 to 1970-01-01 */
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* March = 0 */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b < 0);
}

/* "YYYY-MM-DD" of day z into p (10 bytes). */
static char *fmt_date(char *p, int64_t z)
{
    int y, m, d;
    civil(z, &y, &m, &d);
    p = fmt_uw(p, (uint64_t)y, 4);
    *p++ = '-';
    p = fmt_uw(p, (uint64_t)m, 2);
    *p++ = '-';
    return fmt_uw(p, (uint64_t)d, 2);
}

/* ---- the generator's state ------------------------------------------------------ */

typedef struct gen {
    st_chain_opts o;      /* options, defaults filled in */
    size_t pallet_units;  /* units_per_case * cases_per_pallet */
    st_chain_emit emit;   /* the caller's callback (may be NULL) */
    void *ctx;            /* its context */
    st_chain_stats *st;   /* what was made */
    uint64_t rng;         /* splitmix64 state */
    uint64_t key[2];      /* keys of the alphanumeric serial permutation */
    char tag[3];          /* two characters from the seed, in lot numbers */
    xb b;                 /* the document being written */
    size_t date_at;       /* offset of creationDate's value in b */
    size_t doc_events;    /* events in it */
    int64_t doc_last;     /* its latest eventTime */
    int done;             /* stop: the target is met, or a failure */
    st_rc rc;             /* the failure */
    int64_t cached_day;   /* day of cached_date */
    char cached_date[10]; /* "YYYY-MM-DD" of cached_day */

    site supplier_site;          /* where cells are commissioned */
    site *plants, *dcs, *stores; /* o.plants, o.dcs, o.stores of them, one allocation */
    party supplier, maker, retail;
    char unit_prefix[NPRODUCTS][40]; /* "urn:epc:id:sgtin:<GCP>.<IIR>." per product */
    char cell_prefix[40];            /* the same for the cells */
    char pack_prefix[40];            /* the same for the battery packs */
    int64_t t_max;                   /* the latest eventTime written */
    int md_header;                   /* 1: the next document opens with the sites' master data */
    size_t note_prod, last_prod;     /* product of st->unit_epc, and of the last unit made */
    uint64_t note_k, last_k;         /* their serial numbers (k) */
    int have_clone;                  /* a second sold unit is noted, to be cloned */
    size_t clone_prod;               /* its product */
    uint64_t clone_k;                /* its serial number (k) */
    char material_class[64];         /* "urn:epc:class:lgtin:<GCP>.<IIR>." (a lot follows) */

    size_t unit_next;            /* units begun (global unit index) */
    size_t prod_next[NPRODUCTS]; /* serial counters per product */
    size_t case_next, pallet_next, shipment_next;
    size_t *mat_lot, *mat_used; /* per plant: its material lot (index) and assemblies on it */
    size_t *dc_cursor;          /* per DC: the store next in turn */
    size_t mat_next;            /* material lots created */
    int have_sold;              /* st->unit_epc is a sold unit */
} gen;

static uint64_t rnd(gen *g)
{
    uint64_t z = (g->rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A number in [0, n) (n > 0; the bias is below 2^-40 for the n used here). */
static uint64_t below(gen *g, uint64_t n)
{
    return rnd(g) % n;
}

/* 1 with probability f. */
static int chance(gen *g, double f)
{
    return f > 0 && (double)(rnd(g) >> 11) * 0x1.0p-53 < f;
}

/* ---- documents -------------------------------------------------------------------- */

static const char doc_head[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" "
    "xmlns:cbvmda=\"urn:epcglobal:cbv:mda\" schemaVersion=\"2.0\" creationDate=\"";
static const char doc_head2[] = "\">\n<EPCISBody>\n<EventList>\n";
static void put_masterdata(gen *g);
static const char doc_tail[] = "</EventList>\n</EPCISBody>\n</epcis:EPCISDocument>\n";

static void fail(gen *g, st_rc rc)
{
    if (!g->rc)
        g->rc = rc;
    g->done = 1;
}

/* The date-time t (ms since 1970, UTC) at offset tz_min as
 * "YYYY-MM-DDThh:mm:ss.sss" into p (23 bytes); returns the end. */
static char *fmt_time(gen *g, char *p, int64_t t, int tz_min)
{
    int64_t l = t + tz_min * MIN_MS;
    int64_t day = floor_div(l, DAY_MS), ms = l - day * DAY_MS;
    if (day != g->cached_day) {
        fmt_date(g->cached_date, day);
        g->cached_day = day;
    }
    memcpy(p, g->cached_date, 10);
    p += 10;
    *p++ = 'T';
    p = fmt_uw(p, (uint64_t)(ms / HOUR_MS), 2);
    *p++ = ':';
    p = fmt_uw(p, (uint64_t)(ms / MIN_MS % 60), 2);
    *p++ = ':';
    p = fmt_uw(p, (uint64_t)(ms / 1000 % 60), 2);
    *p++ = '.';
    return fmt_uw(p, (uint64_t)(ms % 1000), 3);
}

/* Close the open document: its end, its creationDate (the latest eventTime
 * in it), and hand it over. */
static void doc_close(gen *g)
{
    put(&g->b, LIT(doc_tail));
    if (g->b.rc) {
        fail(g, g->b.rc);
        return;
    }
    char *d = fmt_time(g, g->b.p + g->date_at, g->doc_last, 0);
    *d = 'Z';
    g->b.p[g->b.n] = '\0'; /* put leaves room for it */
    g->st->documents++;
    g->st->bytes += g->b.n;
    st_rc rc = g->emit ? g->emit(g->ctx, g->b.p, g->b.n, g->doc_events) : ST_OK;
    g->b.n = 0;
    g->doc_events = 0;
    if (rc)
        fail(g, rc);
}

/* Start event open_tag at time t at site s (its zone); 0 when generating
 * has stopped and the event is not to be written. */
static int ev_open(gen *g, const char *open_tag, size_t n, int64_t t, const site *s)
{
    if (g->done)
        return 0;
    xb *b = &g->b;
    if (!g->doc_events && !b->n) {
        put(b, LIT(doc_head));
        g->date_at = b->n;
        put(b, LIT("0000-00-00T00:00:00.000Z"));
        if (g->md_header) {
            put(b, LIT("\">\n"));
            put_masterdata(g);
            put(b, LIT("<EPCISBody>\n<EventList>\n"));
        } else {
            put(b, LIT(doc_head2));
        }
        g->doc_last = t;
    }
    if (t > g->t_max)
        g->t_max = t;
    if (t > g->doc_last)
        g->doc_last = t;
    char tmp[160], *p = tmp;
    memcpy(p, open_tag, n);
    p += n;
    memcpy(p, "<eventTime>", 11);
    p = fmt_time(g, p + 11, t, s->tz_min);
    memcpy(p, s->tz, 6);
    p += 6;
    memcpy(p, "</eventTime><eventTimeZoneOffset>", 33);
    p += 33;
    memcpy(p, s->tz, 6);
    p += 6;
    memcpy(p, "</eventTimeZoneOffset>", 22);
    p += 22;
    put(b, tmp, (size_t)(p - tmp));
    if (g->o.event_ids) { /* a UUID (version 8: custom) from the seed and the event number */
        uint64_t save = g->rng;
        g->rng = g->o.seed ^ (0xD1B54A32D192ED03ULL * (g->st->events + 1));
        uint64_t h = rnd(g), l = rnd(g);
        g->rng = save;
        h = (h & ~0xF000ULL) | 0x8000ULL;
        l = (l & ~(3ULL << 62)) | (2ULL << 62);
        static const char hex[] = "0123456789abcdef";
        char u[36];
        for (int i = 0, k = 0; i < 32; i++) {
            if (i == 8 || i == 12 || i == 16 || i == 20)
                u[k++] = '-';
            uint64_t w = i < 16 ? h : l;
            u[k++] = hex[(w >> (60 - 4 * (i % 16))) & 15];
        }
        put(b, LIT("<eventID>urn:uuid:"));
        put(b, u, sizeof u);
        put(b, LIT("</eventID>"));
    }
    return 1;
}

/* End the event with close_tag; count it; close the document when full.
 * Returns 1 when the event was written, 0 when writing it failed. */
static int ev_close(gen *g, const char *close_tag, size_t n)
{
    put(&g->b, close_tag, n);
    if (g->b.rc) {
        fail(g, g->b.rc);
        return 0;
    }
    g->st->events++;
    g->doc_events++;
    if (g->doc_events >= g->o.events_per_doc || g->b.n >= ST_CHAIN_DOC_BYTES)
        doc_close(g);
    if (g->o.target_events && g->st->events >= g->o.target_events)
        g->done = 1;
    return 1;
}

#define OPEN(g, type, t, s) ev_open(g, LIT("<" type ">"), t, s)
#define CLOSE(g, type) ev_close(g, LIT("</" type ">\n"))

/* ---- identifiers ------------------------------------------------------------------ */

/* Serial of the k-th unit of product prod into p; returns the end. Sequential
 * products count from 1; the others permute k over 2^50 (odd multipliers and
 * xor-shifts are bijective there, so serials never repeat) and write it as
 * 10 base-36 characters (36^10 > 2^50). */
static char *fmt_serial(const gen *g, char *p, size_t prod, uint64_t k)
{
    if (!products[prod].alnum)
        return fmt_u(p, k + 1);
    const uint64_t mask = (1ULL << 50) - 1;
    uint64_t x = (k ^ g->key[0]) & mask;
    for (int r = 0; r < 3; r++) {
        x = (x * 0x2545F4914F6CDD1DULL) & mask;
        x ^= x >> 23;
        x = (x + g->key[1]) & mask;
    }
    static const char b36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (int i = 9; i >= 0; i--, x /= 36)
        p[i] = b36[x % 36];
    return p + 10;
}

/* "<epc>" unit "</epc>" */
static void put_unit(gen *g, size_t prod, uint64_t k)
{
    char t[96], *p = t;
    memcpy(p, "<epc>", 5);
    p += 5;
    size_t n = strlen(g->unit_prefix[prod]);
    memcpy(p, g->unit_prefix[prod], n);
    p = fmt_serial(g, p + n, prod, k);
    memcpy(p, "</epc>", 6);
    put(&g->b, t, (size_t)(p + 6 - t));
}

/* The SSCC URI of case or pallet number i (extension digit 0 for cases, 1
 * for pallets) into p; returns the end. */
static char *fmt_sscc(char *p, int pallet, uint64_t i)
{
    memcpy(p, "urn:epc:id:sscc:" GCP_MAKER ".", 24);
    p[24] = pallet ? '1' : '0';
    return fmt_uw(p + 25, i + 1, 9);
}

static void put_sscc(gen *g, const char *open, size_t on, int pallet, uint64_t i, const char *close,
                     size_t cn)
{
    char t[96], *p = t;
    memcpy(p, open, on);
    p = fmt_sscc(p + on, pallet, i);
    memcpy(p, close, cn);
    put(&g->b, t, (size_t)(p + cn - t));
}

/* The component lot number of lot k (also used in stats). */
static void fmt_cell_lot(const gen *g, char out[21], uint64_t k)
{
    char *p = out;
    *p++ = 'C';
    *p++ = g->tag[0];
    *p++ = g->tag[1];
    p = fmt_uw(p, k + 1, 6);
    *p = '\0';
}

static void fmt_material_lot(const gen *g, char out[21], uint64_t m)
{
    char *p = out;
    *p++ = 'R';
    *p++ = g->tag[0];
    *p++ = g->tag[1];
    p = fmt_uw(p, m + 1, 6);
    *p = '\0';
}

/* ---- event pieces ----------------------------------------------------------------- */

static void put_point(gen *g, const site *s, const char *ext)
{
    put(&g->b, LIT("<readPoint><id>"));
    put(&g->b, s->sgln, s->sgln_n);
    puts0(&g->b, ext);
    put(&g->b, LIT("</id></readPoint><bizLocation><id>"));
    put(&g->b, s->sgln, s->sgln_n);
    put(&g->b, LIT("0</id></bizLocation>"));
}

static void put_ilmd(gen *g, const char *lot, int64_t expiry_day)
{
    char d[10];
    fmt_date(d, expiry_day);
    put(&g->b, LIT("<ilmd><cbvmda:lotNumber>"));
    puts0(&g->b, lot);
    put(&g->b, LIT("</cbvmda:lotNumber><cbvmda:itemExpirationDate>"));
    put(&g->b, d, sizeof d);
    put(&g->b, LIT("</cbvmda:itemExpirationDate></ilmd>"));
}

/* A business transaction of type (po, desadv) issued by party: its URN is
 * urn:epcglobal:cbv:bt:<GLN>:<prefix><number>. */
static void put_bt(gen *g, const char *type, const party *by, const char *prefix, uint64_t num)
{
    put(&g->b, LIT("<bizTransaction type=\"urn:epcglobal:cbv:btt:"));
    puts0(&g->b, type);
    put(&g->b, LIT("\">urn:epcglobal:cbv:bt:"));
    put(&g->b, by->gln, 13);
    put(&g->b, LIT(":"));
    puts0(&g->b, prefix);
    char t[24];
    put(&g->b, t, (size_t)(fmt_uw(t, num, 8) - t));
    put(&g->b, LIT("</bizTransaction>"));
}

/* One end of a move (kind "source" or "destination"): owning and
 * possessing party (when from is not NULL) and location. */
static void put_end(gen *g, const char *kind, const party *from, const site *at)
{
    xb *b = &g->b;
    put(b, LIT("<"));
    puts0(b, kind);
    put(b, LIT("List>"));
    static const char *const roles[] = {"owning_party", "possessing_party"};
    for (size_t i = 0; from && i < COUNT(roles); i++) {
        put(b, LIT("<"));
        puts0(b, kind);
        put(b, LIT(" type=\"urn:epcglobal:cbv:sdt:"));
        puts0(b, roles[i]);
        put(b, LIT("\">"));
        puts0(b, from->pgln);
        put(b, LIT("</"));
        puts0(b, kind);
        put(b, LIT(">"));
    }
    put(b, LIT("<"));
    puts0(b, kind);
    put(b, LIT(" type=\"urn:epcglobal:cbv:sdt:location\">"));
    put(b, at->sgln, at->sgln_n);
    put(b, LIT("0</"));
    puts0(b, kind);
    put(b, LIT("></"));
    puts0(b, kind);
    put(b, LIT("List>"));
}

/* ---- the steps of the chain ------------------------------------------------------- */

/* When pallet p's assembly starts (ms since 1970): the plants work in
 * parallel, each pallet after the previous one of its plant. */
static int64_t pallet_start(const gen *g, size_t p)
{
    return START_MS +
           (int64_t)(p / g->o.plants) * ((int64_t)g->pallet_units * CYCLE_MS + CHANGEOVER_MS);
}

/* The step functions below write one event each and return 1 when it was
 * written, 0 when generating has stopped. */

/* Cells of units [a, e), all of component lot k, commissioned at the supplier. */
static int commission(gen *g, size_t a, size_t e, size_t k, int64_t t)
{
    if (!OPEN(g, "ObjectEvent", t, &g->supplier_site))
        return 0;
    size_t cpu = g->o.components_per_unit, n = strlen(g->cell_prefix);
    put(&g->b, LIT("<epcList>"));
    for (size_t c = a * cpu; c < e * cpu; c++) {
        char tmp[80], *p = tmp;
        memcpy(p, "<epc>", 5);
        memcpy(p + 5, g->cell_prefix, n);
        p = fmt_u(p + 5 + n, c + 1);
        memcpy(p, "</epc>", 6);
        put(&g->b, tmp, (size_t)(p + 6 - tmp));
    }
    put(&g->b, LIT("</epcList><action>ADD</action>"));
    put(&g->b, steps[S_COMMISSION].xml, steps[S_COMMISSION].n);
    put_point(g, &g->supplier_site, RP_CELL_LINE);
    /* the lot expires three years after its first unit's cells were made */
    size_t first = k * g->o.units_per_component_lot;
    int64_t made = pallet_start(g, first / g->pallet_units) - 14 * DAY_MS;
    char lot[21];
    fmt_cell_lot(g, lot, k);
    put_ilmd(g, lot, floor_div(made, DAY_MS) + 3 * 365);
    if (!CLOSE(g, "ObjectEvent"))
        return 0;
    g->st->components += (e - a) * cpu;
    if (a == first) {
        g->st->component_lots++;
        if (k == 0)
            fmt_cell_lot(g, g->st->lot, 0);
    }
    return 1;
}

/* A new material lot at plant pl, created at time t. */
static int material_lot(gen *g, size_t pl, int64_t t)
{
    size_t m = g->mat_next;
    const site *s = &g->plants[pl];
    if (!OPEN(g, "ObjectEvent", t, s))
        return 0;
    char lot[21];
    fmt_material_lot(g, lot, m);
    put(&g->b, LIT("<action>ADD</action>"));
    put(&g->b, steps[S_CREATE].xml, steps[S_CREATE].n);
    put_point(g, s, RP_MATERIAL);
    put(&g->b, LIT("<quantityList><quantityElement><epcClass>"));
    puts0(&g->b, g->material_class);
    puts0(&g->b, lot);
    put(&g->b, LIT("</epcClass><quantity>"));
    uint64_t ckg = (uint64_t)g->o.units_per_material_lot * MATERIAL_CKG;
    put_u(&g->b, ckg / 100);
    if (ckg % 100) {
        char f[3] = {'.', (char)('0' + ckg % 100 / 10), (char)('0' + ckg % 10)};
        put(&g->b, f, ckg % 10 ? 3 : 2);
    }
    put(&g->b, LIT("</quantity><uom>KGM</uom></quantityElement></quantityList>"));
    put_ilmd(g, lot, floor_div(t + s->tz_min * MIN_MS, DAY_MS) + 365);
    if (!CLOSE(g, "ObjectEvent"))
        return 0;
    g->mat_next++;
    g->mat_lot[pl] = m;
    g->mat_used[pl] = 0;
    g->st->material_lots++;
    return 1;
}

/* "<epc>" cells [a, e) "</epc>"... */
static void put_cells(gen *g, size_t a, size_t e)
{
    size_t n = strlen(g->cell_prefix);
    for (size_t c = a; c < e; c++) {
        char tmp[80], *p = tmp;
        memcpy(p, "<epc>", 5);
        memcpy(p + 5, g->cell_prefix, n);
        p = fmt_u(p + 5 + n, c + 1);
        memcpy(p, "</epc>", 6);
        put(&g->b, tmp, (size_t)(p + 6 - tmp));
    }
}

/* "<epc>" the battery pack of unit u "</epc>" */
static void put_pack(gen *g, size_t u)
{
    char tmp[80], *p = tmp;
    size_t n = strlen(g->pack_prefix);
    memcpy(p, "<epc>", 5);
    memcpy(p + 5, g->pack_prefix, n);
    p = fmt_u(p + 5 + n, u + 1);
    memcpy(p, "</epc>", 6);
    put(&g->b, tmp, (size_t)(p + 6 - tmp));
}

/* Unit u (serial k of product prod) assembled at plant pl at time t from
 * its cells and the plant's material, with lot and expiry in its ILMD. */
static int assemble(gen *g, size_t pl, size_t prod, uint64_t k, size_t u, int64_t t,
                    const char *lot, int64_t expiry_day)
{
    if (g->mat_used[pl] >= g->o.units_per_material_lot)
        material_lot(g, pl, t - 10 * MIN_MS);
    const site *s = &g->plants[pl];
    size_t cpu = g->o.components_per_unit, n = strlen(g->cell_prefix);
    if (g->o.packs) { /* the cells into a pack, a minute before the pack goes into the unit */
        if (!OPEN(g, "TransformationEvent", t - MIN_MS, s))
            return 0;
        put(&g->b, LIT("<inputEPCList>"));
        put_cells(g, u * cpu, (u + 1) * cpu);
        put(&g->b, LIT("</inputEPCList><outputEPCList>"));
        put_pack(g, u);
        put(&g->b, LIT("</outputEPCList>"));
        put(&g->b, steps[S_COMMISSION].xml, steps[S_COMMISSION].n);
        put_point(g, s, RP_PACK_LINE);
        if (!CLOSE(g, "TransformationEvent"))
            return 0;
        g->st->packs++;
    }
    if (!OPEN(g, "TransformationEvent", t, s))
        return 0;
    put(&g->b, LIT("<inputEPCList>"));
    if (g->o.packs)
        put_pack(g, u);
    else
        put_cells(g, u * cpu, (u + 1) * cpu);
    (void)n;
    put(&g->b, LIT("</inputEPCList><inputQuantityList><quantityElement><epcClass>"));
    char mlot[21];
    size_t m = g->mat_lot[pl];
    fmt_material_lot(g, mlot, m);
    puts0(&g->b, g->material_class);
    puts0(&g->b, mlot);
    put(&g->b, LIT("</epcClass><quantity>0.25</quantity><uom>KGM</uom></quantityElement>"
                   "</inputQuantityList><outputEPCList>"));
    _Static_assert(MATERIAL_CKG == 25, "the quantity above is MATERIAL_CKG / 100");
    put_unit(g, prod, k);
    put(&g->b, LIT("</outputEPCList>"));
    put(&g->b, steps[S_COMMISSION].xml, steps[S_COMMISSION].n);
    put_point(g, s, RP_ASSEMBLY);
    put_ilmd(g, lot, expiry_day);
    if (!CLOSE(g, "TransformationEvent"))
        return 0;
    g->mat_used[pl]++;
    g->st->units++;
    g->last_prod = prod;
    g->last_k = k;
    if (u / g->o.units_per_component_lot == 0)
        g->st->lot_units++;
    if (m == 0)
        g->st->material_units++;
    return 1;
}

/* An AggregationEvent: ADD (packing at a plant) or DELETE (unpacking) of
 * children [k0, k0 + n) of product prod (units) or, when prod is NPRODUCTS,
 * cases [k0, k0 + n), under a case or pallet. */
static int aggregate(gen *g, int add, int pallet, uint64_t parent, size_t prod, uint64_t k0,
                     size_t n, int64_t t, const site *s, enum step st, const char *rp)
{
    if (!OPEN(g, "AggregationEvent", t, s))
        return 0;
    put_sscc(g, LIT("<parentID>"), pallet, parent, LIT("</parentID><childEPCs>"));
    for (size_t i = 0; i < n; i++) {
        if (prod < NPRODUCTS)
            put_unit(g, prod, k0 + i);
        else
            put_sscc(g, LIT("<epc>"), 0, k0 + i, LIT("</epc>"));
    }
    if (add)
        put(&g->b, LIT("</childEPCs><action>ADD</action>"));
    else
        put(&g->b, LIT("</childEPCs><action>DELETE</action>"));
    put(&g->b, steps[st].xml, steps[st].n);
    put_point(g, s, rp);
    return CLOSE(g, "AggregationEvent");
}

/* A move of cases [c0, c0 + n) (or, with pallet, of pallet c0) from site
 * `from` to site `to`: the shipping event (rp at `from`, no bizLocation:
 * the goods are in transit) or the receiving event (at `to`). */
static int move(gen *g, int ship, int pallet, uint64_t c0, size_t n, int64_t t, const site *from,
                const site *to, const party *seller, const party *buyer, uint64_t doc_no)
{
    const site *at = ship ? from : to;
    if (!OPEN(g, "ObjectEvent", t, at))
        return 0;
    put(&g->b, LIT("<epcList>"));
    for (size_t i = 0; i < n; i++)
        put_sscc(g, LIT("<epc>"), pallet, c0 + i, LIT("</epc>"));
    put(&g->b, LIT("</epcList><action>OBSERVE</action>"));
    if (ship) {
        put(&g->b, steps[S_SHIP].xml, steps[S_SHIP].n);
        put(&g->b, LIT("<readPoint><id>"));
        put(&g->b, from->sgln, from->sgln_n);
        puts0(&g->b, pallet ? RP_DOCK_OUT : RP_DC_OUT);
        put(&g->b, LIT("</id></readPoint>"));
    } else {
        put(&g->b, steps[S_RECEIVE].xml, steps[S_RECEIVE].n);
        put_point(g, to, RP_DOCK_IN);
    }
    put(&g->b, LIT("<bizTransactionList>"));
    if (seller != buyer) /* between companies: the buyer's order, the seller's advice */
        put_bt(g, "po", buyer, "PO", doc_no);
    put_bt(g, "desadv", seller, "DA", doc_no);
    put(&g->b, LIT("</bizTransactionList>"));
    put_end(g, "source", seller != buyer ? seller : NULL, from);
    put_end(g, "destination", seller != buyer ? buyer : NULL, to);
    return CLOSE(g, "ObjectEvent");
}

/* Unit k of product prod sold (or, with ret, brought back) at store s. */
static int at_till(gen *g, int ret, size_t prod, uint64_t k, int64_t t, const site *s)
{
    if (!OPEN(g, "ObjectEvent", t, s))
        return 0;
    put(&g->b, LIT("<epcList>"));
    put_unit(g, prod, k);
    put(&g->b, LIT("</epcList><action>OBSERVE</action>"));
    enum step st = ret ? S_RETURN : S_SELL;
    put(&g->b, steps[st].xml, steps[st].n);
    put_point(g, s, ret ? RP_SERVICE : RP_POS);
    return CLOSE(g, "ObjectEvent");
}

/* A moment in the opening hours (08:00-21:00 local) of store s, from 1 to
 * days days after t: always later than t. */
static int64_t open_hours(gen *g, int64_t t, const site *s, int days)
{
    int64_t local = t + s->tz_min * MIN_MS;
    int64_t day = floor_div(local, DAY_MS) + 1 + (int64_t)below(g, (uint64_t)days);
    return day * DAY_MS + 8 * HOUR_MS + (int64_t)below(g, 13 * HOUR_MS) - s->tz_min * MIN_MS;
}

/* Note unit k of product prod, in case c on pallet p, as the one with a full
 * history (sold, when sold is set). */
static void note_unit(gen *g, int sold, size_t prod, uint64_t k, size_t u, uint64_t c, uint64_t p)
{
    g->note_prod = prod;
    g->note_k = k;
    if (g->o.packs)
        *fmt_u(g->st->pack_epc + sprintf(g->st->pack_epc, "%s", g->pack_prefix), u + 1) = '\0';
    char *q = g->st->unit_epc;
    size_t n = strlen(g->unit_prefix[prod]);
    memcpy(q, g->unit_prefix[prod], n);
    *fmt_serial(g, q + n, prod, k) = '\0';
    *fmt_sscc(g->st->case_epc, 0, c) = '\0';
    *fmt_sscc(g->st->pallet_epc, 1, p) = '\0';
    g->have_sold = sold;
}

/* The whole life of pallet p, holding n units (a full pallet but for the
 * last one). */
static void make_pallet(gen *g, size_t p, size_t n)
{
    const st_chain_opts *o = &g->o;
    size_t upc = o->units_per_case, pl = p % o->plants;
    const site *plant = &g->plants[pl];
    int64_t t0 = pallet_start(g, p);
    if (floor_div(t0, DAY_MS) + 40 * 365 > LAST_DAY) {
        fail(g, ST_ERR_EXHAUSTED);
        return;
    }
    size_t prod = (size_t)below(g, NPRODUCTS);
    uint64_t k0 = g->prod_next[prod];
    g->prod_next[prod] += n;
    size_t u0 = g->unit_next;
    g->unit_next += n;
    size_t ncases = (n + upc - 1) / upc;
    uint64_t case0 = g->case_next;
    g->case_next += ncases;
    uint64_t pal = g->pallet_next++;
    if (g->case_next > SSCC_SPACE || g->pallet_next > SSCC_SPACE) {
        fail(g, ST_ERR_EXHAUSTED);
        return;
    }

    /* 1. the cells, made two weeks earlier, case by case, split where a lot ends */
    for (size_t c = 0; c < ncases && !g->done; c++) {
        size_t a = u0 + c * upc, e = a + upc < u0 + n ? a + upc : u0 + n;
        int64_t t = t0 - 14 * DAY_MS + (int64_t)c * 7 * MIN_MS + (int64_t)below(g, 6 * MIN_MS);
        while (a < e && !g->done) {
            size_t k = a / o->units_per_component_lot;
            size_t b =
                (k + 1) * o->units_per_component_lot < e ? (k + 1) * o->units_per_component_lot : e;
            commission(g, a, b, k, t);
            t += 1000;
            a = b;
        }
    }

    /* 2. assembly, one unit every CYCLE_MS, each case packed when full; the
     * production lot is the plant and day, the expiry five years on */
    int64_t day = floor_div(t0 + plant->tz_min * MIN_MS, DAY_MS);
    char lot[21], ymd[10], *q = lot;
    fmt_date(ymd, day);
    *q++ = 'L';
    memcpy(q, ymd + 2, 2), memcpy(q + 2, ymd + 5, 2), memcpy(q + 4, ymd + 8, 2);
    q += 6;
    *q++ = '-';
    *fmt_u(q, pl + 1) = '\0';
    int64_t t = t0;
    for (size_t c = 0; c < ncases && !g->done; c++) {
        size_t i0 = c * upc, m = i0 + upc < n ? upc : n - i0;
        for (size_t i = i0; i < i0 + m && !g->done; i++) {
            t = t0 + (int64_t)i * CYCLE_MS + (int64_t)below(g, CYCLE_MS / 4);
            assemble(g, pl, prod, k0 + i, u0 + i, t, lot, day + 5 * 365 + 1);
        }
        t += 30000 + (int64_t)below(g, 60000);
        g->st->cases +=
            (size_t)aggregate(g, 1, 0, case0 + c, prod, k0 + i0, m, t, plant, S_PACK, RP_PACKING);
    }

    /* 3. the pallet: packed, shipped, received and broken down at a DC */
    size_t dc = (size_t)below(g, o->dcs);
    const site *dcs = &g->dcs[dc];
    t += 5 * MIN_MS + (int64_t)below(g, 10 * MIN_MS);
    g->st->pallets +=
        (size_t)aggregate(g, 1, 1, pal, NPRODUCTS, case0, ncases, t, plant, S_PACK, RP_PACKING);
    t += HOUR_MS + (int64_t)below(g, 5 * HOUR_MS);
    move(g, 1, 1, pal, 1, t, plant, dcs, &g->maker, &g->retail, pal + 1);
    t += DAY_MS + (int64_t)below(g, 2 * DAY_MS);
    move(g, 0, 1, pal, 1, t, plant, dcs, &g->maker, &g->retail, pal + 1);
    t += HOUR_MS + (int64_t)below(g, 7 * HOUR_MS);
    aggregate(g, 0, 1, pal, NPRODUCTS, case0, ncases, t, dcs, S_UNPACK_DC, RP_BREAKDOWN);

    /* 4. runs of 1-3 cases to the DC's stores in turn; each case unpacked
     * in the store, its units sold in opening hours over the next month, a
     * few brought back within two weeks */
    size_t nstores = (o->stores - dc + o->dcs - 1) / o->dcs; /* stores dc, dc + dcs, ... */
    for (size_t c = 0; c < ncases && !g->done;) {
        size_t r = 1 + (size_t)below(g, 3);
        if (r > ncases - c)
            r = ncases - c;
        const site *st = &g->stores[dc + o->dcs * (g->dc_cursor[dc]++ % nstores)];
        uint64_t sh = g->shipment_next++;
        int64_t ts = t + 4 * HOUR_MS + (int64_t)below(g, 26 * HOUR_MS);
        move(g, 1, 0, case0 + c, r, ts, dcs, st, &g->retail, &g->retail, sh + 1);
        ts += 3 * HOUR_MS + (int64_t)below(g, 9 * HOUR_MS);
        g->st->shipments +=
            (size_t)move(g, 0, 0, case0 + c, r, ts, dcs, st, &g->retail, &g->retail, sh + 1);
        for (size_t j = c; j < c + r && !g->done; j++) {
            size_t i0 = j * upc, m = i0 + upc < n ? upc : n - i0;
            int64_t tu = ts + 30 * MIN_MS + (int64_t)below(g, 23 * HOUR_MS);
            aggregate(g, 0, 0, case0 + j, prod, k0 + i0, m, tu, st, S_UNPACK_STORE, RP_BREAKDOWN);
            for (size_t i = i0; i < i0 + m && !g->done; i++) {
                if (!chance(g, o->sold_fraction))
                    continue;
                int64_t tsell = open_hours(g, tu, st, 30);
                if (!at_till(g, 0, prod, k0 + i, tsell, st))
                    break;
                g->st->sold++;
                if (g->have_sold && !g->have_clone) { /* the clone is not the noted unit */
                    g->have_clone = 1;
                    g->clone_prod = prod;
                    g->clone_k = k0 + i;
                }
                if (!g->have_sold)
                    note_unit(g, 1, prod, k0 + i, u0 + i, case0 + j, pal);
                if (chance(g, o->return_fraction))
                    g->st->returned +=
                        (size_t)at_till(g, 1, prod, k0 + i, open_hours(g, tsell, st, 14), st);
            }
        }
        c += r;
    }
    if (!g->st->unit_epc[0] && g->st->units) { /* nothing sold yet: the first unit made */
        note_unit(g, 0, prod, k0, u0, case0, pal);
        if (!g->st->cases)
            g->st->case_epc[0] = '\0';
        if (!g->st->pallets)
            g->st->pallet_epc[0] = '\0';
    }
}

/* ---- planted anomalies ----------------------------------------------------------- */

/* Coordinates of the sites, from a few European cities (and the supplier's). */
static const struct {
    const char *lat, *lon; /* decimal degrees, as written */
} cities[] = {
    {"38.7223", "-9.1393"}, {"60.1699", "24.9384"}, {"40.4168", "-3.7038"}, {"59.3293", "18.0686"},
    {"41.9028", "12.4964"}, {"53.3498", "-6.2603"}, {"52.2297", "21.0122"}, {"48.8566", "2.3522"},
    {"37.9838", "23.7275"}, {"52.3676", "4.9041"},  {"48.2082", "16.3738"}, {"50.8503", "4.3517"},
};

static void put_site_md(gen *g, const site *s, const char *lat, const char *lon)
{
    put(&g->b, LIT("<VocabularyElement id=\""));
    put(&g->b, s->sgln, s->sgln_n);
    put(&g->b, LIT("0\"><attribute id=\"urn:epcglobal:cbv:mda#latitude\">"));
    puts0(&g->b, lat);
    put(&g->b, LIT("</attribute><attribute id=\"urn:epcglobal:cbv:mda#longitude\">"));
    puts0(&g->b, lon);
    put(&g->b, LIT("</attribute></VocabularyElement>"));
}

/* The EPCISHeader naming every site's coordinates: store i at city i,
 * DC i at city 6 + i, plant i at city 9 + i (modulo the table). */
static void put_masterdata(gen *g)
{
    put(&g->b, LIT("<EPCISHeader><EPCISMasterData><VocabularyList><Vocabulary type=\""
                   "urn:epcglobal:epcis:vtype:BusinessLocation\"><VocabularyElementList>"));
    put_site_md(g, &g->supplier_site, "22.5431", "114.0579");
    for (size_t i = 0; i < g->o.plants; i++)
        put_site_md(g, &g->plants[i], cities[(9 + i) % COUNT(cities)].lat,
                    cities[(9 + i) % COUNT(cities)].lon);
    for (size_t i = 0; i < g->o.dcs; i++)
        put_site_md(g, &g->dcs[i], cities[(6 + i) % COUNT(cities)].lat,
                    cities[(6 + i) % COUNT(cities)].lon);
    for (size_t i = 0; i < g->o.stores; i++)
        put_site_md(g, &g->stores[i], cities[i % COUNT(cities)].lat, cities[i % COUNT(cities)].lon);
    put(&g->b, LIT("</VocabularyElementList></Vocabulary></VocabularyList></EPCISMasterData>"
                   "</EPCISHeader>\n"));
}

/* One ObjectEvent naming unit k of product prod at site s. */
static int unit_event(gen *g, int del, size_t prod, uint64_t k, int64_t t, const site *s,
                      enum step st, const char *rp)
{
    if (!OPEN(g, "ObjectEvent", t, s))
        return 0;
    put(&g->b, LIT("<epcList>"));
    put_unit(g, prod, k);
    if (del)
        put(&g->b, LIT("</epcList><action>DELETE</action>"));
    else
        put(&g->b, LIT("</epcList><action>OBSERVE</action>"));
    put(&g->b, steps[st].xml, steps[st].n);
    put_point(g, s, rp);
    return CLOSE(g, "ObjectEvent");
}

static void unit_uri(gen *g, char out[96], size_t prod, uint64_t k)
{
    size_t n = strlen(g->unit_prefix[prod]);
    memcpy(out, g->unit_prefix[prod], n);
    *fmt_serial(g, out + n, prod, k) = '\0';
}

/*
 * After the chain, in a document of their own that opens with the sites'
 * coordinates: a counterfeit (a serial of product 0 never commissioned,
 * sold at store 0), a clone (the second unit sold, so that the noted one
 * keeps a clean history, brought back at store 0 and,
 * four minutes later, at a store some 3,000 km away, or at DC 0 when there
 * is one store) and a resurrected serial (the last unit made,
 * decommissioned at store 0, then sold at it three days later).
 */
static void plant_anomalies(gen *g)
{
    if (g->doc_events)
        doc_close(g);
    g->md_header = 1;
    int64_t t = (floor_div(g->t_max, DAY_MS) + 1) * DAY_MS + 10 * HOUR_MS;
    const site *s0 = &g->stores[0], *far = g->o.stores > 1 ? &g->stores[1] : &g->dcs[0];
    uint64_t fake = g->prod_next[0] + 1000000;
    if (unit_event(g, 0, 0, fake, t, s0, S_SELL, RP_POS))
        unit_uri(g, g->st->counterfeit_epc, 0, fake);
    g->md_header = 0;
    size_t cp = g->have_clone ? g->clone_prod : g->note_prod; /* one sold unit only: that one */
    uint64_t ck = g->have_clone ? g->clone_k : g->note_k;
    if (unit_event(g, 0, cp, ck, t + HOUR_MS, s0, S_RETURN, RP_SERVICE) &&
        unit_event(g, 0, cp, ck, t + HOUR_MS + 4 * MIN_MS, far, S_RETURN, RP_SERVICE))
        unit_uri(g, g->st->clone_epc, cp, ck);
    if (unit_event(g, 1, g->last_prod, g->last_k, t + 2 * HOUR_MS, s0, S_DECOMMISSION,
                   RP_SERVICE) &&
        unit_event(g, 0, g->last_prod, g->last_k, t + 3 * DAY_MS, s0, S_SELL, RP_POS))
        unit_uri(g, g->st->resurrected_epc, g->last_prod, g->last_k);
}

/* ---- setting up ------------------------------------------------------------------- */

/* GLN of gcp (7 digits) and a 5-digit location reference, with its check digit. */
static void make_gln(char out[14], const char *gcp, size_t ref)
{
    memcpy(out, gcp, 7);
    fmt_uw(out + 7, ref, 5);
    out[12] = st_cd_mod10(out, 12);
    out[13] = '\0';
}

static void make_site(site *s, const char *gcp, size_t ref, const char *tz, int tz_min)
{
    int n = snprintf(s->sgln, sizeof s->sgln, "urn:epc:id:sgln:%s.%05zu.", gcp, ref);
    s->sgln_n = (size_t)n;
    memcpy(s->tz, tz, 7);
    s->tz_min = tz_min;
}

static void make_party(party *p, const char *gcp)
{
    snprintf(p->pgln, sizeof p->pgln, "urn:epc:id:pgln:%s.00000", gcp);
    make_gln(p->gln, gcp, 0);
}

/* GTIN-14 of gcp (7 digits) and iir (indicator + item reference, 6 digits). */
static void make_gtin(char out[15], const char *gcp, const char *iir)
{
    out[0] = iir[0];
    memcpy(out + 1, gcp, 7);
    memcpy(out + 8, iir + 1, 5);
    out[13] = st_cd_mod10(out, 13);
    out[14] = '\0';
}

/* Fill in the defaults of *o and check it against the caps. */
static st_rc resolve(st_chain_opts *o, st_error *err)
{
    static const struct {
        size_t off;       /* offset of the field in st_chain_opts */
        const char *name; /* its name in messages */
        size_t def;       /* its default */
        size_t cap;       /* its cap */
        const char *cap_name;
    } sizes[] = {
        {offsetof(st_chain_opts, units_per_case), "units_per_case", 12, ST_CHAIN_MAX_LIST,
         "ST_CHAIN_MAX_LIST"},
        {offsetof(st_chain_opts, cases_per_pallet), "cases_per_pallet", 8, ST_CHAIN_MAX_LIST,
         "ST_CHAIN_MAX_LIST"},
        {offsetof(st_chain_opts, components_per_unit), "components_per_unit", 4, ST_CHAIN_MAX_LIST,
         "ST_CHAIN_MAX_LIST"},
        {offsetof(st_chain_opts, units_per_component_lot), "units_per_component_lot", 1000,
         SIZE_MAX, NULL},
        {offsetof(st_chain_opts, units_per_material_lot), "units_per_material_lot", 960,
         SIZE_MAX / MATERIAL_CKG, "the largest quantity written"},
        {offsetof(st_chain_opts, plants), "plants", 2, ST_CHAIN_MAX_SITES, "ST_CHAIN_MAX_SITES"},
        {offsetof(st_chain_opts, dcs), "dcs", 2, ST_CHAIN_MAX_SITES, "ST_CHAIN_MAX_SITES"},
        {offsetof(st_chain_opts, events_per_doc), "events_per_doc", 10000, ST_CHAIN_MAX_DOC_EVENTS,
         "ST_CHAIN_MAX_DOC_EVENTS"},
    };
    for (size_t i = 0; i < COUNT(sizes); i++) {
        size_t *v = (size_t *)((char *)o + sizes[i].off);
        if (!*v)
            *v = sizes[i].def;
        if (*v > sizes[i].cap)
            return st_fail(err, ST_ERR_LIMIT, -1, NULL, "%s is %zu; the limit is %zu (%s)",
                           sizes[i].name, *v, sizes[i].cap, sizes[i].cap_name);
    }
    if (!o->stores)
        o->stores = 5 * o->dcs;
    if (o->stores > ST_CHAIN_MAX_SITES)
        return st_fail(err, ST_ERR_LIMIT, -1, NULL, "stores is %zu; the limit is %d (%s)",
                       o->stores, ST_CHAIN_MAX_SITES, "ST_CHAIN_MAX_SITES");
    if (o->stores < o->dcs)
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "stores is %zu, fewer than dcs (%zu); every DC needs a store", o->stores,
                       o->dcs);
    if (o->units_per_case * o->components_per_unit > ST_CHAIN_MAX_LIST)
        return st_fail(err, ST_ERR_LIMIT, -1, NULL,
                       "units_per_case x components_per_unit is %zu components commissioned "
                       "in one event; the limit is %d (ST_CHAIN_MAX_LIST)",
                       o->units_per_case * o->components_per_unit, ST_CHAIN_MAX_LIST);
    double *fr[] = {&o->sold_fraction, &o->return_fraction};
    static const char *const fr_name[] = {"sold_fraction", "return_fraction"};
    static const double fr_def[] = {0.6, 0.02};
    for (size_t i = 0; i < 2; i++) {
        if (isnan(*fr[i]) || *fr[i] > 1)
            return st_fail(err, ST_ERR_ARG, -1, NULL,
                           "%s is %g; expected a share from 0 to 1 (0: the default %g, below "
                           "0: none)",
                           fr_name[i], *fr[i], fr_def[i]);
        if (*fr[i] == 0)
            *fr[i] = fr_def[i];
    }
    if (!o->units && !o->target_events)
        o->units = 1000;
    else if (!o->units)
        o->units = SIZE_MAX;
    return ST_OK;
}

static st_rc setup(gen *g, st_error *err)
{
    const st_chain_opts *o = &g->o;
    size_t sites = o->plants + o->dcs + o->stores;
    g->plants = calloc(sites, sizeof *g->plants);
    g->mat_lot = calloc(2 * o->plants + o->dcs, sizeof *g->mat_lot);
    if (!g->plants || !g->mat_lot)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory for %zu sites", sites);
    g->dcs = g->plants + o->plants;
    g->stores = g->dcs + o->dcs;
    g->mat_used = g->mat_lot + o->plants;
    g->dc_cursor = g->mat_used + o->plants;
    for (size_t i = 0; i < o->plants; i++) {
        make_site(&g->plants[i], GCP_MAKER, 100 + i, "+01:00", 60);
        g->mat_used[i] = o->units_per_material_lot; /* the first assembly starts a lot */
    }
    for (size_t i = 0; i < o->dcs + o->stores; i++) {
        size_t z = (i < o->dcs ? i : (i - o->dcs) % o->dcs) % COUNT(dc_zones);
        make_site(&g->dcs[i], GCP_RETAIL, i < o->dcs ? 10000 + i : 20000 + i - o->dcs,
                  dc_zones[z].text, dc_zones[z].minutes);
    }
    make_site(&g->supplier_site, GCP_SUPPLIER, 10, "+08:00", 480);
    make_party(&g->supplier, GCP_SUPPLIER);
    make_party(&g->maker, GCP_MAKER);
    make_party(&g->retail, GCP_RETAIL);
    for (size_t i = 0; i < NPRODUCTS; i++)
        snprintf(g->unit_prefix[i], sizeof g->unit_prefix[i], "urn:epc:id:sgtin:%s.%s.", GCP_MAKER,
                 products[i].iir);
    snprintf(g->cell_prefix, sizeof g->cell_prefix, "urn:epc:id:sgtin:%s.%s.", GCP_SUPPLIER,
             CELL_IIR);
    snprintf(g->pack_prefix, sizeof g->pack_prefix, "urn:epc:id:sgtin:%s.%s.", GCP_MAKER, PACK_IIR);
    snprintf(g->material_class, sizeof g->material_class, "urn:epc:class:lgtin:%s.%s.",
             GCP_SUPPLIER, MATERIAL_IIR);

    g->rng = o->seed ^ 0x5EED5EED5EED5EEDULL;
    g->key[0] = rnd(g);
    g->key[1] = rnd(g);
    static const char b36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    uint64_t tag = rnd(g);
    g->tag[0] = b36[tag % 36];
    g->tag[1] = b36[tag / 36 % 36];
    g->cached_day = INT64_MIN;
    return ST_OK;
}

st_rc st_chain_generate(const st_chain_opts *o, st_chain_emit emit, void *ctx,
                        st_chain_stats *stats, st_error *err)
{
    st_chain_stats local;
    gen g;
    memset(&g, 0, sizeof g);
    g.st = stats ? stats : &local;
    memset(g.st, 0, sizeof *g.st);
    st_error_clear(err);
    if (o)
        g.o = *o;
    st_rc rc = resolve(&g.o, err);
    if (rc == ST_OK)
        rc = setup(&g, err);
    if (rc)
        goto out;
    g.emit = emit;
    g.ctx = ctx;
    g.pallet_units = g.o.units_per_case * g.o.cases_per_pallet;

    for (size_t p = 0; !g.done && g.unit_next < g.o.units; p++) {
        size_t left = g.o.units - g.unit_next;
        make_pallet(&g, p, left < g.pallet_units ? left : g.pallet_units);
    }
    if (g.o.anomalies && !g.o.target_events && !g.done && g.st->units)
        plant_anomalies(&g);
    if (!g.rc && g.doc_events)
        doc_close(&g);
    rc = g.rc;
    if (rc == ST_ERR_LIMIT || rc == ST_ERR_NOMEM)
        st_fail(err, rc, -1, NULL,
                rc == ST_ERR_LIMIT ? "a generated document would pass %zu bytes (twice "
                                     "ST_CHAIN_DOC_BYTES)"
                                   : "out of memory for a generated document of %zu bytes",
                rc == ST_ERR_LIMIT ? XB_MAX : g.b.n);
    else if (rc == ST_ERR_EXHAUSTED)
        st_fail(err, rc, -1, NULL,
                "the chain ran out of SSCC serials (%llu cases or pallets) or of calendar "
                "(dates past the year 9900)",
                (unsigned long long)SSCC_SPACE);
    else if (rc)
        st_fail(err, rc, -1, NULL, "the document callback returned %d", (int)rc);

    /* the identifiers of the first component and material lots */
    make_gtin(g.st->lot_gtin, GCP_SUPPLIER, CELL_IIR);
    if (g.st->lot[0])
        snprintf(g.st->lot_class, sizeof g.st->lot_class, "urn:epc:class:lgtin:%s.%s.%s",
                 GCP_SUPPLIER, CELL_IIR, g.st->lot);
    else
        g.st->lot_gtin[0] = '\0';
    if (g.st->material_lots) {
        char mlot[21];
        fmt_material_lot(&g, mlot, 0);
        snprintf(g.st->material_class, sizeof g.st->material_class, "%s%s", g.material_class, mlot);
    }
out:
    free(g.b.p);
    free(g.plants);
    free(g.mat_lot);
    return rc;
}
