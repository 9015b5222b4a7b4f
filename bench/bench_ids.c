/*
 * Identifier benchmarks, one core: element-string parse + validation, EPC hex
 * decode, Digital Link parse and the allocating st_id_parse façade, each over
 * 100,000 generated distinct inputs and each beside a baseline measured in the
 * same run (the cost of merely reading the same bytes). Prints figures, never
 * fails on them.
 *   bench_ids                      run the benchmarks, print the table
 *   bench_ids --gen-lines N FILE   write N mixed identifier lines (for scripts/bench.sh)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <serialtrack/id.h>

#include "gs1/ai.h"
#include "gs1/checkdigit.h"
#include "gs1/dl.h"
#include "gs1/epc.h"
#include "gs1/tds.h"

#define N_INPUTS 100000 /* distinct inputs per benchmark */
#define INPUT_MAX 256   /* longest generated input, NUL included */
#define RUNS 5          /* timed runs per figure; the best is printed */
#define MIN_RUN_S 0.15  /* each timed run lasts at least this long */

/* A set of generated inputs, NUL-terminated, one after another in buf. */
typedef struct corpus {
    size_t n;    /* inputs */
    char *buf;   /* n * INPUT_MAX bytes; input i at buf + i * INPUT_MAX */
    size_t *len; /* length of each input */
} corpus;

static uint64_t checksum; /* every kernel adds to it; printed, so no work is optimised away */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *input(const corpus *c, size_t i, size_t *n)
{
    *n = c->len[i];
    return c->buf + i * INPUT_MAX;
}

static void corpus_init(corpus *c, size_t n)
{
    c->n = n;
    c->buf = malloc(n * INPUT_MAX);
    c->len = malloc(n * sizeof *c->len);
    if (!c->buf || !c->len) {
        fprintf(stderr, "bench_ids: out of memory\n");
        exit(1);
    }
}

static void corpus_free(corpus *c)
{
    free(c->buf);
    free(c->len);
}

/* ---- input generation (deterministic) ------------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

/* A GTIN-14 with a right check digit; item i picks the item reference. */
static void gen_gtin(unsigned i, char out[15])
{
    snprintf(out, 15, "%u952012%06u", i % 3 == 0 ? 1u : 0u, (i * 7919u) % 1000000u);
    out[13] = st_cd_mod10(out, 13);
    out[14] = '\0';
}

/* A serial (21) that is distinct for distinct i: base-36 of a scrambled i,
 * behind a short random alphanumeric head. */
static void gen_serial(unsigned i, char *out)
{
    static const char a36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    size_t k = 0;
    unsigned head = 1 + rng() % 4;
    for (unsigned h = 0; h < head; h++)
        out[k++] = a36[10 + rng() % 26];
    uint32_t v = i * 2654435761u;
    do {
        out[k++] = a36[v % 36];
        v /= 36;
    } while (v);
    out[k] = '\0';
}

static void gen_lot(char *out)
{
    snprintf(out, 12, "L%u", 100 + rng() % 90000);
}

static void gen_date(char *out)
{
    snprintf(out, 7, "%02u%02u%02u", 25 + rng() % 5, 1 + rng() % 12, 1 + rng() % 28);
}

/* Element string i: bracketed (even i) or as a DataMatrix scanner sends it. */
static size_t gen_element_string(unsigned i, char *out)
{
    char gtin[15], ser[32], lot[12], date[7];
    gen_gtin(i, gtin);
    gen_serial(i, ser);
    gen_lot(lot);
    gen_date(date);
    if (i % 2 == 0)
        return (size_t)snprintf(out, INPUT_MAX, "(01)%s(21)%s(17)%s(10)%s", gtin, ser, date, lot);
    return (size_t)snprintf(out, INPUT_MAX, "]d201%s21%s%c17%s10%s", gtin, ser, ST_GS, date, lot);
}

static size_t gen_digital_link(unsigned i, char *out)
{
    char gtin[15], ser[32], lot[12], date[7];
    gen_gtin(i, gtin);
    gen_serial(i, ser);
    gen_lot(lot);
    gen_date(date);
    if (i % 4 == 0)
        return (size_t)snprintf(out, INPUT_MAX, "https://brand.example.com/p/01/%s/21/%s", gtin,
                                ser);
    return (size_t)snprintf(out, INPUT_MAX, "https://id.gs1.org/01/%s/10/%s/21/%s?17=%s", gtin, lot,
                            ser, date);
}

/* An SGTIN-96 tag for item i, company prefixes of several lengths. */
static void gen_sgtin_tag(unsigned i, st_epc *e)
{
    static const char *const cps[] = {"0614141", "4012345", "952012", "50712192365", "00000950"};
    const char *cp = cps[i % 5];
    char uri[128], ref[16];
    size_t rd = 13 - strlen(cp);
    snprintf(ref, sizeof ref, "%u%0*u", i % 9, (int)(rd - 1), (i * 7919u) % 100000u);
    ref[rd] = '\0';
    int n = snprintf(uri, sizeof uri, "urn:epc:tag:sgtin-96:%u.%s.%s.%u", i % 8, cp, ref,
                     (i * 2654435761u) % 274877906u);
    st_error err;
    if (st_epc_parse_uri(uri, (size_t)n, e, &err) != ST_OK) {
        fprintf(stderr, "bench_ids: generated %s does not parse: %s\n", uri, err.msg);
        exit(1);
    }
}

