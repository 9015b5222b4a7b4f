/*
 * EPCIS event hash ID (CBV 2.0), see hashid.h. Three parts:
 *  1. the field order of the algorithm, as data (the hfield tables);
 *  2. canon(v): CBV URNs, bare words, CURIEs, numbers, timestamps and
 *     identifiers (EPC URI -> Digital Link, Digital Link -> constrained form);
 *  3. rendering: the ordered part, the sorted remainder block, SHA-256.
 * Where the standard's prose and the published reference vectors disagree,
 * the vectors win (gs1-facts 6.10); the choices are noted where they are made.
 * Every rendered piece lives in one scratch arena per call (its first block
 * on the stack, so a typical event needs no malloc), capped at
 * ST_HASHID_MAX_WORK and freed before returning.
 */
#include "epcis/hashid.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "common/civil.h"
#include "common/sbuf.h"
#include "epcis/cbv.h"
#include "gs1/ai.h"
#include "gs1/checkdigit.h"
#include "gs1/epc.h"

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"
#define RDFS_NS "http://www.w3.org/2000/01/rdf-schema#"
#define DL_STEM "https://id.gs1.org"
#define HASH_MAX_DEPTH (2 * ST_EPCIS_MAX_DEPTH) /* tree depth the renderer recurses to */
#define NUM_MAX 512                             /* "%.0f" of the largest double: 309 digits */
#define DL_MAX_SEGS 64                          /* path segments of a Digital Link we look at */

/* ---- 1. The canonical order (gs1-facts 6.2) -------------------------------- */

/* One field of the ordered part and, for a structure, its children's order. */
typedef struct hfield hfield;
struct hfield {
    const char *name;   /* EPCIS 2.0 field name; NULL ends a table */
    size_t len;         /* strlen(name), from the macros below */
    const hfield *kids; /* children in canonical order; NULL for a leaf */
    int vocab;          /* ST_CBV_* a bare word of this field belongs to, or -1 */
    int inline_ext;     /* namespaced children are rendered after the kids */
};

/* clang-format off */
#define LEAF(n) {n, sizeof(n) - 1, NULL, -1, 0}
#define VLEAF(n, v) {n, sizeof(n) - 1, NULL, v, 0}
#define NODE(n, k, ext) {n, sizeof(n) - 1, k, -1, ext}
#define END {NULL, 0, NULL, -1, 0}

static const hfield f_epc[] = {LEAF("epc"), END};
static const hfield f_qty_kids[] = {LEAF("epcClass"), LEAF("quantity"), LEAF("uom"), END};
static const hfield f_qty[] = {NODE("quantityElement", f_qty_kids, 0), END};
static const hfield f_pdisp[] = {VLEAF("set", ST_CBV_DISP), VLEAF("unset", ST_CBV_DISP), END};
static const hfield f_place[] = {LEAF("id"), END};
static const hfield f_meta[] = {
    LEAF("time"), LEAF("startTime"), LEAF("endTime"), LEAF("deviceID"),
    LEAF("deviceMetadata"), LEAF("rawData"), LEAF("dataProcessingMethod"), LEAF("bizRules"),
    END,
};
static const hfield f_report[] = {
    VLEAF("type", ST_CBV_MEASUREMENT), VLEAF("exception", ST_CBV_ALERT), LEAF("deviceID"),
    LEAF("deviceMetadata"), LEAF("rawData"), LEAF("dataProcessingMethod"), LEAF("time"),
    LEAF("microorganism"), LEAF("chemicalSubstance"), LEAF("value"),
    VLEAF("component", ST_CBV_COMP), LEAF("stringValue"), LEAF("booleanValue"),
    LEAF("hexBinaryValue"), LEAF("uriValue"), LEAF("minValue"), LEAF("maxValue"),
    LEAF("meanValue"), LEAF("sDev"), LEAF("percRank"), LEAF("percValue"), LEAF("uom"),
    LEAF("coordinateReferenceSystem"), END,
};
static const hfield f_sensor_kids[] = {NODE("sensorMetadata", f_meta, 1),
                                       NODE("sensorReport", f_report, 1), END};
static const hfield f_sensors[] = {NODE("sensorElement", f_sensor_kids, 1), END};

/* The event's fields 1-20; everything else goes to the remainder block. */
static const hfield f_event[] = {
    LEAF("eventTime"), LEAF("eventTimeZoneOffset"), LEAF("certificationInfo"),
    LEAF("parentID"), NODE("epcList", f_epc, 0), NODE("inputEPCList", f_epc, 0),
    NODE("childEPCs", f_epc, 0), NODE("quantityList", f_qty, 0),
    NODE("childQuantityList", f_qty, 0), NODE("inputQuantityList", f_qty, 0),
    NODE("outputEPCList", f_epc, 0), NODE("outputQuantityList", f_qty, 0), LEAF("action"),
    LEAF("transformationID"), VLEAF("bizStep", ST_CBV_BIZSTEP),
    VLEAF("disposition", ST_CBV_DISP), NODE("persistentDisposition", f_pdisp, 0),
    NODE("readPoint", f_place, 1), NODE("bizLocation", f_place, 1),
    NODE("sensorElementList", f_sensors, 0), END,
};
/* clang-format on */

/* Remainder-block lists whose entries render "type=..." before the value (6.4). */
static const struct {
    const char *list;  /* the list field */
    const char *entry; /* its entries */
    int vocab;         /* vocabulary of the entries' type */
} typed_lists[] = {
    {"bizTransactionList", "bizTransaction", ST_CBV_BTT},
    {"sourceList", "source", ST_CBV_SDT},
    {"destinationList", "destination", ST_CBV_SDT},
};

/* Event-level fields that never take part (6.1). */
static const char *const event_ignored[] = {"recordTime", "eventID", "errorDeclaration", "type"};

/* ---- scratch memory ---------------------------------------------------- */

#define HASH_SCRATCH 8192 /* arena bytes on the stack: a typical event needs 2-3 KB */
#define TMP_LOCAL 2048    /* bytes of each canon() buffer on the stack; longer values malloc */

typedef struct hctx {
    st_arena *a;         /* every rendered piece; capped at ST_HASHID_MAX_WORK */
    const st_evnode *ns; /* prefix bindings, or NULL */
    size_t iri_max;      /* longest IRI in ns */
    char *tmp[2];        /* ping-pong buffers of canon(): local[] or malloc'd */
    size_t tmpcap;       /* size of each */
    int tmp_heap;        /* tmp[] were malloc'd (a value needed more than TMP_LOCAL) */
    st_rc rc;            /* first failure; rendering stops once set */
    _Alignas(16) char mem[HASH_SCRATCH]; /* the arena and its first block */
    char local[2][TMP_LOCAL];            /* tmp[] until a value needs more */
} hctx;

