/*
 * Tests for lib/gs1/serial.c and serial_tmpl.c: exact outputs of the
 * sequential and template schemes, the random scheme's pinned sequence,
 * distinctness, resumption and exhaustion, the guessing probability, and a
 * bad-options table (options, expected code, message fragment).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <serialtrack/limits.h>
#include <serialtrack/serial.h>

static const char cset82[] = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
                             "abcdefghijklmnopqrstuvwxyz";

/* The key 00 01 02 ... 1f. */
static const unsigned char test_key[ST_SERIAL_KEY_LEN] = {
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};

/* Create a generator that must be valid. */
static st_serialgen *make(const st_serial_opts *o)
{
    st_serialgen *g = NULL;
    st_error err;
    st_error_clear(&err);
    st_rc rc = st_serialgen_create(o, &g, &err);
    if (rc != ST_OK)
        fail_msg("create failed: %s: %s", st_strerror(rc), err.msg);
    return g;
}

/* Assert that g's next serials are exactly want[0..n), then (when the list
 * ends with NULL) that g is exhausted with a message containing frag. */
static void expect_serials(st_serialgen *g, const char *const *want, const char *frag)
{
    char buf[ST_SERIAL_MAX_LEN + 1];
    for (; *want; want++) {
        assert_int_equal(st_serialgen_next(g, buf, sizeof buf, NULL), ST_OK);
        assert_string_equal(buf, *want);
    }
    if (frag) {
        st_error err;
        uint64_t pos = st_serialgen_position(g);
        assert_int_equal(st_serialgen_next(g, buf, sizeof buf, &err), ST_ERR_EXHAUSTED);
        if (!strstr(err.msg, frag))
            fail_msg("message \"%s\" lacks \"%s\"", err.msg, frag);
        assert_true(st_serialgen_position(g) == pos);
    }
}

/* ---- sequential ------------------------------------------------------------ */

static void test_sequential(void **state)
{
    (void)state;
    st_serial_opts o = {
        .scheme = ST_SERIAL_SEQUENTIAL, .start = 1, .width = 6, .prefix = "LOT-", .suffix = "/A"};
    st_serialgen *g = make(&o);
    assert_true(st_serialgen_space(g) == 999999);
    expect_serials(g, (const char *[]){"LOT-000001/A", "LOT-000002/A", "LOT-000003/A", NULL}, NULL);
    assert_true(st_serialgen_position(g) == 3);
    assert_true(st_serialgen_guess_probability(g, 3) == 1.0);
    assert_int_equal(st_serialgen_check_eu_fmd(g, 3, NULL), ST_ERR_RANGE);
    st_serialgen_destroy(g);

    /* width bound */
    o = (st_serial_opts){.scheme = ST_SERIAL_SEQUENTIAL, .start = 97, .width = 2};
    g = make(&o);
    assert_true(st_serialgen_space(g) == 3);
    expect_serials(g, (const char *[]){"97", "98", "99", NULL},
                   "sequential: counter 100 needs 3 digits; width is 2");
    st_serialgen_destroy(g);

    /* no width: the counter grows until the serial would pass 20 characters */
    o = (st_serial_opts){
        .scheme = ST_SERIAL_SEQUENTIAL, .start = 98, .prefix = "ABCDEFGHIJKLMNOPQR"};
    g = make(&o);
    expect_serials(g, (const char *[]){"ABCDEFGHIJKLMNOPQR98", "ABCDEFGHIJKLMNOPQR99", NULL},
                   "counter 100 would make the serial 21 characters; AI (21) allows at most 20");
    st_serialgen_destroy(g);

    /* no width, no affixes: plain decimal, up to the 64-bit counter */
    o = (st_serial_opts){.scheme = ST_SERIAL_SEQUENTIAL, .start = 9};
    g = make(&o);
    expect_serials(g, (const char *[]){"9", "10", "11", NULL}, NULL);
    assert_true(st_serialgen_space(g) == UINT64_MAX - 8);
    st_serialgen_destroy(g);
    o.start = UINT64_MAX;
    g = make(&o);
    expect_serials(g, (const char *[]){"18446744073709551615", NULL}, "64-bit");
    st_serialgen_destroy(g);
}

/* ---- template -------------------------------------------------------------- */

