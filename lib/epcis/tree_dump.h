/*
 * st_evdump: a compact, deterministic text rendering of an event tree, one
 * line per node, for tests and debugging. The JSON-LD and XML readers' tests
 * compare their trees through it, so the format is stable:
 *
 *     <2 spaces per depth>[{ns}][prefix:]name[ [flags]][=value]
 *
 * flags are letters in this order: A (ST_EVN_ATTR), N (ST_EVN_NUMBER),
 * B (ST_EVN_BOOL), L (ST_EVN_LIST). A value is written after '=' with
 * '\\', newline, carriage return, tab and other control bytes escaped
 * (\\ \n \r \t \xHH); a NULL value writes no '='. The prefix is written only
 * with ST_EVDUMP_PREFIX, so that by default two documents that bind the same
 * namespace to different prefixes dump the same.
 */
#ifndef ST_EPCIS_TREE_DUMP_H
#define ST_EPCIS_TREE_DUMP_H

#include <stddef.h>
#include <stdio.h>

#include "common/arena.h"
#include "epcis/event.h"

/* Options of st_evdump */
#define ST_EVDUMP_PREFIX 0x01 /* write "prefix:" before the name of nodes that have one */

/* The dump of the tree rooted at n (its siblings are not included) as a
 * NUL-terminated string owned by a; "" for a NULL n; NULL when a is out of
 * memory or over its cap. */
char *st_evdump(st_arena *a, const st_evnode *n, unsigned opts);

/* Write the dump of the tree rooted at n to f (nothing for a NULL n).
 * Returns 0, or -1 when writing failed. */
int st_evdump_file(FILE *f, const st_evnode *n, unsigned opts);

#endif
