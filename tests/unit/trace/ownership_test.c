/*
 * Sales, transfers and owners (lib/trace/ownership.c,
 * include/serialtrack/ownership.h): a registered sale captures its event
 * or adopts the one stored, owners shown decrypted only with the key and
 * redacted without it, names and contacts absent in plain text from the
 * database files, a customer without a key refused with nothing stored,
 * each reason a sale or transfer is refused, and a sale whose event is
 * refused leaving nothing behind.
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

#include "unit/tmp_store.h"
#include "unit/trace/unit_chain.h"

#define KEY1 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY2 "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define NAME "Ada Quasimodo-Lovelace"
#define CONTACT "ada.quasimodo@example.org"

typedef struct fx {
    tmp_store t;
    st_seal_key *k;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || tmp_store_open(&f->t, "ownership") ||
        st_seal_key_parse(KEY1, strlen(KEY1), &f->k, NULL))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    tmp_store_remove(&f->t);
    st_seal_key_destroy(f->k);
    free(f);
    return 0;
}

static int64_t events_stored(st_store *s)
{
    st_store_info i;
    assert_int_equal(st_store_info_get(s, &i, NULL), ST_OK);
    return i.events;
}

/* The owners of id as JSON text (free it). */
static char *owners(st_store *s, const char *id, const st_seal_key *k)
{
    st_jw j;
    st_jw_init(&j);
    st_error e;
    if (st_owner_write_json(s, id, k, &j, &e) != ST_OK)
        fail_msg("owners of %s: %s", id, e.msg);
    st_jw_raw(&j, "", 1);
    return j.p;
}

/* 1 when the file path holds text. */
static int file_has(const char *path, const char *text)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    size_t m = strlen(text), n = 0, cap = 0;
    char *buf = NULL, chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (n + got > cap) {
            cap = (n + got) * 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        memcpy(buf + n, chunk, got);
        n += got;
    }
    fclose(fp);
    int has = 0;
    for (size_t i = 0; i + m <= n && !has; i++)
        has = !memcmp(buf + i, text, m);
    free(buf);
    return has;
}

static void test_sale_and_transfer(void **state)
{
    fx *f = *state;
    st_store *s = f->t.s;
    const char *u = CH_DL "S1";
    assert_int_equal(ch_commission(s, u, "2025-01-10T08:00:00Z"), ST_OK);
    int64_t before = events_stored(s);
    st_owner_req r = {0};
    r.id = u;
    r.customer.name = NAME;
    r.customer.contact = CONTACT;
    r.reference = "RCPT-1";
    r.at = "2025-03-01T10:00:00Z";
    r.location = "9520123000011";
    r.by = "test";
    r.key = f->k;
    st_owner_result res;
    st_error e;
    if (st_owner_sale(s, &r, &res, &e) != ST_OK)
        fail_msg("sale: %s", e.msg);
    assert_true(res.id > 0);
    assert_true(res.captured);
    assert_int_equal(res.at_ms, ch_ms("2025-03-01T10:00:00Z"));
    assert_int_equal(events_stored(s), before + 1);
    /* the sale event makes the unit sold: a warranty from the sale starts */
    st_warranty_terms t = {0};
    snprintf(t.gtin, sizeof t.gtin, "%s", CH_GTIN);
    t.base = ST_WARRANTY_FROM_SALE;
    t.months = 24;
    assert_int_equal(st_warranty_terms_set(s, &t, "test", NULL), ST_OK);
    st_warranty w;
    assert_int_equal(st_warranty_get(s, u, ch_ms("2025-04-01T00:00:00Z"), &w, NULL), ST_OK);
    assert_true(w.covered);
    assert_int_equal(w.starts_ms, res.at_ms);
    /* a second sale is refused */
    st_error_clear(&e);
    assert_int_equal(st_owner_sale(s, &r, &res, &e), ST_ERR_REFUSED);
    assert_string_equal(res.reason, ST_OWNER_R_ALREADY_SOLD);
    /* a transfer */
    st_owner_req tr = {0};
    tr.id = u;
    tr.customer.name = "Bob Buyer-Second";
    tr.reference = "DEED-9";
    tr.at = "2025-05-01T00:00:00Z";
    tr.key = f->k;
    assert_int_equal(st_owner_transfer(s, &tr, &res, &e), ST_OK);
    assert_false(res.captured);
    assert_int_equal(events_stored(s), before + 1);
    /* with the key: names shown; current owner is the transfer's */
    char *j = owners(s, u, f->k);
    assert_non_null(strstr(j, "\"current\":{\"kind\":\"transfer\""));
    assert_non_null(strstr(j, "\"name\":\"Bob Buyer-Second\""));
    assert_non_null(strstr(j, "\"name\":\"" NAME "\",\"contact\":\"" CONTACT "\""));
    assert_non_null(strstr(j, "\"reference\":\"RCPT-1\",\"location\":\"https://id.gs1.org/414/"
                              "9520123000011\""));
    assert_null(strstr(j, "redacted"));
    free(j);
    /* without: redacted */
    j = owners(s, u, NULL);
    assert_null(strstr(j, NAME));
    assert_null(strstr(j, "Bob"));
    assert_non_null(strstr(j, "\"customer\":{\"redacted\":true}"));
    free(j);
    /* with another key: redacted, and why */
    st_seal_key *k2 = NULL;
    assert_int_equal(st_seal_key_parse(KEY2, strlen(KEY2), &k2, NULL), ST_OK);
    j = owners(s, u, k2);
    assert_null(strstr(j, NAME));
    assert_non_null(strstr(j, "does not authenticate"));
    free(j);
    st_seal_key_destroy(k2);
    /* the database files never hold the plain text */
    char p[400];
    const char *suffix[] = {"", "-wal"};
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s%s", f->t.path, suffix[i]);
        assert_false(file_has(p, NAME));
        assert_false(file_has(p, CONTACT));
        assert_false(file_has(p, "Bob Buyer-Second"));
    }
    /* ... while they do hold the reference, which is not personal */
    snprintf(p, sizeof p, "%s-wal", f->t.path);
    assert_true(file_has(p, "RCPT-1") || file_has(f->t.path, "RCPT-1"));
}

