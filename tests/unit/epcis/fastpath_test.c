/*
 * The EPCIS hot paths repeat rules of lib/gs1 for speed: hashing turns plain
 * sgtin/sscc/sgln URNs straight into Digital Links, and validation checks
 * identifiers without the allocating st_id_parse. These tests pin each fast
 * path to the full path over thousands of generated identifiers, valid and
 * not, so the two can never drift apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <serialtrack/id.h>

#include "epcis/cbv.h"
#include "epcis/hashid.h"
#include "epcis/validate_int.h"
#include "gs1/checkdigit.h"

/* A small deterministic generator. */
static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

static void digits(char *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (char)('0' + rnd() % 10);
    out[n] = '\0';
}

/* One URN of scheme k (0 sgtin, 1 sscc, 2 sgln), sometimes subtly wrong. */
static void make_urn(int k, char *out, size_t cap)
{
    int L = 6 + (int)(rnd() % 7); /* company prefix 6..12 digits */
    char cp[16], ref[20], ser[24];
    digits(cp, L);
    static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    int sn = 1 + (int)(rnd() % 20);
    for (int i = 0; i < sn; i++)
        ser[i] = alnum[rnd() % (sizeof alnum - 1)];
    ser[sn] = '\0';
    if (rnd() % 10 == 0)
        ser[rnd() % sn] = "%/'.-_!"[rnd() % 7]; /* characters that need care */
    int total = k == 0 ? 13 : k == 1 ? 17 : 12;
    int rl = total - L;
    if (rnd() % 15 == 0)
        rl += rnd() % 2 ? 1 : -1; /* wrong field width */
    digits(ref, rl < 0 ? 0 : rl);
    if (k == 0)
        snprintf(out, cap, "urn:epc:id:sgtin:%s.%s.%s", cp, ref, ser);
    else if (k == 1)
        snprintf(out, cap, "urn:epc:id:sscc:%s.%s", cp, ref);
    else
        snprintf(out, cap, "urn:epc:id:sgln:%s.%s.%s", cp, ref, rnd() % 3 ? ser : "0");
}

static void test_hash_fast_path_matches_key(void **state)
{
    (void)state;
    int compared = 0;
    for (int i = 0; i < 6000; i++) {
        char urn[128];
        make_urn(i % 3, urn, sizeof urn);
        st_id *id = NULL;
        if (st_id_parse(urn, strlen(urn), NULL, &id, NULL) != ST_OK)
            continue; /* not an identifier: the hash keeps such text as it is */
        const char *ser = strrchr(urn, '.') + 1;
        int plain = 1; /* the fast path only takes plain serials */
        for (const char *p = ser; *p; p++)
            if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= 'a' && *p <= 'z')))
                plain = 0;
        char canon[512];
        assert_int_equal(st_hashid_canon_value(urn, -1, NULL, canon, sizeof canon), ST_OK);
        if (plain) {
            if (strcmp(canon, st_id_key(id)))
                print_error("%s: hash %s, key %s\n", urn, canon, st_id_key(id));
            assert_string_equal(canon, st_id_key(id));
            compared++;
        }
        st_id_destroy(id);
    }
    assert_true(compared > 3000);
    /* the serial is the rest of the URI and may hold '.' (it was once cut at it) */
    char canon[256];
    assert_int_equal(st_hashid_canon_value("urn:epc:id:sgtin:0614141.107346.A.B.7", -1, NULL,
                                           canon, sizeof canon),
                     ST_OK);
    assert_string_equal(canon, "https://id.gs1.org/01/10614141073464/21/A.B.7");
    assert_int_equal(st_hashid_canon_value("urn:epc:id:giai:0614141.12.34", -1, NULL, canon,
                                           sizeof canon),
                     ST_OK);
    assert_string_equal(canon, "https://id.gs1.org/8004/061414112.34");
}

static void test_validation_fast_path_matches_st_id_parse(void **state)
{
    (void)state;
    int valid = 0, invalid = 0;
    for (int i = 0; i < 6000; i++) {
        char urn[128];
        make_urn(i % 3, urn, sizeof urn);
        st_id *id = NULL;
        st_error err;
        st_rc full = st_id_parse(urn, strlen(urn), NULL, &id, &err);
        st_id_destroy(id);
        char why[256] = "";
        st_rc fast = st_val_identifier(urn, strlen(urn), ST_V_INSTANCE, why, sizeof why);
        /* A '%' that starts no escape is a URI fault that validation reports
         * before the identifier's own rules; otherwise the first fault is the same. */
        int same_code = !strchr(urn, '%');
        if ((full == ST_OK) != (fast == ST_OK) || (full && same_code && fast != full))
            print_error("%s: st_id_parse %d (%s), validation %d (%s)\n", urn, full, err.msg,
                        fast, why);
        assert_int_equal(full == ST_OK, fast == ST_OK);
        if (full == ST_OK)
            valid++;
        else {
            if (same_code)
                assert_int_equal(fast, full);
            invalid++;
        }
    }
    assert_true(valid > 1000 && invalid > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_fast_path_matches_key),
        cmocka_unit_test(test_validation_fast_path_matches_st_id_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
