/*
 * Warranties (lib/trace/warranty.c, include/serialtrack/warranty.h) over
 * hand-built chains: terms and their refusals, a unit commissioned, sold
 * and claimed for within and after its warranty, warranties from
 * manufacture and to a fixed day, month ends, and every reason a claim is
 * refused, each with nothing stored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/serialtrack.h>

#include "unit/trace/unit_chain.h"
#include "unit/tmp_store.h"

typedef struct fx {
    tmp_store t;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || tmp_store_open(&f->t, "warranty"))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    tmp_store_remove(&f->t);
    free(f);
    return 0;
}

static void set_terms(st_store *s, st_warranty_base base, int months, const char *until)
{
    st_warranty_terms t = {0};
    snprintf(t.gtin, sizeof t.gtin, "%s", CH_GTIN);
    t.base = base;
    t.months = months;
    if (until)
        snprintf(t.until, sizeof t.until, "%s", until);
    st_error e;
    assert_int_equal(st_warranty_terms_set(s, &t, "test", &e), ST_OK);
}

/* Claims stored for unit id, counted from the warranty's JSON. */
static int claims_of(st_store *s, const char *id)
{
    st_warranty w;
    assert_int_equal(st_warranty_get(s, id, 0, &w, NULL), ST_OK);
    st_jw j;
    st_jw_init(&j);
    assert_int_equal(st_warranty_write_json(s, &w, &j, NULL), ST_OK);
    st_jw_raw(&j, "", 1); /* a NUL to end the text */
    int n = 0;
    for (const char *p = j.p; (p = strstr(p, "\"claimed_at\"")) != NULL; p++)
        n++;
    st_jw_free(&j);
    return n;
}