static void test_template(void **state)
{
    (void)state;
    st_serial_opts o = {
        .scheme = ST_SERIAL_TEMPLATE, .tmpl = "{YYYY}07{SEQ:6}", .year = 2025, .start = 1};
    st_serialgen *g = make(&o);
    assert_true(st_serialgen_space(g) == 999999);
    expect_serials(g, (const char *[]){"202507000001", "202507000002", NULL}, NULL);
    st_serialgen_destroy(g);

    o = (st_serial_opts){
        .scheme = ST_SERIAL_TEMPLATE, .tmpl = "X{YY}-{SEQ:1}", .year = 1999, .start = 8};
    g = make(&o);
    expect_serials(g, (const char *[]){"X99-8", "X99-9", NULL},
                   "template: counter 10 does not fit {SEQ:1}");
    st_serialgen_destroy(g);

    /* the largest template: 20 characters */
    o = (st_serial_opts){.scheme = ST_SERIAL_TEMPLATE, .tmpl = "{SEQ:20}"};
    g = make(&o);
    expect_serials(g, (const char *[]){"00000000000000000000", "00000000000000000001", NULL}, NULL);
    st_serialgen_destroy(g);
}

/* Render the date parts the way the template should, for time t. */
static void date_string(time_t t, char *out, size_t cap)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, cap, "%04d%02d%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             (tm.tm_year + 1900) % 100);
}

static void test_template_clock(void **state)
{
    (void)state;
    st_serial_opts o = {.scheme = ST_SERIAL_TEMPLATE, .tmpl = "{YYYY}{MM}{DD}-{YY}{SEQ:2}"};
    st_serialgen *g = make(&o);
    char before[32], after[32], buf[21];
    date_string(time(NULL), before, sizeof before);
    assert_int_equal(st_serialgen_next(g, buf, sizeof buf, NULL), ST_OK);
    date_string(time(NULL), after, sizeof after);
    strcat(before, "00");
    strcat(after, "00");
    if (strcmp(buf, before) && strcmp(buf, after))
        fail_msg("got %s, expected %s", buf, before);
    st_serialgen_destroy(g);

    /* a fixed year wins over the clock for {YYYY}, not for {MM} */
    o = (st_serial_opts){.scheme = ST_SERIAL_TEMPLATE, .tmpl = "{YYYY}{MM}{SEQ:2}", .year = 7};
    g = make(&o);
    assert_int_equal(st_serialgen_next(g, buf, sizeof buf, NULL), ST_OK);
    assert_memory_equal(buf, "0007", 4);
    assert_int_equal(strlen(buf), 8);
    st_serialgen_destroy(g);
}

static void test_template_rand(void **state)
{
    (void)state;
    st_serial_opts o = {
        .scheme = ST_SERIAL_TEMPLATE, .tmpl = "{SEQ:3}{RAND:8}.{RAND:2}", .alphabet = "xyz"};
    st_serialgen *g = make(&o);
    int count[3] = {0};
    char buf[21];
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(st_serialgen_next(g, buf, sizeof buf, NULL), ST_OK);
        assert_int_equal(strlen(buf), 14);
        char seq[4];
        snprintf(seq, sizeof seq, "%03d", i);
        assert_memory_equal(buf, seq, 3);
        assert_int_equal(buf[11], '.');
        for (int k = 3; k < 14; k++) {
            if (k == 11)
                continue;
            const char *p = strchr("xyz", buf[k]);
            assert_non_null(p);
            count[p - "xyz"]++;
        }
    }
    /* 10,000 uniform draws: each letter near 3,333 (a biased draw would skew) */
    for (int k = 0; k < 3; k++)
        assert_true(count[k] > 3000 && count[k] < 3666);
    expect_serials(g, (const char *[]){NULL}, "counter 1000 does not fit {SEQ:3}");
    /* the predictable {SEQ} leaves 10 random characters of 3 to guess */
    double p = st_serialgen_guess_probability(g, 5);
    assert_true(p > 1.69350878e-5 * 0.999 && p < 1.69350878e-5 * 1.001);
    st_serialgen_destroy(g);
}

/* ---- random ---------------------------------------------------------------- */

/* Pinned: these come from an independent model of fpe.h's design; changing
 * them changes every stored generator's sequence. */