static void test_adopt_and_anonymous(void **state)
{
    fx *f = *state;
    st_store *s = f->t.s;
    const char *u = CH_DL "S2";
    assert_int_equal(ch_commission(s, u, "2025-01-10T08:00:00Z"), ST_OK);
    assert_int_equal(ch_sell(s, u, "2025-02-02T12:00:00Z"), ST_OK);
    /* seen only as an event: an anonymous owner */
    char *j = owners(s, u, f->k);
    assert_non_null(
        strstr(j, "\"current\":{\"kind\":\"sale\",\"at\":\"2025-02-02T12:00:00.000Z\","
                  "\"anonymous\":true,\"reference\":null,\"location\":null,\"customer\":null}"));
    free(j);
    /* registered later: the stored event is adopted, nothing captured */
    int64_t before = events_stored(s);
    st_owner_req r = {0};
    r.id = u;
    r.reference = "ORD-3";
    st_owner_result res;
    assert_int_equal(st_owner_sale(s, &r, &res, NULL), ST_OK);
    assert_false(res.captured);
    assert_int_equal(res.at_ms, ch_ms("2025-02-02T12:00:00Z"));
    assert_int_equal(events_stored(s), before);
    j = owners(s, u, NULL);
    assert_null(strstr(j, "anonymous"));
    assert_non_null(strstr(j, "\"reference\":\"ORD-3\""));
    free(j);
}

static void test_refusals(void **state)
{
    fx *f = *state;
    st_store *s = f->t.s;
    assert_int_equal(
        ch_event(s, CH_DL "FAKE", "2025-02-01T00:00:00Z", "OBSERVE", "shipping", "in_transit"),
        ST_OK);
    assert_int_equal(ch_commission(s, CH_DL "HOT", "2025-01-10T08:00:00Z"), ST_OK);
    assert_int_equal(
        ch_event(s, CH_DL "HOT", "2025-02-01T00:00:00Z", "OBSERVE", "inspecting", "stolen"), ST_OK);
    assert_int_equal(ch_commission(s, CH_DL "NEW", "2025-01-10T08:00:00Z"), ST_OK);
    int64_t before = events_stored(s);
    static const struct {
        const char *id;
        int transfer;
        const char *reason;
    } rows[] = {
        {CH_DL "NEVER", 0, ST_OWNER_R_UNKNOWN},    {CH_DL "FAKE", 0, ST_OWNER_R_NOT_GENUINE},
        {CH_DL "HOT", 0, ST_OWNER_R_STOLEN},       {CH_DL "NEW", 1, ST_OWNER_R_UNSOLD},
        {CH_DL "FAKE", 1, ST_OWNER_R_NOT_GENUINE},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        st_owner_req r = {0};
        r.id = rows[i].id;
        r.customer.name = "Someone";
        r.key = f->k;
        st_owner_result res;
        st_error e;
        st_error_clear(&e);
        st_rc rc =
            rows[i].transfer ? st_owner_transfer(s, &r, &res, &e) : st_owner_sale(s, &r, &res, &e);
        if (rc != ST_ERR_REFUSED || !res.reason || strcmp(res.reason, rows[i].reason))
            fail_msg("row %zu: rc %d reason %s (%s)", i, rc, res.reason ? res.reason : "-", e.msg);
        assert_string_equal(res.field, "id");
    }
    /* a customer and no key: refused before anything is written */
    st_owner_req r = {0};
    r.id = CH_DL "NEW";
    r.customer.name = NAME;
    st_owner_result res;
    st_error e;
    assert_int_equal(st_owner_sale(s, &r, &res, &e), ST_ERR_UNSUPPORTED);
    assert_non_null(strstr(e.msg, "SERIALTRACK_DATA_KEY_FILE"));
    /* field errors */
    r.key = f->k;
    r.customer.name = NULL;
    r.customer.contact = CONTACT;
    assert_int_equal(st_owner_sale(s, &r, &res, &e), ST_ERR_ARG);
    assert_string_equal(res.field, "customer.name");
    r.customer.name = NAME;
    r.at = "yesterday";
    assert_int_equal(st_owner_sale(s, &r, &res, &e), ST_ERR_DATE);
    assert_string_equal(res.field, "at");
    /* a location the validator refuses (a GLN with a wrong check digit): the
     * event is refused, and the registration committed with it is not stored */
    r.at = NULL;
    r.location = "9520123000013";
    assert_int_equal(st_owner_sale(s, &r, &res, &e), ST_ERR_SYNTAX);
    assert_string_equal(res.field, "location");
    assert_non_null(strstr(e.msg, "check digit"));
    assert_int_equal(events_stored(s), before);
    char *j = owners(s, CH_DL "NEW", NULL);
    assert_non_null(strstr(j, "\"current\":null,\"history\":[]"));
    free(j);
    st_jw w;
    st_jw_init(&w);
    assert_int_equal(st_owner_write_json(s, CH_DL "NEVER", NULL, &w, &e), ST_ERR_NOT_FOUND);
    st_jw_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sale_and_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_adopt_and_anonymous, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
