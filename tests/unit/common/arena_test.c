/* Tests for lib/common/arena.c: alignment, big blocks, reset, the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/arena.h"

static void test_alloc_and_align(void **state)
{
    (void)state;
    st_arena *a = st_arena_create(0);
    assert_non_null(a);
    char *prev = NULL;
    for (int i = 1; i < 5000; i++) {
        char *p = st_arena_alloc(a, (size_t)(i % 97) + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xAB, (size_t)(i % 97) + 1); /* ASan checks the bounds */
        assert_ptr_not_equal(p, prev);
        prev = p;
    }
    char *big = st_arena_alloc(a, 1 << 20); /* bigger than a block */
    assert_non_null(big);
    memset(big, 1, 1 << 20);
    char *s = st_arena_strndup(a, "hello world", 5);
    assert_string_equal(s, "hello");
    unsigned char *z = st_arena_calloc(a, 64);
    for (int i = 0; i < 64; i++)
        assert_int_equal(z[i], 0);
    assert_true(st_arena_used(a) > (1 << 20));
    st_arena_reset(a);
    assert_int_equal(st_arena_used(a), 0);
    assert_non_null(st_arena_alloc(a, 100));
    st_arena_destroy(a);
    st_arena_destroy(NULL);
}

static void test_cap(void **state)
{
    (void)state;
    st_arena *a = st_arena_create(1000);
    assert_non_null(st_arena_alloc(a, 900));
    assert_false(st_arena_over_cap(a));
    assert_null(st_arena_alloc(a, 200));
    assert_true(st_arena_over_cap(a));
    assert_null(st_arena_alloc(a, SIZE_MAX));
    assert_null(st_arena_strndup(a, "x", SIZE_MAX));
    st_arena_reset(a);
    assert_false(st_arena_over_cap(a));
    assert_non_null(st_arena_alloc(a, 200));
    st_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_and_align),
        cmocka_unit_test(test_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
