/* Tests for lib/epcis/event.c: building and reading event trees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "epcis/event.h"

static void test_type_names(void **state)
{
    (void)state;
    for (int t = ST_EVENT_OBJECT; t <= ST_EVENT_ASSOCIATION; t++)
        assert_int_equal(st_event_type_from_name(st_event_type_name((st_event_type)t)), t);
    assert_int_equal(st_event_type_from_name("QuantityEvent"), ST_EVENT_NONE);
    assert_int_equal(st_event_type_from_name(NULL), ST_EVENT_NONE);
    assert_null(st_event_type_name(ST_EVENT_NONE));
    assert_string_equal(st_event_type_name(ST_EVENT_TRANSFORMATION), "TransformationEvent");
}

static void test_tree(void **state)
{
    (void)state;
    st_arena *a = st_arena_create(0);
    st_evnode *root = st_evnode_add(a, NULL, NULL, "ObjectEvent", NULL, 0, 0);
    assert_non_null(root);
    st_evnode *list = st_evnode_add(a, root, NULL, "epcList", NULL, 0, ST_EVN_LIST);
    const char *epcs[] = {"urn:epc:id:sgtin:0614141.107346.2017",
                          "urn:epc:id:sgtin:0614141.107346.2018"};
    for (int i = 0; i < 2; i++)
        assert_non_null(st_evnode_add(a, list, NULL, "epc", epcs[i], strlen(epcs[i]), 0));
    assert_non_null(st_evnode_add(a, root, NULL, "action", "OBSERVEXX", 7, 0));
    st_evnode *ext = st_evnode_add(a, root, "https://ns.example.com/epcis/", "myField", "1", 1, 0);
    assert_non_null(ext);

    assert_int_equal(st_evnode_count(root, NULL), 3);
    assert_int_equal(st_evnode_count(list, "epc"), 2);
    assert_string_equal(st_evnode_child_value(root, "action"), "OBSERVE");
    assert_null(st_evnode_child(root, "myField")); /* extensions are not EPCIS fields */
    assert_string_equal(ext->ns, "https://ns.example.com/epcis/");
    assert_ptr_equal(ext->parent, root);
    assert_ptr_equal(root->last, ext);
    assert_string_equal(list->first->next->value, epcs[1]);
    assert_null(list->first->next->next);
    st_arena_destroy(a);

    a = st_arena_create(64); /* the cap stops a tree from growing */
    root = st_evnode_add(a, NULL, NULL, "ObjectEvent", NULL, 0, 0);
    st_evnode *n = root;
    for (int i = 0; i < 10 && n; i++)
        n = st_evnode_add(a, root, NULL, "epc", "x", 1, 0);
    assert_null(n);
    assert_true(st_arena_over_cap(a));
    st_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
