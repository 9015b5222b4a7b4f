/*
 * `serialtrack events [NAME=VALUE ...]`: an EPCIS simple event query over
 * the event store, printed as an EPCISQueryDocument.
 */
#include <stdio.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"

int cmd_events(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "serialtrack events: not built yet\n");
    return CLI_FAILURE;
}
