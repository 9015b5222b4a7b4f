/*
 * `serialtrack trace ID`: one unit's state, history, containers and
 * genealogy, from the event store.
 */
#include <stdio.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"

int cmd_trace(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "serialtrack trace: not built yet\n");
    return CLI_FAILURE;
}