static const st_slice EMPTY = {"", 0};

static void *halloc(hctx *c, size_t n)
{
    void *p = c->rc ? NULL : st_arena_alloc(c->a, n ? n : 1);
    if (!p && !c->rc)
        c->rc = st_arena_over_cap(c->a) ? ST_ERR_LIMIT : ST_ERR_NOMEM;
    return p;
}

/* A copy of s[0..n) in the arena. */
static st_slice hcopy(hctx *c, const char *s, size_t n)
{
    char *p = halloc(c, n + 1);
    if (!p)
        return EMPTY;
    memcpy(p, s, n);
    p[n] = '\0';
    return (st_slice){p, n};
}

/* Make both canon buffers hold at least need bytes. */
static int tmp_reserve(hctx *c, size_t need)
{
    if (need <= c->tmpcap)
        return 1;
    if (need > ST_HASHID_MAX_WORK) {
        c->rc = ST_ERR_LIMIT;
        return 0;
    }
    if (!c->tmp_heap) { /* leave local[]: contents need not survive */
        c->tmp[0] = c->tmp[1] = NULL;
        c->tmp_heap = 1;
    }
    for (int i = 0; i < 2; i++) {
        char *p = realloc(c->tmp[i], need);
        if (!p) {
            c->rc = ST_ERR_NOMEM;
            return 0;
        }
        c->tmp[i] = p;
    }
    c->tmpcap = need;
    return 1;
}

static int starts(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && !memcmp(s, prefix, k);
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static int is_alpha(char ch)
{
    return (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z';
}

static int is_hex(char ch)
{
    return is_digit(ch) || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f');
}

/* s without leading and trailing white space (6.1: values are trimmed). */
static st_slice trim(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    return (st_slice){n ? s : "", n};
}

/* The IRI bound to prefix p[0..n) in the bindings, or NULL. */
static const char *binding(const st_evnode *ns, const char *p, size_t n)
{
    for (const st_evnode *b = ns ? ns->first : NULL; b; b = b->next)
        if (b->value && strlen(b->name) == n && !memcmp(b->name, p, n))
            return b->value;
    return NULL;
}

/* ---- 2. canon(v) (gs1-facts 6.6-6.8) -------------------------------------- */

/* Step 1: every CBV 1.x URN prefix, anywhere in s, by its Web URI prefix.
 * The text between hits is copied in runs. */
static void canon_urns(const char *s, size_t n, st_sbuf *b)
{
    size_t i = 0, run = 0; /* run: start of the text not yet copied */
    const char *u;
    while (i < n && (u = memchr(s + i, 'u', n - i))) {
        i = (size_t)(u - s);
        const st_cbv_vocab *hit = NULL;
        if (starts(s + i, n - i, ST_CBV_URN)) {
            for (int v = 0; v < ST_CBV_COUNT && !hit; v++) {
                const st_cbv_vocab *voc = st_cbv_get(v);
                if (voc->urn && starts(s + i, n - i, voc->urn))
                    hit = voc;
            }
        }
        if (!hit) {
            i++;
            continue;
        }
        st_sbuf_putn(b, s + run, i - run);
        st_sbuf_puts(b, hit->ns);
        st_sbuf_puts(b, hit->local);
        i += strlen(hit->urn);
        run = i;
    }
    st_sbuf_putn(b, s + run, n - run);
}

/* Append s[0..n) up to its first NUL, as printf's "%.*s" does. */
static void put_upto(st_sbuf *b, const char *s, size_t n)
{
    st_sbuf_putn(b, s, strnlen(s, n));
}

/* Step 3: a CURIE whose prefix is gs1, cbv or bound in the bindings. */
static int canon_curie(const hctx *c, const char *s, size_t n, st_sbuf *b)
{
    size_t k = 0;
    while (k < n && s[k] != ':')
        k++;
    if (k == 0 || k >= n - 1 || starts(s + k + 1, n - k - 1, "//"))
        return 0;
    for (size_t i = 0; i < k; i++) /* an NCName-like prefix */
        if (!is_alpha(s[i]) &&
            !(i > 0 && (is_digit(s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.')))
            return 0;
    const char *iri = k == 3 && !memcmp(s, "gs1", 3)   ? ST_GS1_VOC_NS
                      : k == 3 && !memcmp(s, "cbv", 3) ? ST_CBV_NS
                                                       : binding(c->ns, s, k);
    if (!iri)
        return 0;
    st_sbuf_puts(b, iri);
    st_sbuf_putn(b, s + k + 1, n - k - 1);
    return 1;
}

/* Step 4: a decimal literal (sign, digits, fraction, exponent; as Python's
 * float() without inf, nan and '_') printed as its double: integral values in
 * full, others in the shortest form that reads back to the same double. */
static int canon_number(const char *s, size_t n, st_sbuf *b)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; i < n && is_digit(s[i]); i++)
        digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && is_digit(s[i]); i++)
            digits++;
    if (!digits)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t e = 0;
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (; i < n && is_digit(s[i]); i++)
            e++;
        if (!e)
            return 0;
    }
    if (i != n)
        return 0;
    double x = strtod(s, NULL); /* s is NUL-terminated at n (canon's buffers) */
    if (!isfinite(x))
        return 0; /* "1e400": left as written */
    char out[NUM_MAX];
    if (x == floor(x)) {
        snprintf(out, sizeof out, "%.0f", x == 0 ? 0.0 : x); /* no "-0" */
    } else {
        for (int p = 1; p <= 17; p++) {
            snprintf(out, sizeof out, "%.*g", p, x);
            if (strtod(out, NULL) == x)
                break;
        }
    }
    st_sbuf_puts(b, out);
    return 1;
}

/* X' of 6.7: existing %XX escapes kept as written, !()*+,: escaped. */
static void put_epc_text(st_sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
            st_sbuf_putn(b, s + i, 3);
            i += 2;
        } else if (strchr("!()*+,:", s[i])) { /* also matches the NUL */
            static const char hex[] = "0123456789ABCDEF";
            st_sbuf_putc(b, '%');
            st_sbuf_putc(b, hex[(unsigned char)s[i] >> 4]);
            st_sbuf_putc(b, hex[(unsigned char)s[i] & 15]);
        } else {
            st_sbuf_putc(b, s[i]);
        }
    }
}

/* Per EPC scheme: the URI component (counting from the company prefix, 0)
 * that holds free text, which decoded field of st_epc it is, and the AI whose
 * value ends with it. Only these components can carry escapes. */
