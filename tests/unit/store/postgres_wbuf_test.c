/*
 * The buffers of the PostgreSQL write path (lib/store/postgres_wbuf.c),
 * without a server: rows of COPY ... (FORMAT binary) byte for byte as the
 * PostgreSQL documentation lays the format out (signature, flags, header
 * extension, per row a 16-bit field count, per field a 32-bit length or -1
 * for NULL and the value in network byte order, -1 as trailer); array
 * literals quote and escape text and write NULL elements; rows of integers
 * gathered in any order with repeats come out sorted and unique (none when
 * none was added); the byte-string set finds what was added and nothing
 * else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres_wbuf.h"

static void copy_rows(void **state)
{
    (void)state;
    st_pgbuf b = {0};
    st_pgcopy_row(&b, 4);
    st_pgcopy_int(&b, 258);
    st_pgcopy_opt(&b, 0);
    st_pgcopy_bytes(&b, "ab", 2);
    st_pgcopy_int(&b, -1);
    st_pgcopy_end(&b);
    static const unsigned char want[] = {
        'P',  'G',  'C',  'O',  'P',  'Y',  '\n', 0xff, '\r', '\n', 0, /* signature */
        0,    0,    0,    0,                                           /* flags */
        0,    0,    0,    0,                                           /* header extension length */
        0,    4,                                                       /* fields of the row */
        0,    0,    0,    8,    0,    0,    0,    0,    0,    0,    1,    2,    /* BIGINT 258 */
        0xff, 0xff, 0xff, 0xff,                                                 /* NULL */
        0,    0,    0,    2,    'a',  'b',                                      /* two bytes */
        0,    0,    0,    8,    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* BIGINT -1 */
        0xff, 0xff,                                                             /* trailer */
    };
    assert_false(b.oom);
    assert_int_equal(b.n, sizeof want);
    assert_memory_equal(b.p, want, sizeof want);
    free(b.p);
}

static void copy_no_rows(void **state)
{
    (void)state;
    st_pgbuf b = {0};
    st_pgcopy_end(&b); /* header and trailer: a valid COPY of nothing */
    assert_int_equal(b.n, 21);
    assert_memory_equal(b.p, "PGCOPY\n\377\r\n", 10);
    assert_int_equal((unsigned char)b.p[19], 0xff);
    assert_int_equal((unsigned char)b.p[20], 0xff);
    free(b.p);
}

static void array_literals(void **state)
{
    (void)state;
    st_pgarr a = {{0}, 0};
    assert_string_equal(st_pgarr_end(&a), "{}");
    st_pgarr_reset(&a);
    st_pgarr_int(&a, 1, 0);
    st_pgarr_int(&a, 7, 1);
    st_pgarr_int(&a, -5, 0);
    assert_string_equal(st_pgarr_end(&a), "{1,NULL,-5}");
    st_pgarr_reset(&a);
    st_pgarr_text(&a, "a\"b\\c");
    st_pgarr_text(&a, NULL);
    st_pgarr_text(&a, "NULL");
    assert_string_equal(st_pgarr_end(&a), "{\"a\\\"b\\\\c\",NULL,\"NULL\"}");
    assert_int_equal(a.n, 3);
    free(a.b.p);
}

/* The BIGINT of field k of the row at p (a 2-byte count, then per field a
 * 4-byte length and 8 bytes). */
static int64_t field(const unsigned char *p, int k)
{
    const unsigned char *f = p + 2 + k * 12 + 4;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | f[i];
    return (int64_t)v;
}

static void unique_rows(void **state)
{
    (void)state;
    st_pgtup t = {.w = 3};
    st_pgbuf b = {0};
    st_pgtup_copy(&t, &b); /* nothing added: no row, not even the header */
    assert_int_equal(b.n, 0);
    static const int64_t in[][3] = {{5, 1, 9},  {2, 7, 3}, {5, 1, 9}, {2, 7, 1},
                                    {-4, 0, 0}, {2, 7, 3}, {5, 1, 8}};
    for (size_t i = 0; i < sizeof in / sizeof *in; i++)
        st_pgtup_add(&t, in[i]);
    assert_false(t.oom);
    st_pgtup_copy(&t, &b);
    assert_int_equal(t.n, 0); /* emptied */
    static const int64_t want[][3] = {{-4, 0, 0}, {2, 7, 1}, {2, 7, 3}, {5, 1, 8}, {5, 1, 9}};
    size_t rows = sizeof want / sizeof *want, row = 2 + 3 * 12;
    assert_int_equal(b.n, 19 + rows * row);
    for (size_t i = 0; i < rows; i++) {
        const unsigned char *r = (const unsigned char *)b.p + 19 + i * row;
        assert_int_equal(r[0] << 8 | r[1], 3);
        for (int k = 0; k < 3; k++)
            assert_int_equal(field(r, k), want[i][k]);
    }
    free(t.v);
    free(b.p);
}

static void byte_set(void **state)
{
    (void)state;
    st_pgbset s;
    assert_int_equal(st_pgbset_init(&s, 100), 0);
    char keys[100][8];
    for (int i = 0; i < 100; i++) {
        memset(keys[i], 0, sizeof keys[i]);
        keys[i][0] = (char)i;
        keys[i][7] = (char)(i * 3);
        assert_int_equal(st_pgbset_find(&s, keys[i], 8, 1), 0); /* new: added */
    }
    for (int i = 0; i < 100; i++)
        assert_int_equal(st_pgbset_find(&s, keys[i], 8, 0), 1);
    char other[8] = {0};
    other[0] = 1;                                         /* keys[1] but for its last byte */
    assert_int_equal(st_pgbset_find(&s, other, 8, 0), 0); /* not added by a look-up */
    assert_int_equal(st_pgbset_find(&s, keys[1], 7, 0), 0);
    assert_int_equal(st_pgbset_find(&s, other, 8, 0), 0);
    st_pgbset_free(&s);
    assert_null(s.e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copy_rows),      cmocka_unit_test(copy_no_rows),
        cmocka_unit_test(array_literals), cmocka_unit_test(unique_rows),
        cmocka_unit_test(byte_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