static size_t gen_sgtin_hex(unsigned i, char *out)
{
    st_epc e;
    st_error err;
    gen_sgtin_tag(i, &e);
    if (st_tds_encode_hex(&e, "sgtin-96", -1, out, INPUT_MAX, &err) != ST_OK) {
        fprintf(stderr, "bench_ids: encode failed: %s\n", err.msg);
        exit(1);
    }
    return strlen(out);
}

/* Line i of the mix seen by `serialtrack id parse -`: 40% element strings,
 * 25% Digital Links, 15% EPC pure identities, 5% tag URIs, 15% EPC hex. */
static size_t gen_mixed(unsigned i, char *out)
{
    unsigned k = i % 20;
    if (k < 8)
        return gen_element_string(i, out);
    if (k < 13)
        return gen_digital_link(i, out);
    if (k < 16) {
        unsigned r = (i * 7919u) % 100000u;
        if (k == 13)
            return (size_t)snprintf(out, INPUT_MAX, "urn:epc:id:sgtin:0614141.%u%05u.%u", i % 9, r,
                                    i);
        if (k == 14)
            return (size_t)snprintf(out, INPUT_MAX, "urn:epc:id:sscc:0614141.%u%09u", i % 10, i);
        return (size_t)snprintf(out, INPUT_MAX, "urn:epc:id:sgln:0614141.%05u.%u", r, i % 1000);
    }
    if (k == 16) {
        st_epc e;
        gen_sgtin_tag(i, &e);
        st_epc_format_uri(&e, ST_EPC_KIND_TAG, out, INPUT_MAX);
        return strlen(out);
    }
    return gen_sgtin_hex(i, out);
}

static void corpus_fill(corpus *c, size_t (*gen)(unsigned, char *))
{
    for (size_t i = 0; i < c->n; i++)
        c->len[i] = gen((unsigned)i, c->buf + i * INPUT_MAX);
}

/* ---- kernels: one pass over a corpus, returning a checksum ---------------- */

static uint64_t k_touch(const corpus *c)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < c->n; i++) {
        const char *p = c->buf + i * INPUT_MAX;
        size_t n = strlen(p);
        const char *q = memchr(p, '\n', n); /* absent: scans every byte */
        sum += n + (q ? (size_t)(q - p) : 0);
    }
    return sum;
}

static uint64_t k_ai_parse(const corpus *c)
{
    static st_aidata d;
    uint64_t sum = 0;
    for (size_t i = 0; i < c->n; i++) {
        size_t n;
        const char *s = input(c, i, &n);
        if (st_ai_parse(s, n, &d, NULL) == ST_OK)
            sum += d.n + d.used;
    }
    return sum;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

static uint64_t k_hex_bytes(const corpus *c)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < c->n; i++) {
        size_t n;
        const char *s = input(c, i, &n);
        uint8_t b[12];
        for (size_t k = 0; k < 12 && 2 * k + 1 < n; k++)
            b[k] = (uint8_t)(hexval(s[2 * k]) << 4 | hexval(s[2 * k + 1]));
        sum += b[0] + b[5] + b[11];
    }
    return sum;
}

static uint64_t k_tds_decode(const corpus *c)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < c->n; i++) {
        size_t n;
        const char *s = input(c, i, &n);
        st_epc e;
        if (st_tds_decode_hex(s, n, &e, NULL) == ST_OK)
            sum += e.ser_len + (unsigned char)e.ref[0] + e.filter;
    }
    return sum;
}

static uint64_t k_dl_parse(const corpus *c)
{
    static st_aidata d;
    uint64_t sum = 0;
    for (size_t i = 0; i < c->n; i++) {
        size_t n;
        const char *s = input(c, i, &n);
        if (st_dl_parse(s, n, 0, &d, NULL) == ST_OK)
            sum += d.n + d.used;
    }
    return sum;
}

static uint64_t k_id_parse(const corpus *c)
{
    st_id_opts o;
    memset(&o, 0, sizeof o);
    o.gcp_len = 7;
    uint64_t sum = 0;
    for (size_t i = 0; i < c->n; i++) {
        size_t n;
        const char *s = input(c, i, &n);
        st_id *id;
        if (st_id_parse(s, n, &o, &id, NULL) == ST_OK) {
            sum += strlen(st_id_key(id)) + st_id_ai_count(id);
            st_id_destroy(id);
        }
    }
    return sum;
}

/* How many inputs of c the kernel-specific check accepts (0 failures expected). */
static size_t count_valid(const corpus *c, int (*ok)(const char *, size_t))
{
    size_t v = 0;
    for (size_t i = 0; i < c->n; i++) {
        size_t n;
        const char *s = input(c, i, &n);
        v += ok(s, n) != 0;
    }
    return v;
}