static const struct {
    int scheme;     /* ST_EPC_* */
    int comp;       /* component index */
    int is_ref;     /* 1: st_epc.ref, 0: st_epc.ser */
    const char *ai; /* the AI that carries it */
} epc_text[] = {
    {ST_EPC_SGTIN, 2, 0, "21"},  {ST_EPC_SGLN, 2, 0, "254"}, {ST_EPC_GRAI, 2, 0, "8003"},
    {ST_EPC_GIAI, 1, 1, "8004"}, {ST_EPC_GDTI, 2, 0, "253"}, {ST_EPC_SGCN, 2, 0, "255"},
    {ST_EPC_CPI, 1, 1, "8010"},  {ST_EPC_ITIP, 4, 0, "21"},  {ST_EPC_UPUI, 2, 0, "235"},
    {ST_EPC_GINC, 1, 1, "401"},  {ST_EPC_LGTIN, 2, 0, "10"},
};

/* The pure identities most events carry, written plainly: what canon_epc
 * makes of them, without decoding them into st_epc and AI data first. Per
 * scheme: the digits of company prefix + reference, whether the first
 * reference digit moves in front of the key (indicator, extension digit),
 * the key's AI, and the AI of the third component (NULL: there is none). */
static const struct {
    const char *scheme; /* after "urn:epc:id:", with its ':' */
    int digits;         /* company prefix + reference */
    int ind;            /* the reference's first digit leads the key */
    const char *key_ai; /* the key: those digits and a check digit */
    const char *ser_ai; /* the third component's AI, or NULL */
    int zero_is_none;   /* a third component "0" stands for no element */
} epc_plain[] = {
    {"sgtin:", 13, 1, "01", "21", 0},
    {"sscc:", 17, 1, "00", NULL, 0},
    {"sgln:", 12, 0, "414", "254", 1},
};

/* Step 5a for urn:epc:id:sgtin, sscc and sgln URIs whose company prefix
 * (6-12 digits) and reference are digits of the scheme's total and whose
 * serial or extension is 1-20 letters and digits: every such URI is valid,
 * and st_epc_parse_uri + st_epc_to_ai + canon_epc would write exactly
 * https://id.gs1.org/<key AI>/<key with check digit>/<AI>/<serial as
 * written> (an SGLN extension "0" stands for no (254)). 0, writing nothing,
 * for any other input: escapes, other characters, other lengths or schemes
 * go the long way. */
static int canon_epc_plain(const char *s, size_t n, st_sbuf *b)
{
    size_t r = 0, p = 11, k = 0;
    if (!starts(s, n, "urn:epc:id:"))
        return 0;
    while (r < sizeof epc_plain / sizeof epc_plain[0] && !starts(s + p, n - p, epc_plain[r].scheme))
        r++;
    if (r == sizeof epc_plain / sizeof epc_plain[0])
        return 0;
    p += strlen(epc_plain[r].scheme);
    size_t cp = p, cp_n = 0, ref, ref_n = 0;
    while (p < n && is_digit(s[p]))
        p++, cp_n++;
    if (cp_n < 6 || cp_n > 12 || p >= n || s[p] != '.')
        return 0;
    ref = ++p;
    while (p < n && is_digit(s[p]))
        p++, ref_n++;
    if (cp_n + ref_n != (size_t)epc_plain[r].digits || (epc_plain[r].ind && !ref_n))
        return 0;
    if (epc_plain[r].ser_ai ? p >= n || s[p] != '.' : p != n)
        return 0;
    size_t ser = p + 1, ser_n = n > ser ? n - ser : 0;
    for (size_t i = ser; epc_plain[r].ser_ai && i < n; i++)
        if (!is_digit(s[i]) && !is_alpha(s[i]))
            return 0;
    if (epc_plain[r].ser_ai && (ser_n < 1 || ser_n > 20))
        return 0;
    char key[20]; /* at most 17 digits and the check digit */
    if (epc_plain[r].ind)
        key[k++] = s[ref];
    memcpy(key + k, s + cp, cp_n);
    k += cp_n;
    size_t moved = epc_plain[r].ind ? 1 : 0;
    memcpy(key + k, s + ref + moved, ref_n - moved);
    k += ref_n - moved;
    key[k] = st_cd_mod10(key, k);
    k++;
    st_sbuf_puts(b, DL_STEM "/");
    st_sbuf_puts(b, epc_plain[r].key_ai);
    st_sbuf_putc(b, '/');
    st_sbuf_putn(b, key, k);
    if (epc_plain[r].ser_ai && !(epc_plain[r].zero_is_none && ser_n == 1 && s[ser] == '0')) {
        st_sbuf_putc(b, '/');
        st_sbuf_puts(b, epc_plain[r].ser_ai);
        st_sbuf_putc(b, '/');
        st_sbuf_putn(b, s + ser, ser_n);
    }
    return 1;
}

/* Step 5a: an EPC pure identity, lgtin class or pattern URI as a Digital Link
 * on https://id.gs1.org (6.7), check digits recomputed. Patterns convert when
 * only the serial is '*' and the scheme's key stands without it. */
