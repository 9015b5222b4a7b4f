/*
 * serialtrack: the command-line front of libserialtrack. Dispatches to one
 * subcommand per file (src/cmd_*.c).
 */
#include <stdio.h>
#include <string.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"

struct command {
    const char *name;                  /* first word on the command line */
    int (*run)(int argc, char **argv); /* gets the words after the name */
    const char *summary;               /* one line for `serialtrack help` */
};

static const struct command commands[] = {
    {"id", cmd_id, "parse, convert and encode GS1 identifiers (id parse, id encode)"},
    {"serials", cmd_serials,
     "generate or allocate serials (serials generate|allocate|allocations)"},
    {"commission", cmd_commission, "commission up to 100,000 units in one capture (commission)"},
    {"epcis", cmd_epcis, "validate and convert EPCIS documents (epcis validate, epcis convert)"},
    {"hash", cmd_hash, "print the CBV 2.0 event hash ID of every event in a document"},
    {"capture", cmd_capture, "store EPCIS documents in the event store (capture FILE...)"},
    {"events", cmd_events, "query stored events with EPCIS query parameters"},
    {"trace", cmd_trace, "one unit's state, history, containers and genealogy"},
    {"recall", cmd_recall, "targeted recall: affected units, scope, report, execution"},
    {"warranty", cmd_warranty,
     "warranty terms of a GTIN, a unit's warranty, claims (warranty terms|show|claim)"},
    {"returns", cmd_returns, "decide, route and record returns (returns create|list)"},
    {"demo", cmd_demo, "generate a realistic supply chain into the store (demo --units N)"},
    {"serve", cmd_serve, "serve the HTTP API (EPCIS REST binding, items) over the store"},
    {"anomalies", cmd_anomalies, "what the lifecycle rules found (anomalies [--type T])"},
    {"verify", cmd_verify, "the public authenticity check of one unit (verify ID)"},
    {"keys", cmd_keys, "API keys of the server (keys create, keys list, keys revoke)"},
    {"db", cmd_db, "create or upgrade the store, show what it holds (db migrate, db info)"},
    {"audit", cmd_audit, "recompute the tamper-evident chain (audit verify)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: serialtrack COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-10s %s\n", "version", "print the version");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
        printf("serialtrack %s\n", st_version());
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "serialtrack: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
