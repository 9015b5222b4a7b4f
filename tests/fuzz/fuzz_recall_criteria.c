/*
 * Fuzz target for recall criteria (lib/trace/recall.c, st_rcl_parse): the
 * JSON body of POST /recalls, straight from the network. Whatever parses
 * must hold at least one criterion, at most ST_RECALL_MAX_CRITERIA, every
 * key a non-empty string and every time window ordered; whatever fails must
 * say why.
 */
#include <serialtrack/limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/arena.h"
#include "common/error.h"
#include "trace/recall_int.h"

static void fail(const char *what, const uint8_t *in, size_t n)
{
    fprintf(stderr, "fuzz_recall_criteria: %s\n  input: %.*s\n", what, (int)n, (const char *)in);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_arena *a = st_arena_create(0);
    if (!a)
        return 0;
    st_rcl_criteria c = {0};
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_rcl_parse((const char *)data, size, a, &c, &e);
    if (rc == ST_OK) {
        size_t n = c.nlots + c.nids + c.nlocs;
        if (n == 0)
            fail("parsed with no criterion", data, size);
        if (n > ST_RECALL_MAX_CRITERIA)
            fail("parsed over the cap", data, size);
        for (size_t i = 0; i < c.nlots; i++)
            if (!c.lots[i] || !c.lots[i][0])
                fail("an empty lot key", data, size);
        for (size_t i = 0; i < c.nids; i++)
            if (!c.ids[i] || !c.ids[i][0])
                fail("an empty identifier key", data, size);
        for (size_t i = 0; i < c.nlocs; i++)
            if (!c.locs[i].key || !c.locs[i].key[0] || c.locs[i].from > c.locs[i].to)
                fail("a location without a key or with a backward window", data, size);
    } else if (!e.msg[0]) {
        fail("refused without a reason", data, size);
    }
    st_arena_destroy(a);
    return 0;
}