static int canon_epc(const char *s, size_t n, st_sbuf *b)
{
    st_epc e;
    if (!starts(s, n, "urn:epc:id:") && !starts(s, n, "urn:epc:class:") &&
        !starts(s, n, "urn:epc:idpat:"))
        return 0;
    if (st_epc_parse_uri(s, n, &e, NULL) != ST_OK || e.kind == ST_EPC_KIND_TAG)
        return 0;
    int pattern = e.kind == ST_EPC_KIND_IDPAT;
    if (pattern) {
        int embedded = e.scheme == ST_EPC_GRAI || e.scheme == ST_EPC_GDTI ||
                       e.scheme == ST_EPC_SGCN; /* serial is part of the key's value */
        int separate = e.scheme == ST_EPC_SGTIN || e.scheme == ST_EPC_UPUI ||
                       e.scheme == ST_EPC_ITIP || e.scheme == ST_EPC_CPI;
        if (e.wild != ST_EPC_WILD_SER || !(embedded || separate))
            return 0;
        e.wild = 0;
        e.kind = ST_EPC_KIND_ID;
        strcpy(e.ser, embedded ? "" : "0"); /* a stand-in serial; its AI is dropped */
        e.ser_len = embedded ? 0 : 1;
    }
    st_aidata d;
    st_ai_init(&d);
    if (st_epc_to_ai(&e, &d, NULL) != ST_OK || d.n == 0)
        return 0;
    /* the raw components: after "urn:epc:<kind>:<scheme>:" */
    const char *body = s;
    for (int colons = 0; colons < 4; body++)
        if (*body == ':')
            colons++;
    const char *comp[8];
    size_t clen[8], nc = 0;
    for (const char *p = body; nc < 8;) {
        size_t k = 0;
        while (p + k < s + n && p[k] != '.')
            k++;
        comp[nc] = p;
        clen[nc++] = k;
        if (p + k >= s + n)
            break;
        p += k + 1;
    }
    st_sbuf_puts(b, DL_STEM);
    for (size_t i = 0; i < (pattern ? 1 : d.n); i++) {
        const char *ai = d.e[i].def->ai, *v = st_ai_value(&d, i);
        size_t vn = d.e[i].len, keep = vn;
        const char *raw = NULL;
        size_t rawn = 0;
        for (size_t t = 0; t < sizeof epc_text / sizeof epc_text[0]; t++) {
            if (epc_text[t].scheme != e.scheme || strcmp(epc_text[t].ai, ai) ||
                (size_t)epc_text[t].comp >= nc)
                continue;
            const char *dec = epc_text[t].is_ref ? e.ref : e.ser;
            size_t dn = strlen(dec);
            if (dn && dn <= vn && !memcmp(v + vn - dn, dec, dn)) {
                keep = vn - dn;
                raw = comp[epc_text[t].comp];
                rawn = clen[epc_text[t].comp];
                /* a text component is the URI's last and may hold '.' (TDS);
                 * only a CPI part reference sits in the middle, without '.' */
                if (!(e.scheme == ST_EPC_CPI && epc_text[t].is_ref))
                    rawn = (size_t)(s + n - raw);
            }
        }
        st_sbuf_putc(b, '/');
        st_sbuf_puts(b, ai);
        st_sbuf_putc(b, '/');
        put_upto(b, v, keep);
        if (raw)
            put_epc_text(b, raw, rawn);
    }
    return 1;
}

/* Digital Link path words that stand for AIs (6.8 step 2). */
static const struct {
    const char *alpha, *ai;
} dl_alpha[] = {
    {"gtin", "01"},   {"itip", "8006"}, {"sscc", "00"},   {"gln", "414"},    {"party", "417"},
    {"grai", "8003"}, {"giai", "8004"}, {"gsrn", "8018"}, {"gsrnp", "8017"}, {"gdti", "253"},
    {"ginc", "401"},  {"gsin", "402"},  {"cpid", "8010"}, {"gcn", "255"},    {"cpv", "22"},
    {"lot", "10"},    {"ser", "21"},    {"glnx", "254"},  {"tpx", "235"},    {"cpsn", "8011"},
    {"srin", "8019"},
};
static const char *const dl_keys[] = {"00",  "01",   "253",  "255",  "401",  "402",  "414",
                                      "417", "8003", "8004", "8006", "8010", "8017", "8018"};
/* The AI sequences a constrained Digital Link may have (6.8 step 8). */
static const char *const dl_shapes[] = {
    "00",   "01",      "01/21",   "01/10",   "01/235",    "253",  "255",
    "401",  "402",     "414",     "414/254", "417",       "8003", "8004",
    "8006", "8006/21", "8006/10", "8010",    "8010/8011", "8017", "8018",
};

/* The AI a path segment s[0..n) stands for (digits as written, or an alpha). */
static const char *dl_ai(const char *s, size_t n, char buf[8])
{
    int digits = n >= 2 && n <= 4;
    for (size_t i = 0; i < n && digits; i++)
        digits = is_digit(s[i]);
    if (digits) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        return buf;
    }
    for (size_t i = 0; n && i < sizeof dl_alpha / sizeof dl_alpha[0]; i++)
        if (dl_alpha[i].alpha[0] == s[0] && strlen(dl_alpha[i].alpha) == n &&
            !memcmp(dl_alpha[i].alpha, s, n))
            return dl_alpha[i].ai;
    return NULL;
}

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

/* Step 5b: a Digital Link on any domain reduced to its constrained canonical
 * form (6.8); 0 (value unchanged) when it does not fit one of dl_shapes. */
static int canon_dl(const char *s, size_t n, st_sbuf *b)
{
    size_t p = starts(s, n, "https://") ? 8 : starts(s, n, "http://") ? 7 : 0;
    if (!p)
        return 0;
    const char *qm = memchr(s + p, '?', n - p), *frag = memchr(s + p, '#', n - p);
    size_t end = qm ? (size_t)(qm - s) : n;
    if (frag && (size_t)(frag - s) < end)
        end = (size_t)(frag - s);
    /* the key's value is a path segment that starts with four digits: without
     * one this is no Digital Link, whatever the rest */
    const char *sl = memchr(s + p, '/', end - p);
    while (sl && !((size_t)(sl - s) + 4 < end && is_digit(sl[1]) && is_digit(sl[2]) &&
                   is_digit(sl[3]) && is_digit(sl[4])))
        sl = memchr(sl + 1, '/', end - (size_t)(sl + 1 - s));
    if (!sl)
        return 0;
    while (p < end && s[p] != '/')
        p++;
    size_t off[DL_MAX_SEGS], len[DL_MAX_SEGS], m = 0;
    while (p < end) {
        size_t q = p + 1;
        while (q < end && s[q] != '/')
            q++;
        if (m == DL_MAX_SEGS || q == p + 1)
            return 0; /* too long, or an empty segment */
        off[m] = p + 1;
        len[m++] = q - p - 1;
        p = q;
    }
    size_t k = 0;
    char kb[8], qb[8];
    const char *key = NULL;
    for (; k + 1 < m && !key; k++) {
        const char *ai = dl_ai(s + off[k], len[k], kb);
        const char *v = s + off[k + 1];
        if (ai && in_list(ai, dl_keys, sizeof dl_keys / sizeof dl_keys[0]) && len[k + 1] >= 4 &&
            is_digit(v[0]) && is_digit(v[1]) && is_digit(v[2]) && is_digit(v[3]))
            key = ai;
    }
    if (!key || (m - k - 1) % 2)
        return 0; /* k is now the index of the key's value */
    const char *qai[DL_MAX_SEGS / 2];
    char qstore[DL_MAX_SEGS / 2][8];
    size_t qv[DL_MAX_SEGS / 2], nq = 0;
    int has21 = 0;
    for (size_t i = k + 1; i < m; i += 2) {
        const char *ai = dl_ai(s + off[i], len[i], qb);
        if (!ai)
            return 0;
        if (!strcmp(ai, "22"))
            continue; /* step 5 */
        snprintf(qstore[nq], sizeof qstore[nq], "%s", ai);
        qai[nq] = qstore[nq];
        qv[nq++] = i + 1;
        has21 |= !strcmp(ai, "21");
    }
    char shape[64];
    st_sbuf sh;
    st_sbuf_init(&sh, shape, sizeof shape);
    st_sbuf_puts(&sh, key);
    for (size_t i = 0; i < nq; i++) {
        int drop10 = !strcmp(qai[i], "10") && has21 && (!strcmp(key, "01") || !strcmp(key, "8006"));
        if (drop10) { /* step 6 */
            qai[i] = NULL;
            continue;
        }
        for (size_t j = 0; j < len[qv[i]]; j++) { /* the reference's character class */
            char ch = s[off[qv[i]] + j];
            if (!is_alpha(ch) && !is_digit(ch) && !strchr("\"'-.;<=>?_", ch))
                return 0;
        }
        st_sbuf_putc(&sh, '/');
        st_sbuf_puts(&sh, qai[i]);
    }
    if (st_sbuf_rc(&sh) || !in_list(shape, dl_shapes, sizeof dl_shapes / sizeof dl_shapes[0]))
        return 0;
    const char *kv = s + off[k];
    size_t kn = len[k], pad = 0, all = 1;
    for (size_t j = 0; j < kn; j++)
        all &= is_digit(kv[j]);
    if (!strcmp(key, "01") && all && (kn == 8 || kn == 12 || kn == 13))
        pad = 14 - kn; /* step 4 */
    st_sbuf_puts(b, DL_STEM "/");
    st_sbuf_puts(b, key);
    st_sbuf_putc(b, '/');
    st_sbuf_putn(b, "00000000", pad);
    put_upto(b, kv, kn);
    for (size_t i = 0; i < nq; i++) {
        if (qai[i]) {
            st_sbuf_putc(b, '/');
            st_sbuf_puts(b, qai[i]);
            st_sbuf_putc(b, '/');
            put_upto(b, s + off[qv[i]], len[qv[i]]);
        }
    }
    return 1;
}