static void test_random_known(void **state)
{
    (void)state;
    st_serial_opts o = {.scheme = ST_SERIAL_RANDOM, .key = test_key};
    st_serialgen *g = make(&o);
    assert_true(st_serialgen_space(g) == 4738381338321616896ull); /* 36^12 */
    expect_serials(g,
                   (const char *[]){"05SZCSX9GOJG", "M92CHXWMADBX", "12DQDOXKYAS2", "KTLFY46E7TUY",
                                    "2JYQUTEGB3CC", NULL},
                   NULL);
    st_serialgen_destroy(g);

    /* the smallest useful domain: every value once, then exhausted */
    o = (st_serial_opts){
        .scheme = ST_SERIAL_RANDOM, .key = test_key, .alphabet = "01", .length = 3};
    g = make(&o);
    assert_true(st_serialgen_space(g) == 8);
    expect_serials(g,
                   (const char *[]){"100", "101", "110", "010", "001", "000", "011", "111", NULL},
                   "random: all 8 serials of 2^3 have been made");
    assert_true(st_serialgen_position(g) == 8);
    assert_true(st_serialgen_guess_probability(g, 8) == 1.0);
    assert_true(st_serialgen_guess_probability(g, 2) == 0.25);
    st_serialgen_destroy(g);
}

static int cmp_serial(const void *a, const void *b)
{
    return strcmp(a, b);
}

#define MANY 100000

static void test_random_distinct(void **state)
{
    (void)state;
    st_serial_opts o = {.scheme = ST_SERIAL_RANDOM, .key = test_key};
    st_serialgen *g = make(&o);
    st_serialgen *again = make(&o);
    char(*s)[13] = malloc(MANY * sizeof *s);
    assert_non_null(s);
    char buf[21];
    for (int i = 0; i < MANY; i++) {
        assert_int_equal(st_serialgen_next(g, s[i], sizeof s[i], NULL), ST_OK);
        assert_int_equal(st_serialgen_next(again, buf, sizeof buf, NULL), ST_OK);
        assert_string_equal(s[i], buf); /* deterministic under one key */
        assert_int_equal(strlen(s[i]), 12);
        assert_int_equal(strspn(s[i], ST_SERIAL_DEFAULT_ALPHABET), 12);
        assert_int_equal(strspn(s[i], cset82), 12);
    }
    qsort(s, MANY, sizeof *s, cmp_serial);
    for (int i = 1; i < MANY; i++)
        if (!strcmp(s[i - 1], s[i]))
            fail_msg("serial %s repeats", s[i]);
    /* not sequential: the sorted serials spread over the whole space */
    assert_true(s[0][0] == '0' && s[MANY - 1][0] == 'Z');
    free(s);
    assert_true(st_serialgen_position(g) == MANY);
    assert_int_equal(st_serialgen_check_eu_fmd(g, MANY, NULL), ST_OK);
    st_serialgen_destroy(g);
    st_serialgen_destroy(again);
}

static void test_random_resume(void **state)
{
    (void)state;
    st_serial_opts o = {
        .scheme = ST_SERIAL_RANDOM, .key = test_key, .alphabet = "0123456789", .length = 9};
    st_serialgen *a = make(&o), *b = make(&o);
    char first[1000][21], buf[21];
    for (int i = 0; i < 1000; i++)
        assert_int_equal(st_serialgen_next(a, first[i], sizeof first[i], NULL), ST_OK);
    assert_int_equal(st_serialgen_skip(b, 500), ST_OK);
    assert_true(st_serialgen_position(b) == 500);
    for (int i = 500; i < 1000; i++) {
        assert_int_equal(st_serialgen_next(b, buf, sizeof buf, NULL), ST_OK);
        assert_string_equal(buf, first[i]);
    }
    assert_true(st_serialgen_position(b) == 1000);
    st_serialgen_destroy(a);
    st_serialgen_destroy(b);

    /* with a drawn key: read it back and reproduce the sequence */
    o = (st_serial_opts){.scheme = ST_SERIAL_RANDOM};
    a = make(&o);
    unsigned char key[ST_SERIAL_KEY_LEN];
    assert_int_equal(st_serialgen_key(a, key, NULL), ST_OK);
    o.key = key;
    b = make(&o);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(st_serialgen_next(a, first[0], sizeof first[0], NULL), ST_OK);
        assert_int_equal(st_serialgen_next(b, buf, sizeof buf, NULL), ST_OK);
        assert_string_equal(buf, first[0]);
    }
    st_serialgen_destroy(a);
    st_serialgen_destroy(b);
}