static void test_terms(void **state)
{
    st_store *s = ((fx *)*state)->t.s;
    st_warranty_terms t = {0}, got;
    st_error e;
    /* a GTIN-13 is stored as its GTIN-14 */
    snprintf(t.gtin, sizeof t.gtin, "9520123456788");
    t.base = ST_WARRANTY_FROM_SALE;
    t.months = 24;
    t.return_days = 14;
    assert_int_equal(st_warranty_terms_set(s, &t, "test", &e), ST_OK);
    assert_int_equal(st_warranty_terms_get(s, CH_GTIN, &got, &e), ST_OK);
    assert_string_equal(got.gtin, CH_GTIN);
    assert_int_equal(got.base, ST_WARRANTY_FROM_SALE);
    assert_int_equal(got.months, 24);
    assert_int_equal(got.return_days, 14);
    /* replaced whole */
    set_terms(s, ST_WARRANTY_FIXED, 0, "2030-12-31");
    assert_int_equal(st_warranty_terms_get(s, CH_GTIN, &got, &e), ST_OK);
    assert_int_equal(got.base, ST_WARRANTY_FIXED);
    assert_string_equal(got.until, "2030-12-31");
    assert_int_equal(got.return_days, 0);
    assert_int_equal(st_warranty_terms_get(s, CH_GTIN_BARE, &got, &e), ST_ERR_NOT_FOUND);
    /* refusals */
    static const struct {
        const char *gtin;
        int base, months;
        const char *until;
        int return_days;
        st_rc rc;
        const char *msg;
    } bad[] = {
        {"09520123456789", 1, 12, "", 0, ST_ERR_CHECK_DIGIT, "check digit"},
        {"0952012345", 1, 12, "", 0, ST_ERR_LENGTH, "has 10 digits"},
        {CH_GTIN, 1, 0, "", 0, ST_ERR_RANGE, "months is 0"},
        {CH_GTIN, 2, ST_WARRANTY_MAX_MONTHS + 1, "", 0, ST_ERR_RANGE, "1 to 1200"},
        {CH_GTIN, 3, 0, "2030-02-30", 0, ST_ERR_DATE, "2030-02-30"},
        {CH_GTIN, 3, 12, "2030-01-31", 0, ST_ERR_ARG, "not both"},
        {CH_GTIN, 1, 12, "2030-01-31", 0, ST_ERR_ARG, "not both"},
        {CH_GTIN, 0, 12, "", 0, ST_ERR_ARG, "sale or manufacture"},
        {CH_GTIN, 1, 12, "", ST_RETURN_MAX_DAYS + 1, ST_ERR_RANGE, "return_days"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        memset(&t, 0, sizeof t);
        snprintf(t.gtin, sizeof t.gtin, "%s", bad[i].gtin);
        t.base = (st_warranty_base)bad[i].base;
        t.months = bad[i].months;
        snprintf(t.until, sizeof t.until, "%s", bad[i].until);
        t.return_days = bad[i].return_days;
        st_error_clear(&e);
        assert_int_equal(st_warranty_terms_set(s, &t, "test", &e), bad[i].rc);
        if (!strstr(e.msg, bad[i].msg))
            fail_msg("row %zu: [%s] lacks [%s]", i, e.msg, bad[i].msg);
    }
    /* the refusals changed nothing */
    assert_int_equal(st_warranty_terms_get(s, CH_GTIN, &got, &e), ST_OK);
    assert_string_equal(got.until, "2030-12-31");
}

static void test_claim_within_and_after(void **state)
{
    st_store *s = ((fx *)*state)->t.s;
    const char *u = CH_DL "W1";
    set_terms(s, ST_WARRANTY_FROM_SALE, 12, NULL);
    assert_int_equal(ch_commission(s, u, "2025-01-10T08:00:00Z"), ST_OK);
    assert_int_equal(ch_sell(s, u, "2025-03-01T10:00:00Z"), ST_OK);
    st_warranty w;
    st_error e;
    assert_int_equal(st_warranty_get(s, u, ch_ms("2025-06-01T00:00:00Z"), &w, &e), ST_OK);
    assert_true(w.covered);
    assert_null(w.reason);
    assert_int_equal(w.made_ms, ch_ms("2025-01-10T08:00:00Z"));
    assert_int_equal(w.starts_ms, ch_ms("2025-03-01T10:00:00Z"));
    assert_int_equal(w.ends_ms, ch_ms("2026-03-01T10:00:00Z"));
    int64_t id = 0;
    assert_int_equal(st_warranty_claim(s, "(01)09520123456788(21)W1", "screen flickers", "test",
                                       ch_ms("2025-06-01T00:00:00Z"), &w, &id, &e),
                     ST_OK);
    assert_true(id > 0);
    /* the last covered instant, and the first that is not */
    assert_int_equal(st_warranty_get(s, u, ch_ms("2026-03-01T09:59:59Z"), &w, &e), ST_OK);
    assert_true(w.covered);
    st_error_clear(&e);
    assert_int_equal(
        st_warranty_claim(s, u, "battery", "test", ch_ms("2026-03-01T10:00:00Z"), &w, &id, &e),
        ST_ERR_REFUSED);
    assert_string_equal(w.reason, ST_WARRANTY_R_EXPIRED);
    assert_non_null(strstr(e.msg, "2026-03-01T10:00:00.000Z"));
    assert_int_equal(id, 0);
    assert_int_equal(claims_of(s, u), 1);
    /* the JSON form */
    assert_int_equal(st_warranty_get(s, u, ch_ms("2025-06-01T00:00:00Z"), &w, &e), ST_OK);
    st_jw j;
    st_jw_init(&j);
    assert_int_equal(st_warranty_write_json(s, &w, &j, &e), ST_OK);
    st_jw_raw(&j, "", 1);
    assert_non_null(strstr(j.p, "\"covered\":true"));
    assert_non_null(strstr(j.p, "\"starts\":\"2025-03-01T10:00:00.000Z\""));
    assert_non_null(strstr(j.p, "\"ends\":\"2026-03-01T10:00:00.000Z\""));
    assert_non_null(strstr(j.p, "\"from\":\"sale\",\"months\":12,\"return_days\":30"));
    assert_non_null(strstr(j.p, "\"description\":\"screen flickers\""));
    st_jw_free(&j);
}

/* Every reason a claim is refused, and that nothing is stored for it. */
static void test_claim_refusals(void **state)
{
    st_store *s = ((fx *)*state)->t.s;
    set_terms(s, ST_WARRANTY_FROM_SALE, 12, NULL);
    const char *now = "2025-06-01T00:00:00Z";
    /* counterfeit: seen (shipped), never commissioned */
    assert_int_equal(
        ch_event(s, CH_DL "FAKE", "2025-02-01T00:00:00Z", "OBSERVE", "shipping", "in_transit"),
        ST_OK);
    /* unsold, while the terms run from the sale */
    assert_int_equal(ch_commission(s, CH_DL "UNSOLD", "2025-01-10T08:00:00Z"), ST_OK);
    /* no terms for its GTIN */
    const char *bare = "https://id.gs1.org/01/" CH_GTIN_BARE "/21/B1";
    assert_int_equal(ch_commission(s, bare, "2025-01-10T08:00:00Z"), ST_OK);
    assert_int_equal(ch_sell(s, bare, "2025-02-10T08:00:00Z"), ST_OK);
    /* expired */
    assert_int_equal(ch_commission(s, CH_DL "OLD", "2020-01-10T08:00:00Z"), ST_OK);
    assert_int_equal(ch_sell(s, CH_DL "OLD", "2020-02-10T08:00:00Z"), ST_OK);
    /* sold after the moment asked: not started */
    assert_int_equal(ch_commission(s, CH_DL "LATER", "2025-01-10T08:00:00Z"), ST_OK);
    static const struct {
        const char *id, *reason, *msg;
    } rows[] = {
        {CH_DL "NEVER", ST_WARRANTY_R_UNKNOWN, "never been seen"},
        {CH_DL "FAKE", ST_WARRANTY_R_NOT_GENUINE, "no commissioning event"},
        {CH_DL "UNSOLD", ST_WARRANTY_R_UNSOLD, "not sold"},
        {"https://id.gs1.org/01/" CH_GTIN_BARE "/21/B1", ST_WARRANTY_R_NO_TERMS, CH_GTIN_BARE},
        {CH_DL "OLD", ST_WARRANTY_R_EXPIRED, "ended at 2021-02-10"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        st_warranty w;
        st_error e;
        st_error_clear(&e);
        int64_t id = -1;
        st_rc rc = st_warranty_claim(s, rows[i].id, "broken", "test", ch_ms(now), &w, &id, &e);
        if (rc != ST_ERR_REFUSED || !w.reason || strcmp(w.reason, rows[i].reason))
            fail_msg("row %zu: rc %d reason %s, expected %s", i, rc, w.reason ? w.reason : "-",
                     rows[i].reason);
        if (!strstr(e.msg, rows[i].msg) || !strstr(e.msg, rows[i].reason))
            fail_msg("row %zu: [%s] lacks [%s]", i, e.msg, rows[i].msg);
        assert_int_equal(id, 0);
        assert_false(w.covered);
    }
    st_warranty w;
    assert_int_equal(ch_sell(s, CH_DL "LATER", "2025-07-01T00:00:00Z"), ST_OK);
    assert_int_equal(st_warranty_claim(s, CH_DL "LATER", "x", NULL, ch_ms(now), &w, NULL, NULL),
                     ST_ERR_REFUSED);
    assert_string_equal(w.reason, ST_WARRANTY_R_NOT_STARTED);
    /* no claim was stored for any of them */
    assert_int_equal(claims_of(s, CH_DL "UNSOLD"), 0);
    assert_int_equal(claims_of(s, CH_DL "OLD"), 0);
    /* bad input is not a refusal */
    st_error e;
    assert_int_equal(st_warranty_claim(s, CH_DL "OLD", "", NULL, 0, &w, NULL, &e), ST_ERR_ARG);
    assert_int_equal(st_warranty_claim(s, "not an id", "x", NULL, 0, &w, NULL, &e), ST_ERR_SYNTAX);
}

static void test_from_manufacture_and_fixed(void **state)
{
    st_store *s = ((fx *)*state)->t.s;
    const char *u = CH_DL "M1";
    assert_int_equal(ch_commission(s, u, "2024-01-31T12:00:00Z"), ST_OK);
    st_warranty w;
    /* from manufacture: unsold units are covered; 1 month from Jan 31 ends on Feb 29 (leap) */
    set_terms(s, ST_WARRANTY_FROM_MANUFACTURE, 1, NULL);
    assert_int_equal(st_warranty_get(s, u, ch_ms("2024-02-10T00:00:00Z"), &w, NULL), ST_OK);
    assert_true(w.covered);
    assert_int_equal(w.starts_ms, ch_ms("2024-01-31T12:00:00Z"));
    assert_int_equal(w.ends_ms, ch_ms("2024-02-29T12:00:00Z"));
    set_terms(s, ST_WARRANTY_FROM_MANUFACTURE, 13, NULL);
    assert_int_equal(st_warranty_get(s, u, ch_ms("2024-02-10T00:00:00Z"), &w, NULL), ST_OK);
    assert_int_equal(w.ends_ms, ch_ms("2025-02-28T12:00:00Z"));
    /* fixed: from the sale (else manufacture) to the end of the day given */
    set_terms(s, ST_WARRANTY_FIXED, 0, "2024-12-31");
    assert_int_equal(st_warranty_get(s, u, ch_ms("2024-12-31T23:59:59Z"), &w, NULL), ST_OK);
    assert_true(w.covered);
    assert_int_equal(w.starts_ms, ch_ms("2024-01-31T12:00:00Z"));
    assert_int_equal(w.ends_ms, ch_ms("2025-01-01T00:00:00Z"));
    assert_int_equal(st_warranty_get(s, u, ch_ms("2025-01-01T00:00:00Z"), &w, NULL), ST_OK);
    assert_false(w.covered);
    assert_string_equal(w.reason, ST_WARRANTY_R_EXPIRED);
    assert_int_equal(ch_sell(s, u, "2024-03-01T00:00:00Z"), ST_OK);
    assert_int_equal(st_warranty_get(s, u, ch_ms("2024-06-01T00:00:00Z"), &w, NULL), ST_OK);
    assert_int_equal(w.starts_ms, ch_ms("2024-03-01T00:00:00Z"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_terms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_within_and_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_from_manufacture_and_fixed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
