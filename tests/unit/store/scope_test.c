/*
 * Partner scope (lib/store/scope.c): a party's key in every form it may be
 * given, the locations that are the party's (its GLN, the GLN's
 * extensions, the sites below them in master data, nothing else), and the
 * event check on source, destination, read point and business location.
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

#include "store/scope.h"

#define P1 "https://id.gs1.org/417/0614141111114"

static void party_key_forms(void **state)
{
    (void)state;
    static const char *const same[] = {"0614141111114", "(417)0614141111114",
                                       "https://id.gs1.org/417/0614141111114",
                                       "urn:epc:id:pgln:0614141.11111", "4170614141111114"};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        char k[256];
        st_error e;
        st_error_clear(&e);
        assert_int_equal(st_scope_party_key(same[i], k, sizeof k, &e), ST_OK);
        assert_string_equal(k, P1);
    }
    char k[256];
    st_error e;
    st_error_clear(&e);
    assert_int_equal(st_scope_party_key("urn:example:party:acme", k, sizeof k, &e), ST_OK);
    assert_string_equal(k, "urn:example:party:acme");
    static const struct {
        const char *in, *msg;
    } bad[] = {
        {"(417)0614141111115", "check digit"},
        {"urn:epc:id:pgln:0614141", "not a valid GS1 identifier"},
        {"acme", "neither a GLN"},
        {"", "no party"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        st_error_clear(&e);
        assert_int_equal(st_scope_party_key(bad[i].in, k, sizeof k, &e), ST_ERR_SYNTAX);
        if (!strstr(e.msg, bad[i].msg))
            fail_msg("%s: [%s] does not say [%s]", bad[i].in, e.msg, bad[i].msg);
    }
}

static const char doc[] =
    "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\"],"
    "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\"creationDate\":\"2024-01-01T00:00:"
    "00Z\","
    "\"epcisHeader\":{\"epcisMasterData\":{\"vocabularyList\":[{\"type\":"
    "\"urn:epcglobal:epcis:vtype:BusinessLocation\",\"vocabularyElementList\":["
    "{\"id\":\"urn:epc:id:sgln:0614141.11111.0\",\"children\":[\"urn:epc:id:sgln:0614141.33333.0\"]"
    "},"
    "{\"id\":\"urn:epc:id:sgln:0614141.33333.0\",\"children\":[\"urn:epc:id:sgln:0614141.44444.0\"]"
    "}"
    "]}]}},\"epcisBody\":{\"eventList\":[{\"type\":\"ObjectEvent\",\"eventTime\":"
    "\"2024-03-01T08:00:00Z\",\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"OBSERVE\","
    "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.1\"],"
    "\"bizLocation\":{\"id\":\"urn:epc:id:sgln:0614141.22222.0\"}}]}}";

static void locations(void **state)
{
    (void)state;
    tmp_store t;
    assert_int_equal(tmp_store_open(&t, "scope"), 0);
    st_capture_result r;
    assert_int_equal(st_store_capture_mem(t.s, doc, sizeof doc - 1, "doc", &r, NULL), ST_OK);
    st_scope *sc = NULL;
    st_error e;
    st_error_clear(&e);
    assert_int_equal(st_scope_open(t.s, "urn:epc:id:pgln:0614141.11111", &sc, &e), ST_OK);
    assert_string_equal(st_scope_party(sc), P1);
    assert_true(st_scope_key_ok(sc, P1));
    assert_true(st_scope_key_ok(sc, "https://id.gs1.org/414/0614141111114"));
    assert_true(st_scope_key_ok(sc, "https://id.gs1.org/414/0614141111114/254/7"));
    assert_true(st_scope_key_ok(sc, "https://id.gs1.org/414/0614141333332")); /* child */
    assert_true(st_scope_key_ok(sc, "https://id.gs1.org/414/0614141444441")); /* grandchild */
    assert_false(st_scope_key_ok(sc, "https://id.gs1.org/414/0614141222223"));
    assert_false(st_scope_key_ok(sc, "https://id.gs1.org/414/06141411111140"));
    assert_false(st_scope_key_ok(sc, "https://id.gs1.org/417/0614141222223"));
    assert_false(st_scope_key_ok(sc, NULL));
    st_scope_destroy(sc);

    /* a party that is not a GLN has no locations: only its own key */
    assert_int_equal(st_scope_open(t.s, "urn:example:party:acme", &sc, &e), ST_OK);
    assert_true(st_scope_key_ok(sc, "urn:example:party:acme"));
    assert_false(st_scope_key_ok(sc, "https://id.gs1.org/414/0614141111114"));
    st_scope_destroy(sc);
    st_scope_destroy(NULL);

    st_error_clear(&e);
    assert_int_equal(st_scope_open(t.s, "nobody", &sc, &e), ST_ERR_SYNTAX);
    assert_null(sc);
    tmp_store_remove(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(party_key_forms),
        cmocka_unit_test(locations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