/* Step 2: a bare word (JSON-LD) in a field with a vocabulary. */
static int step_bare(const hctx *c, int vocab, const char *s, size_t n, st_sbuf *b)
{
    const st_cbv_vocab *voc = st_cbv_get(vocab);
    (void)c;
    if (!voc || !n || memchr(s, ':', n))
        return 0;
    st_sbuf_puts(b, voc->ns);
    st_sbuf_puts(b, voc->local);
    st_sbuf_putn(b, s, n);
    return 1;
}

static int step_curie(const hctx *c, int vocab, const char *s, size_t n, st_sbuf *b)
{
    (void)vocab;
    return canon_curie(c, s, n, b);
}

static int step_number(const hctx *c, int vocab, const char *s, size_t n, st_sbuf *b)
{
    (void)c, (void)vocab;
    return canon_number(s, n, b);
}

static int step_identifier(const hctx *c, int vocab, const char *s, size_t n, st_sbuf *b)
{
    (void)c, (void)vocab;
    return canon_epc_plain(s, n, b) || canon_epc(s, n, b) || canon_dl(s, n, b);
}

/* Steps 2-5 of canon(), in order; each returns 1 when it rewrote s into b. */
typedef int (*canon_step)(const hctx *c, int vocab, const char *s, size_t n, st_sbuf *b);
static const canon_step canon_steps[] = {step_bare, step_curie, step_number, step_identifier};

/* canon(v) of v[0..n) for a field of vocabulary vocab (or -1): the result in
 * the arena. Each step reads one buffer and writes the other. */
static st_slice canon(hctx *c, const char *v, size_t n, int vocab)
{
    if (c->rc || !tmp_reserve(c, 3 * n + c->iri_max + 1024))
        return EMPTY;
    char *cur = c->tmp[0], *nxt = c->tmp[1];
    st_sbuf b;
    st_sbuf_init(&b, cur, c->tmpcap);
    canon_urns(v, n, &b);
    if (st_sbuf_rc(&b)) {
        c->rc = ST_ERR_INTERNAL;
        return EMPTY;
    }
    size_t cn = b.n;
    for (size_t k = 0; k < sizeof canon_steps / sizeof canon_steps[0]; k++) {
        st_sbuf_init(&b, nxt, c->tmpcap);
        if (!canon_steps[k](c, vocab, cur, cn, &b))
            continue;
        if (st_sbuf_rc(&b)) {
            c->rc = ST_ERR_INTERNAL; /* tmp_reserve sized the buffers for every step */
            return EMPTY;
        }
        char *t = cur;
        cur = nxt;
        nxt = t;
        cn = b.n;
    }
    return hcopy(c, cur, cn);
}

/* k digits of s at *i as a number, advancing *i; -1 when they are not there. */
static int num(const char *s, size_t n, size_t *i, int k)
{
    int v = 0;
    for (int j = 0; j < k; j++, (*i)++) {
        if (*i >= n || !is_digit(s[*i]))
            return -1;
        v = v * 10 + (s[*i] - '0');
    }
    return v;
}

