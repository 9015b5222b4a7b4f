/*
 * Tests for the calendar arithmetic (lib/common/civil.c): known days on
 * both sides of the epoch, leap days of 2000 and 2024 and none in 1900,
 * and a round trip over every day from 1600 to 2400.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/civil.h"

static void test_known_days(void **state)
{
    (void)state;
    assert_int_equal(st_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(st_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(st_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(st_days_from_civil(2024, 2, 29) + 1, st_days_from_civil(2024, 3, 1));
    assert_int_equal(st_days_from_civil(2000, 2, 29) + 1, st_days_from_civil(2000, 3, 1));
    assert_int_equal(st_days_from_civil(1900, 2, 28) + 1, st_days_from_civil(1900, 3, 1));
    int64_t y;
    int m, d;
    st_civil_from_days(-1, &y, &m, &d);
    assert_true(y == 1969 && m == 12 && d == 31);
    st_civil_from_days(19782, &y, &m, &d); /* 2024-02-29 */
    assert_true(y == 2024 && m == 2 && d == 29);
}

static void test_round_trip(void **state)
{
    (void)state;
    int64_t from = st_days_from_civil(1600, 1, 1), to = st_days_from_civil(2400, 12, 31);
    int64_t py = 1599;
    int pm = 12, pd = 31;
    for (int64_t z = from; z <= to; z++) {
        int64_t y;
        int m, d;
        st_civil_from_days(z, &y, &m, &d);
        assert_int_equal(st_days_from_civil(y, m, d), z);
        /* the next day of the previous one */
        int next = (d == 1 && (m == pm + 1 || (m == 1 && pm == 12 && y == py + 1))) ||
                   (d == pd + 1 && m == pm && y == py);
        assert_true(next);
        py = y;
        pm = m;
        pd = d;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_days),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