static void test_skip_and_buffer(void **state)
{
    (void)state;
    st_serial_opts o = {.scheme = ST_SERIAL_RANDOM, .key = test_key, .alphabet = "01", .length = 3};
    st_serialgen *g = make(&o);
    assert_int_equal(st_serialgen_skip(g, 9), ST_ERR_EXHAUSTED);
    assert_true(st_serialgen_position(g) == 0);
    assert_int_equal(st_serialgen_skip(g, 7), ST_OK);
    char buf[4];
    st_error err;
    assert_int_equal(st_serialgen_next(g, buf, 3, &err), ST_ERR_BUFFER);
    assert_non_null(strstr(err.msg, "needs 4 bytes; the buffer holds 3"));
    assert_true(st_serialgen_position(g) == 7);
    expect_serials(g, (const char *[]){"111", NULL}, "all 8 serials");
    assert_int_equal(st_serialgen_skip(g, 1), ST_ERR_EXHAUSTED);
    assert_int_equal(st_serialgen_skip(g, 0), ST_OK);
    assert_int_equal(st_serialgen_key(g, NULL, &err), ST_ERR_ARG);
    st_serialgen_destroy(g);

    o = (st_serial_opts){.scheme = ST_SERIAL_SEQUENTIAL, .prefix = "AB", .start = 5};
    g = make(&o);
    assert_int_equal(st_serialgen_skip(g, 10), ST_OK);
    assert_int_equal(st_serialgen_next(g, buf, sizeof buf, &err), ST_ERR_BUFFER);
    assert_int_equal(st_serialgen_next(g, NULL, 4, &err), ST_ERR_ARG);
    char big[21];
    expect_serials(g, (const char *[]){"AB15", NULL}, NULL);
    assert_int_equal(st_serialgen_next(g, big, sizeof big, NULL), ST_OK);
    assert_string_equal(big, "AB16");
    unsigned char key[ST_SERIAL_KEY_LEN];
    assert_int_equal(st_serialgen_key(g, key, &err), ST_ERR_ARG);
    assert_non_null(strstr(err.msg, "only the random scheme has a key"));
    st_serialgen_destroy(g);

    st_serialgen_destroy(NULL);
    assert_int_equal(st_serialgen_skip(NULL, 1), ST_ERR_ARG);
    assert_true(st_serialgen_space(NULL) == 0);
}

static void test_guessing(void **state)
{
    (void)state;
    st_serial_opts o = {
        .scheme = ST_SERIAL_RANDOM, .key = test_key, .alphabet = "0123456789", .length = 6};
    st_serialgen *g = make(&o);
    assert_true(st_serialgen_guess_probability(g, 0) == 0.0);
    assert_true(st_serialgen_guess_probability(g, 99) == 99e-6);
    assert_int_equal(st_serialgen_check_eu_fmd(g, 99, NULL), ST_OK);
    st_error err;
    assert_int_equal(st_serialgen_check_eu_fmd(g, 100, &err), ST_ERR_RANGE);
    assert_non_null(strstr(err.msg, "(1 in 10000) with 100 serials issued is not below 1 in "
                                    "10,000 (EU FMD"));
    assert_true(st_serialgen_guess_probability(g, 5000000) == 1.0);
    st_serialgen_destroy(g);

    /* the largest space: 82^20, about 1.9e38, beyond 64 bits */
    o = (st_serial_opts){
        .scheme = ST_SERIAL_RANDOM, .key = test_key, .alphabet = cset82, .length = 20};
    g = make(&o);
    assert_true(st_serialgen_space(g) == UINT64_MAX);
    double p = st_serialgen_guess_probability(g, 1000000);
    assert_true(p > 5.2e-33 && p < 5.3e-33);
    char buf[21];
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(st_serialgen_next(g, buf, sizeof buf, NULL), ST_OK);
        assert_int_equal(strlen(buf), 20);
        assert_int_equal(strspn(buf, cset82), 20);
    }
    st_serialgen_destroy(g);
}