/* v (0 <= v < 10^k) as k decimal digits at p, zero-padded. */
static void put_digits(char *p, int k, int64_t v)
{
    for (int i = k - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
}

/* The timestamp rule (6.6) for s[0..n) into b; 0 when s is no date-time. */
static int canon_time(const char *s, size_t n, st_sbuf *b)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t i = 0;
    int y = num(s, n, &i, 4), mo, d, hh, mi, ss = 0;
    if (y < 0 || i >= n || s[i++] != '-' || (mo = num(s, n, &i, 2)) < 1 || mo > 12 || i >= n ||
        s[i++] != '-' || (d = num(s, n, &i, 2)) < 1 || i >= n ||
        (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] + (mo == 2 && leap))
        return 0;
    i++;
    if ((hh = num(s, n, &i, 2)) < 0 || hh > 23 || i >= n || s[i++] != ':' ||
        (mi = num(s, n, &i, 2)) < 0 || mi > 59)
        return 0;
    if (i < n && s[i] == ':') {
        i++;
        if ((ss = num(s, n, &i, 2)) < 0 || ss > 59)
            return 0;
    }
    long us = 0;
    if (i < n && (s[i] == '.' || s[i] == ',')) {
        int k = 0;
        for (i++; i < n && is_digit(s[i]); i++, k++)
            if (k < 6)
                us = us * 10 + (s[i] - '0'); /* digits past the 6th are cut */
        if (!k)
            return 0;
        for (; k < 6; k++)
            us *= 10;
    }
    int off = 0; /* seconds east of UTC; no offset is read as UTC */
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i++] == '-' ? -1 : 1, oh = num(s, n, &i, 2), om = 0;
        if (oh < 0 || oh > 23)
            return 0;
        if (i < n && s[i] == ':')
            i++;
        if (i < n && ((om = num(s, n, &i, 2)) < 0 || om > 59))
            return 0;
        off = sign * (oh * 3600 + om * 60);
    }
    if (i != n)
        return 0;
    int64_t t = st_days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss - off;
    long ms = us / 1000 + (us % 1000 >= 500); /* the standard: up when the 4th digit is 5-9 */
    if (ms == 1000) {
        ms = 0;
        t++;
    }
    int64_t days = (t >= 0 ? t : t - 86399) / 86400, sec = t - days * 86400, yy;
    int m2, d2;
    st_civil_from_days(days, &yy, &m2, &d2);
    if (yy < 1 || yy > 9999)
        return 0;
    /* YYYY-MM-DDTHH:MM:SS.mmmZ; every field is in range, so digits suffice */
    char w[24] = "0000-00-00T00:00:00.000Z";
    put_digits(w, 4, yy);
    put_digits(w + 5, 2, m2);
    put_digits(w + 8, 2, d2);
    put_digits(w + 11, 2, sec / 3600);
    put_digits(w + 14, 2, sec / 60 % 60);
    put_digits(w + 17, 2, sec % 60);
    put_digits(w + 20, 3, ms);
    st_sbuf_putn(b, w, sizeof w);
    return 1;
}

/* ---- 3. Rendering (6.3-6.5) ---------------------------------------------- */

/* Pieces to be sorted and joined. */
typedef struct hlist {
    st_slice *v; /* the pieces, in the arena */
    size_t n;    /* pieces held */
} hlist;

static int cmp_slice(const void *x, const void *y)
{
    const st_slice *a = x, *b = y;
    int r = memcmp(a->p, b->p, a->n < b->n ? a->n : b->n);
    return r ? r : (a->n > b->n) - (a->n < b->n);
}

/* A list with room for n pieces. */
static hlist hl_new(hctx *c, size_t n)
{
    hlist l = {halloc(c, (n ? n : 1) * sizeof(st_slice)), 0};
    return l;
}

static void hl_push(hlist *l, st_slice s)
{
    if (l->v && s.n)
        l->v[l->n++] = s;
}

/* head1 head2 "=" val, then the pieces of l sorted (when sort) and joined. */
static st_slice join(hctx *c, st_slice head, st_slice val, hlist *l, int sort)
{
    size_t total = head.n + (val.n ? val.n + 1 : 0);
    if (sort && l && l->n > 1)
        qsort(l->v, l->n, sizeof l->v[0], cmp_slice);
    for (size_t i = 0; l && i < l->n; i++)
        total += l->v[i].n;
    char *p = halloc(c, total + 1);
    if (!p)
        return EMPTY;
    size_t k = 0;
    memcpy(p, head.p, head.n);
    k += head.n;
    if (val.n) {
        p[k++] = '=';
        memcpy(p + k, val.p, val.n);
        k += val.n;
    }
    for (size_t i = 0; l && i < l->n; i++) {
        memcpy(p + k, l->v[i].p, l->v[i].n);
        k += l->v[i].n;
    }
    p[k] = '\0';
    return (st_slice){p, k};
}

/* Nodes that never take part: xsi attributes, JSON-LD @context, comments. */
static int ignored(const st_evnode *n)
{
    const char *nm = n->name;
    if (n->ns)
        return !strcmp(n->ns, XSI_NS) || (!strcmp(n->ns, RDFS_NS) && !strcmp(nm, "comment"));
    switch (nm[0]) {
    case 'x':
        return !strncmp(nm, "xsi:", 4);
    case '@':
        return !strcmp(nm, "@context");
    case 'c':
        return !strcmp(nm, "comment");
    case 'r':
        return !strcmp(nm, "rdfs:comment");
    default:
        return 0;
    }
}

static int event_ignored_field(const st_evnode *n)
{
    for (size_t i = 0; !n->ns && i < sizeof event_ignored / sizeof event_ignored[0]; i++)
        if (st_evname_eq(n->name, event_ignored[i]))
            return 1;
    return ignored(n);
}

/* The entry of table f (may be NULL) named name[0..len), or NULL. */
static const hfield *lookup(const hfield *f, const char *name, size_t len)
{
    for (; f && f->name; f++)
        if (f->len == len && f->name[0] == name[0] && !memcmp(f->name, name, len))
            return f;
    return NULL;
}

#define TABLE_MAX 32 /* entries of the longest field table (render_groups counts per entry) */
_Static_assert(sizeof f_event / sizeof f_event[0] <= TABLE_MAX &&
                   sizeof f_report / sizeof f_report[0] <= TABLE_MAX,
               "a field table is longer than TABLE_MAX");

/* How a child takes part, decided once per child by classify(): the index of
 * the standard field of the table it is (>= 0), or one of these. */
#define CLS_IGNORED (-3) /* never takes part */
#define CLS_EXT (-2)     /* namespaced, or a prefix the reader could not resolve */
#define CLS_OTHER (-1)   /* a name that is not a field of the table */

/* The class of every child of n against table f (NULL: no fields), in an
 * array in the arena, in child order; nk is the number of children. With
 * event_level, the event-level ignored fields are ignored too. */
static signed char *classify(hctx *c, const st_evnode *n, size_t nk, const hfield *f,
                             int event_level)
{
    signed char *cls = halloc(c, nk);
    size_t i = 0;
    for (const st_evnode *k = n->first; cls && k; k = k->next, i++) {
        if (event_level ? event_ignored_field(k) : ignored(k)) {
            cls[i] = CLS_IGNORED;
            continue;
        }
        const char *end = k->name; /* a ':' in the name, and its length on the way */
        while (!k->ns && *end && *end != ':')
            end++;
        if (k->ns || *end) {
            cls[i] = CLS_EXT;
            continue;
        }
        const hfield *kf = lookup(f, k->name, (size_t)(end - k->name));
        cls[i] = kf ? (signed char)(kf - f) : CLS_OTHER;
    }
    return cls;
}