static int ok_ai(const char *s, size_t n)
{
    static st_aidata d;
    return st_ai_parse(s, n, &d, NULL) == ST_OK;
}

static int ok_hex(const char *s, size_t n)
{
    st_epc e;
    return st_tds_decode_hex(s, n, &e, NULL) == ST_OK;
}

static int ok_dl(const char *s, size_t n)
{
    static st_aidata d;
    return st_dl_parse(s, n, 0, &d, NULL) == ST_OK;
}

static int ok_id(const char *s, size_t n)
{
    st_id_opts o;
    memset(&o, 0, sizeof o);
    o.gcp_len = 7;
    st_id *id;
    if (st_id_parse(s, n, &o, &id, NULL) != ST_OK)
        return 0;
    st_id_destroy(id);
    return 1;
}

/* ---- timing -------------------------------------------------------------- */

/* Best rate (inputs per second) of kernel k over c in RUNS timed runs. */
static double measure(uint64_t (*k)(const corpus *), const corpus *c)
{
    double t0 = now();
    checksum += k(c); /* warm-up, and calibration of the passes per run */
    double one = now() - t0;
    unsigned passes = one >= MIN_RUN_S ? 1 : (unsigned)(MIN_RUN_S / (one > 1e-6 ? one : 1e-6)) + 1;
    double best = 0;
    for (int r = 0; r < RUNS; r++) {
        t0 = now();
        for (unsigned p = 0; p < passes; p++)
            checksum += k(c);
        double rate = (double)c->n * passes / (now() - t0);
        if (rate > best)
            best = rate;
    }
    return best;
}

static void row(const char *name, double rate, double base, double target)
{
    char tgt[32];
    const char *verdict = "-";
    if (target > 0) {
        snprintf(tgt, sizeof tgt, ">= %g M/s", target / 1e6);
        verdict = rate >= target ? "meets target" : "below target";
    } else {
        snprintf(tgt, sizeof tgt, "-");
    }
    printf("%-34s %9.2f %9.0f %9.2f %8.1fx  %-12s %s\n", name, rate / 1e6, 1e9 / rate, base / 1e6,
           base / rate, tgt, verdict);
}

static void check_inputs(const char *what, const corpus *c, int (*ok)(const char *, size_t))
{
    size_t v = count_valid(c, ok);
    if (v != c->n)
        printf("note: %zu of %zu %s inputs are rejected by the parser\n", c->n - v, c->n, what);
}

static int gen_lines(const char *count, const char *path)
{
    char *end;
    unsigned long n = strtoul(count, &end, 10);
    if (*end || !n) {
        fprintf(stderr, "bench_ids: --gen-lines needs a positive count, not '%s'\n", count);
        return 2;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    char line[INPUT_MAX];
    for (unsigned long i = 0; i < n; i++) {
        size_t len = gen_mixed((unsigned)i, line);
        line[len] = '\n';
        fwrite(line, 1, len + 1, f);
    }
    if (fclose(f)) {
        perror(path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--gen-lines"))
        return gen_lines(argv[2], argv[3]);
    if (argc != 1) {
        fprintf(stderr, "usage: bench_ids [--gen-lines N FILE]\n");
        return 2;
    }

    corpus es, hex, dl, mix;
    corpus_init(&es, N_INPUTS);
    corpus_init(&hex, N_INPUTS);
    corpus_init(&dl, N_INPUTS);
    corpus_init(&mix, N_INPUTS);
    corpus_fill(&es, gen_element_string);
    corpus_fill(&hex, gen_sgtin_hex);
    corpus_fill(&dl, gen_digital_link);
    corpus_fill(&mix, gen_mixed);
    check_inputs("element string", &es, ok_ai);
    check_inputs("SGTIN-96 hex", &hex, ok_hex);
    check_inputs("Digital Link", &dl, ok_dl);
    check_inputs("mixed", &mix, ok_id);

    printf("bench_ids: one core, %d distinct inputs per figure, best of %d runs\n", N_INPUTS, RUNS);
    printf("baseline: reading the same bytes (strlen + memchr; for hex: a hex-to-12-bytes loop)\n");
    printf("%-34s %9s %9s %9s %9s  %-12s %s\n", "benchmark", "M/s", "ns/op", "base M/s", "cost",
           "target", "verdict");

    double touch_es = measure(k_touch, &es);
    row("element string parse+validate", measure(k_ai_parse, &es), touch_es, 2e6);
    row("EPC hex decode (SGTIN-96)", measure(k_tds_decode, &hex), measure(k_hex_bytes, &hex), 10e6);
    row("Digital Link parse+validate", measure(k_dl_parse, &dl), measure(k_touch, &dl), 0);
    row("st_id_parse (mixed forms, alloc)", measure(k_id_parse, &mix), measure(k_touch, &mix), 0);
    printf("checksum %llu\n", (unsigned long long)checksum);

    corpus_free(&es);
    corpus_free(&hex);
    corpus_free(&dl);
    corpus_free(&mix);
    return 0;
}