static void test_dscsa(void **state)
{
    (void)state;
    st_serial_opts o = {.scheme = ST_SERIAL_RANDOM,
                        .profile = ST_SERIAL_PROFILE_DSCSA,
                        .key = test_key,
                        .length = 20,
                        .alphabet =
                            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"};
    st_serialgen *g = make(&o);
    char buf[21];
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(st_serialgen_next(g, buf, sizeof buf, NULL), ST_OK);
        assert_int_equal(strlen(buf), 20);
        assert_int_equal(strspn(buf, o.alphabet), 20);
    }
    st_serialgen_destroy(g);
    o = (st_serial_opts){.scheme = ST_SERIAL_TEMPLATE,
                         .profile = ST_SERIAL_PROFILE_DSCSA,
                         .tmpl = "US{YY}x{SEQ:4}",
                         .year = 2026};
    g = make(&o);
    expect_serials(g, (const char *[]){"US26x0000", NULL}, NULL);
    st_serialgen_destroy(g);
}

/* ---- bad options ------------------------------------------------------------ */

#define A82 "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

/* 29 literal characters: a template of "{SEQ:3}" and 58 of them holds 65 bytes */
#define A29 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

static void test_bad_options(void **state)
{
    (void)state;
#define SEQ ST_SERIAL_SEQUENTIAL
#define TPL ST_SERIAL_TEMPLATE
#define RND ST_SERIAL_RANDOM
#define DSCSA ST_SERIAL_PROFILE_DSCSA
    static const struct row {
        st_serial_opts o; /* the options */
        st_rc rc;         /* expected code */
        long pos;         /* expected err.position */
        const char *frag; /* expected in err.msg */
    } rows[] = {
        /* one row per case reads better than one field per line */
        /* clang-format off */
        {{.scheme = 0}, ST_ERR_ARG, -1,
         "scheme 0 is not sequential (1), template (2) or random (3)"},
        {{.scheme = 4}, ST_ERR_ARG, -1, "scheme 4 is not"},
        {{.scheme = SEQ, .profile = 2}, ST_ERR_ARG, -1, "profile 2 is not GS1 (0) or DSCSA (1)"},
        {{.scheme = SEQ, .tmpl = "{SEQ:3}"}, ST_ERR_ARG, -1,
         "opts.tmpl is set, but the sequential scheme does not use it"},
        {{.scheme = SEQ, .alphabet = "AB"}, ST_ERR_ARG, -1,
         "opts.alphabet is set, but the sequential"},
        {{.scheme = RND, .start = 5}, ST_ERR_ARG, -1, "opts.start is set, but the random scheme"},
        {{.scheme = RND, .width = 5}, ST_ERR_ARG, -1, "opts.width is set, but the random scheme"},
        {{.scheme = TPL, .tmpl = "{SEQ:3}", .key = test_key}, ST_ERR_ARG, -1,
         "opts.key is set, but the template scheme does not use it"},
        {{.scheme = TPL, .tmpl = "{SEQ:3}", .length = 4}, ST_ERR_ARG, -1, "opts.length is set"},
        {{.scheme = RND, .year = 2025}, ST_ERR_ARG, -1, "opts.year is set, but the random scheme"},
        /* sequential */
        {{.scheme = SEQ, .prefix = "AB CD"}, ST_ERR_ARG, 2,
         "prefix: byte 2 (' ') is not in CSET 82"},
        {{.scheme = SEQ, .suffix = "x#"}, ST_ERR_ARG, 1, "suffix: byte 1 ('#') is not in CSET 82"},
        {{.scheme = SEQ, .prefix = "\t"}, ST_ERR_ARG, 0, "prefix: byte 0 (0x09) is not in CSET 82"},
        {{.scheme = SEQ, .prefix = "A-1", .profile = DSCSA}, ST_ERR_ARG, 1,
         "prefix: byte 1 ('-') is not in the DSCSA set (A-Z a-z 0-9)"},
        {{.scheme = SEQ, .prefix = "ABCDEFGHIJKL", .suffix = "MNOPQRST"}, ST_ERR_ARG, -1,
         "prefix and suffix hold 20 characters, leaving no room for the counter"},
        {{.scheme = SEQ, .prefix = "ABCDEFGHIJKLMNOPQRSTU"}, ST_ERR_ARG, -1,
         "prefix and suffix hold more than 20 characters"},
        {{.scheme = SEQ, .width = 21}, ST_ERR_ARG, -1, "width 21 is not 0..20"},
        {{.scheme = SEQ, .width = -1}, ST_ERR_ARG, -1, "width -1 is not 0..20"},
        {{.scheme = SEQ, .prefix = "ABCDEFGHIJ", .width = 11}, ST_ERR_ARG, -1,
         "prefix (10) + width (11) + suffix (0) make 21 characters; AI (21) allows at most 20"},
        {{.scheme = SEQ, .width = 3, .start = 1000}, ST_ERR_ARG, -1,
         "start 1000 needs 4 digits; width is 3"},
        {{.scheme = SEQ, .prefix = "ABCDEFGHIJKLMNOPQR", .start = 100}, ST_ERR_ARG, -1,
         "start 100 needs 3 digits; beside the prefix and suffix only 2 fit in 20 characters"},
        /* template */
        {{.scheme = TPL}, ST_ERR_ARG, -1, "the template scheme needs opts.tmpl"},
        {{.scheme = TPL, .tmpl = "{YYYY}{FOO}{SEQ:3}"}, ST_ERR_ARG, 6,
         "template: unknown placeholder {FOO} at byte 6; known: {YYYY} {YY} {MM} {DD} {SEQ:n} "
         "{RAND:n}"},
        {{.scheme = TPL, .tmpl = "{yyyy}{SEQ:3}"}, ST_ERR_ARG, 0, "unknown placeholder {yyyy}"},
        {{.scheme = TPL, .tmpl = "{}{SEQ:3}"}, ST_ERR_ARG, 0, "unknown placeholder {} at byte 0"},
        {{.scheme = TPL, .tmpl = "A{SEQ:3"}, ST_ERR_ARG, 1,
         "template: '{' at byte 1 has no closing '}'"},
        {{.scheme = TPL, .tmpl = "{YY{SEQ:3}"}, ST_ERR_ARG, 0, "'{' at byte 0 has no closing '}'"},
        {{.scheme = TPL, .tmpl = "{SEQ:3}}"}, ST_ERR_ARG, 7,
         "template: '}' at byte 7 closes no placeholder"},
        {{.scheme = TPL, .tmpl = "{SEQ:0}"}, ST_ERR_ARG, 0,
         "template: {SEQ:0} at byte 0: n must be a number 1..20"},
        {{.scheme = TPL, .tmpl = "{SEQ:21}"}, ST_ERR_ARG, 0, "{SEQ:21} at byte 0: n must be"},
        {{.scheme = TPL, .tmpl = "{SEQ:}"}, ST_ERR_ARG, 0, "{SEQ:} at byte 0: n must be"},
        {{.scheme = TPL, .tmpl = "{SEQ:4x}"}, ST_ERR_ARG, 0, "{SEQ:4x} at byte 0: n must be"},
        {{.scheme = TPL, .tmpl = "{SEQ:0004}"}, ST_ERR_ARG, 0, "{SEQ:0004} at byte 0: n must be"},
        {{.scheme = TPL, .tmpl = "{SEQ:3}{RAND:0}"}, ST_ERR_ARG, 7,
         "{RAND:0} at byte 7: n must be"},
        {{.scheme = TPL, .tmpl = "AB{RAND:4}"}, ST_ERR_ARG, -1,
         "template has no {SEQ:n}; exactly one is required"},
        {{.scheme = TPL, .tmpl = ""}, ST_ERR_ARG, -1, "template has no {SEQ:n}"},
        {{.scheme = TPL, .tmpl = "{SEQ:3}-{SEQ:2}"}, ST_ERR_ARG, 8,
         "template: a second {SEQ:n} at byte 8; exactly one is required"},
        {{.scheme = TPL, .tmpl = "{YYYY}{SEQ:17}", .year = 2025}, ST_ERR_ARG, -1,
         "template makes serials of 21 characters; AI (21) allows at most 20"},
        {{.scheme = TPL, .tmpl = "{SEQ:10}{RAND:10}A"}, ST_ERR_ARG, -1, "serials of 21 characters"},
        {{.scheme = TPL, .tmpl = "AB {SEQ:3}"}, ST_ERR_ARG, 2,
         "template: byte 2 (' ') is not in CSET 82"},
        {{.scheme = TPL, .tmpl = "{SEQ:3}A~"}, ST_ERR_ARG, 8,
         "template: byte 8 ('~') is not in CSET 82"},
        {{.scheme = TPL, .tmpl = "A-{SEQ:3}", .profile = DSCSA}, ST_ERR_ARG, 1,
         "template: byte 1 ('-') is not in the DSCSA set"},
        {{.scheme = TPL, .tmpl = "{SEQ:3}" A29 A29}, ST_ERR_LIMIT, -1,
         "template holds more than 64 bytes; the limit is 64"},
        {{.scheme = TPL, .tmpl = "{YYYY}{SEQ:3}", .year = 10000}, ST_ERR_ARG, -1,
         "year 10000 is not 1..9999 (0 = the current UTC year)"},
        {{.scheme = TPL, .tmpl = "{YYYY}{SEQ:3}", .year = -1}, ST_ERR_ARG, -1, "year -1 is not"},
        {{.scheme = TPL, .tmpl = "{MM}{SEQ:3}", .year = 2025}, ST_ERR_ARG, -1,
         "opts.year is set, but the template has no {YYYY} or {YY}"},
        {{.scheme = TPL, .tmpl = "{SEQ:3}", .alphabet = "AB"}, ST_ERR_ARG, -1,
         "opts.alphabet is set, but the template has no {RAND:n}"},
        {{.scheme = TPL, .tmpl = "{SEQ:3}{RAND:2}", .alphabet = "AA"}, ST_ERR_ARG, 1,
         "alphabet: 'A' at byte 1 repeats byte 0"},
        {{.scheme = TPL, .tmpl = "{SEQ:3}", .start = 1000}, ST_ERR_ARG, -1,
         "start 1000 does not fit {SEQ:3} (at most 999)"},
        /* random */
        {{.scheme = RND, .alphabet = "A"}, ST_ERR_ARG, -1,
         "alphabet holds 1 character; at least 2 are needed"},
        {{.scheme = RND, .alphabet = ""}, ST_ERR_ARG, -1,
         "alphabet holds 0 characters; at least 2"},
        {{.scheme = RND, .alphabet = "ABCA"}, ST_ERR_ARG, 3,
         "alphabet: 'A' at byte 3 repeats byte 0; characters must be unique"},
        {{.scheme = RND, .alphabet = "AB CD"}, ST_ERR_ARG, 2,
         "alphabet: byte 2 (' ') is not in CSET 82"},
        {{.scheme = RND, .alphabet = "AB\x7f"}, ST_ERR_ARG, 2,
         "alphabet: byte 2 (0x7F) is not in CSET 82"},
        {{.scheme = RND, .alphabet = "AB-", .profile = DSCSA}, ST_ERR_ARG, 2,
         "alphabet: byte 2 ('-') is not in the DSCSA set (A-Z a-z 0-9)"},
        {{.scheme = RND, .alphabet = A82 "A"}, ST_ERR_LIMIT, -1,
         "alphabet holds more than 82 characters; the limit is 82"},
        {{.scheme = RND, .length = 21}, ST_ERR_ARG, -1,
         "length 21 is not 1..20 (AI (21) allows at most 20 characters)"},
        {{.scheme = RND, .length = -3}, ST_ERR_ARG, -1, "length -3 is not 1..20"},
        /* clang-format on */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        static char dummy;
        st_serialgen *g = (st_serialgen *)&dummy; /* create must reset it to NULL */
        st_error err;
        st_error_clear(&err);
        st_rc rc = st_serialgen_create(&rows[i].o, &g, &err);
        if (rc != rows[i].rc)
            fail_msg("row %zu: rc %d (%s), expected %d; message: %s", i, rc, st_strerror(rc),
                     rows[i].rc, err.msg);
        assert_null(g);
        if (!strstr(err.msg, rows[i].frag))
            fail_msg("row %zu: message \"%s\" lacks \"%s\"", i, err.msg, rows[i].frag);
        if (err.position != rows[i].pos)
            fail_msg("row %zu: position %ld, expected %ld (%s)", i, err.position, rows[i].pos,
                     err.msg);
    }
    st_serialgen *g = NULL;
    assert_int_equal(st_serialgen_create(NULL, &g, NULL), ST_ERR_ARG);
    st_serial_opts ok = {.scheme = SEQ};
    assert_int_equal(st_serialgen_create(&ok, NULL, NULL), ST_ERR_ARG);
    /* the longest alphabet is fine */
    st_serial_opts full = {.scheme = RND, .alphabet = A82};
    g = make(&full);
    st_serialgen_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequential),     cmocka_unit_test(test_template),
        cmocka_unit_test(test_template_clock), cmocka_unit_test(test_template_rand),
        cmocka_unit_test(test_random_known),   cmocka_unit_test(test_random_distinct),
        cmocka_unit_test(test_random_resume),  cmocka_unit_test(test_skip_and_buffer),
        cmocka_unit_test(test_guessing),       cmocka_unit_test(test_dscsa),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