/* n's name as rendered: "{IRI}local" for extensions. */
static st_slice node_name(hctx *c, const st_evnode *n)
{
    const char *iri = n->ns, *local = n->name, *end = n->name, *colon;
    while (*end && *end != ':')
        end++;
    colon = *end ? end : NULL; /* else end is the end of a plain name */
    if (!iri && colon && (iri = binding(c->ns, n->name, (size_t)(colon - n->name))))
        local = colon + 1;
    if (!iri)
        return (st_slice){n->name, colon ? strlen(n->name) : (size_t)(end - n->name)};
    size_t k = strlen(iri) + strlen(local) + 2;
    char *p = halloc(c, k + 1);
    if (!p)
        return EMPTY;
    snprintf(p, k + 1, "{%s}%s", iri, local);
    return (st_slice){p, k};
}

static int too_deep(hctx *c, int depth)
{
    if (depth > HASH_MAX_DEPTH && !c->rc)
        c->rc = ST_ERR_LIMIT;
    return c->rc != ST_OK;
}

/* The vocabulary of a remainder entry's type when n is such an entry. */
static int entry_vocab(const st_evnode *n)
{
    for (size_t i = 0;
         !n->ns && n->parent && !n->parent->ns && i < sizeof typed_lists / sizeof typed_lists[0];
         i++)
        if (st_evname_eq(n->name, typed_lists[i].entry) &&
            st_evname_eq(n->parent->name, typed_lists[i].list))
            return typed_lists[i].vocab;
    return -1;
}

/* Generic rendering R(n) of 6.5: name, "=" canon(value), sorted children;
 * bizTransaction/source/destination entries put "type=..." first (6.4). */
static st_slice render_generic(hctx *c, const st_evnode *n, int depth)
{
    if (too_deep(c, depth))
        return EMPTY;
    int vocab = entry_vocab(n);
    const st_evnode *type = NULL;
    hlist kids = hl_new(c, st_evnode_count(n, NULL));
    for (const st_evnode *k = n->first; k; k = k->next) {
        if (ignored(k))
            continue;
        if (vocab >= 0 && !type && !k->ns && !strcmp(k->name, "type")) {
            type = k;
            continue;
        }
        hl_push(&kids, render_generic(c, k, depth + 1));
    }
    st_slice v = trim(n->value), name = node_name(c, n);
    st_slice cv = v.n ? canon(c, v.p, v.n, -1) : EMPTY;
    if (vocab < 0)
        return join(c, name, cv, &kids, 1);
    st_slice t = type ? trim(type->value) : EMPTY;
    hlist head = hl_new(c, 2); /* "type=<canonical type>" then the entry's name */
    if (t.n)
        hl_push(&head, join(c, (st_slice){"type", 4}, canon(c, t.p, t.n, vocab), NULL, 0));
    hl_push(&head, name);
    return join(c, join(c, EMPTY, EMPTY, &head, 0), cv, &kids, 1);
}

/* 1 when the lower-case word occurs in name at i, case aside, within the
 * first TIME_SCAN bytes of name. */
#define TIME_SCAN 63
static int word_at(const char *name, size_t i, const char *word)
{
    for (; *word; word++, i++)
        if (i >= TIME_SCAN ||
            (char)(name[i] | ((name[i] >= 'A' && name[i] <= 'Z') ? 0x20 : 0)) != *word)
            return 0;
    return 1;
}

/* 1 for fields under the timestamp rule: "time" in the name, no "offset". */
static int is_time_field(const char *name)
{
    int time = 0;
    for (size_t i = 0; name[i] && i < TIME_SCAN; i++) {
        char ch = (char)(name[i] | 0x20);
        if (ch == 'o' && word_at(name, i, "offset"))
            return 0;
        time |= ch == 't' && word_at(name, i, "time");
    }
    return time;
}

static st_slice render_field(hctx *c, const st_evnode *n, const hfield *f, int depth);

/* The ordered part of n's children (nk of them, classed in cls against table
 * f): for each field of f in order, its nodes rendered at depth and sorted,
 * appended to all as one piece. */
static void render_groups(hctx *c, const st_evnode *n, size_t nk, const signed char *cls,
                          const hfield *f, int depth, hlist *all)
{
    size_t count[TABLE_MAX] = {0};
    for (size_t i = 0; i < nk; i++)
        if (cls[i] >= 0)
            count[cls[i]]++;
    for (const hfield *kf = f; kf && kf->name; kf++) {
        signed char j = (signed char)(kf - f);
        if (!count[j])
            continue;
        hlist group = hl_new(c, count[j]);
        size_t i = 0;
        for (const st_evnode *k = n->first; k; k = k->next, i++)
            if (cls[i] == j)
                hl_push(&group, render_field(c, k, kf, depth));
        hl_push(all, join(c, EMPTY, EMPTY, &group, 1));
    }
}

/* The ordered rendering of field n (described by f): name, value, then its
 * children in f's order, each group sorted, then inline extensions sorted.
 * Empty when n has neither a value nor rendered children. */
static st_slice render_field(hctx *c, const st_evnode *n, const hfield *f, int depth)
{
    if (too_deep(c, depth))
        return EMPTY;
    st_slice v = trim(n->value), cv = EMPTY;
    if (v.n && is_time_field(f->name)) {
        char buf[40];
        st_sbuf b;
        st_sbuf_init(&b, buf, sizeof buf);
        cv = canon_time(v.p, v.n, &b) && !st_sbuf_rc(&b) ? hcopy(c, buf, b.n) : v;
    } else if (v.n) {
        cv = canon(c, v.p, v.n, f->vocab);
    }
    size_t nk = st_evnode_count(n, NULL);
    const signed char *cls = /* NULL: no child can take part (a leaf) */
        nk && (f->kids || f->inline_ext) ? classify(c, n, nk, f->kids, 0) : NULL;
    hlist all = {NULL, 0};
    if (cls)
        all = hl_new(c, nk + 1);
    if (cls)
        render_groups(c, n, nk, cls, f->kids, depth + 1, &all);
    if (f->inline_ext && cls) {
        hlist ext = hl_new(c, nk);
        size_t i = 0;
        for (const st_evnode *k = n->first; cls && k; k = k->next, i++)
            if (cls[i] == CLS_EXT)
                hl_push(&ext, render_generic(c, k, depth + 1));
        hl_push(&all, join(c, EMPTY, EMPTY, &ext, 1));
    }
    if (!cv.n && !all.n)
        return EMPTY;
    return join(c, node_name(c, n), cv, &all, 0);
}

/* What of field n the ordered part did not take, for the remainder block:
 * n's name and value with the children that are not standard fields of f (nor
 * inline extensions), rendered with R, and the leftovers of the standard
 * ones. Empty when everything was taken. */
static st_slice render_leftover(hctx *c, const st_evnode *n, const hfield *f, int depth)
{
    if (too_deep(c, depth))
        return EMPTY;
    size_t nk = st_evnode_count(n, NULL), i = 0;
    if (!nk)
        return EMPTY;
    hlist l = hl_new(c, nk);
    const signed char *cls = classify(c, n, nk, f->kids, 0);
    for (const st_evnode *k = n->first; cls && k; k = k->next, i++) {
        if (cls[i] == CLS_IGNORED || (cls[i] == CLS_EXT && f->kids && f->inline_ext))
            continue;
        hl_push(&l, cls[i] >= 0 ? render_leftover(c, k, &f->kids[cls[i]], depth + 1)
                                : render_generic(c, k, depth + 1));
    }
    if (!l.n)
        return EMPTY;
    st_slice v = trim(n->value);
    return join(c, node_name(c, n), v.n ? canon(c, v.p, v.n, -1) : EMPTY, &l, 1);
}

/* The whole pre-hash string of the event rooted at root. */
static st_slice render_event(hctx *c, const st_evnode *root)
{
    size_t nk = st_evnode_count(root, NULL), i;
    hlist all = hl_new(c, nk + 2 + sizeof f_event / sizeof f_event[0]);
    st_slice head =
        join(c, (st_slice){"eventType", 9}, (st_slice){root->name, strlen(root->name)}, NULL, 0);
    hl_push(&all, head);
    const signed char *cls = nk ? classify(c, root, nk, f_event, 1) : NULL;
    if (cls)
        render_groups(c, root, nk, cls, f_event, 1, &all);
    hlist rest = hl_new(c, nk);
    i = 0;
    for (const st_evnode *k = root->first; cls && k; k = k->next, i++) {
        if (cls[i] == CLS_IGNORED)
            continue;
        hl_push(&rest,
                cls[i] >= 0 ? render_leftover(c, k, &f_event[cls[i]], 1) : render_generic(c, k, 1));
    }
    hl_push(&all, join(c, EMPTY, EMPTY, &rest, 1));
    return join(c, EMPTY, EMPTY, &all, 0);
}

/* ---- entry points -------------------------------------------------------- */

static st_rc ctx_open(hctx *c, const st_evnode *ns)
{
    c->ns = ns;
    c->iri_max = 0;
    for (const st_evnode *b = ns ? ns->first : NULL; b; b = b->next)
        if (b->value && strlen(b->value) > c->iri_max)
            c->iri_max = strlen(b->value);
    c->tmp[0] = c->local[0];
    c->tmp[1] = c->local[1];
    c->tmpcap = TMP_LOCAL;
    c->tmp_heap = 0;
    c->rc = ST_OK;
    c->a = st_arena_create_in(c->mem, sizeof c->mem, ST_HASHID_MAX_WORK);
    return c->a ? ST_OK : ST_ERR_INTERNAL;
}

static void ctx_close(hctx *c)
{
    st_arena_destroy(c->a);
    if (c->tmp_heap) {
        free(c->tmp[0]);
        free(c->tmp[1]);
    }
}

/* Copy s to out[0..cap) as the public functions promise. */
static st_rc put_out(st_slice s, char *out, size_t cap)
{
    if (s.n >= cap) {
        if (cap)
            out[0] = '\0';
        return ST_ERR_BUFFER;
    }
    memcpy(out, s.p, s.n);
    out[s.n] = '\0';
    return ST_OK;
}

const st_evnode *st_hashid_bindings(const st_epcis_doc *doc)
{
    return doc && doc->format == ST_EPCIS_FMT_JSONLD ? doc->ns : NULL;
}

/* Render ev into c's arena. */
static st_rc prehash(hctx *c, const st_event *ev, st_slice *out)
{
    if (!ev || !ev->root || !ev->root->name)
        return ST_ERR_ARG;
    *out = render_event(c, ev->root);
    return c->rc;
}

st_rc st_hashid_prehash(const st_event *ev, const st_evnode *ns_bindings, char *out, size_t cap,
                        size_t *len)
{
    hctx c;
    st_slice s;
    if (!out && cap)
        return ST_ERR_ARG;
    st_rc rc = ctx_open(&c, ns_bindings);
    if (!rc)
        rc = prehash(&c, ev, &s);
    if (!rc) {
        if (len)
            *len = s.n;
        rc = put_out(s, out, cap);
    }
    ctx_close(&c);
    return rc;
}

/* SHA-256, fetched from OpenSSL once: EVP_sha256() is looked up again on
 * every use. NULL when the fetch failed (EVP_sha256() is used then). */
static pthread_once_t sha_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha_md;

static void sha_fetch(void)
{
    sha_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

st_rc st_hashid_compute(const st_event *ev, const st_evnode *ns_bindings,
                        char out[ST_HASHID_LEN + 1])
{
    hctx c;
    st_slice s;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!out)
        return ST_ERR_ARG;
    out[0] = '\0';
    st_rc rc = ctx_open(&c, ns_bindings);
    if (!rc)
        rc = prehash(&c, ev, &s);
    pthread_once(&sha_once, sha_fetch);
    if (!rc &&
        (!EVP_Digest(s.p, s.n, md, &mdlen, sha_md ? sha_md : EVP_sha256(), NULL) || mdlen != 32))
        rc = ST_ERR_INTERNAL;
    if (!rc) {
        static const char hex[] = "0123456789abcdef";
        char *p = out + sprintf(out, "ni:///sha-256;");
        for (unsigned i = 0; i < mdlen; i++) {
            *p++ = hex[md[i] >> 4];
            *p++ = hex[md[i] & 15];
        }
        strcpy(p, "?ver=CBV2.0");
    }
    ctx_close(&c);
    return rc;
}

st_rc st_hashid_canon_value(const char *value, int vocab, const st_evnode *ns_bindings, char *out,
                            size_t cap)
{
    hctx c;
    if (!value || (!out && cap))
        return ST_ERR_ARG;
    st_rc rc = ctx_open(&c, ns_bindings);
    if (!rc) {
        st_slice v = trim(value);
        st_slice r = canon(&c, v.p, v.n, vocab);
        rc = c.rc ? c.rc : put_out(r, out, cap);
    }
    ctx_close(&c);
    return rc;
}

st_rc st_hashid_canon_time(const char *value, char *out, size_t cap)
{
    if (!value || (!out && cap))
        return ST_ERR_ARG;
    st_slice v = trim(value);
    char buf[40];
    st_sbuf b;
    st_sbuf_init(&b, buf, sizeof buf);
    if (!canon_time(v.p, v.n, &b) || st_sbuf_rc(&b))
        return ST_ERR_DATE;
    return put_out((st_slice){buf, b.n}, out, cap);
}
