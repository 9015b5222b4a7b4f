/*
 * `serialtrack trace ID`: one unit's state, history, containers and
 * genealogy, from the event store, as one JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"

static int usage(void)
{
    fprintf(stderr,
            "usage: serialtrack trace [--db URL] [--depth N] [--only state|history|containers|"
            "up|down] ID\n"
            "  ID: any form of the identifier: EPC URI, Digital Link, element string, EPC hex,\n"
            "      or a lot (urn:epc:class:lgtin:..., (01)...(10)...)\n"
            "  --depth N: genealogy levels to follow (default: all)\n"
            "  --only P: just one part (repeatable)\n");
    return CLI_USAGE;
}

static unsigned part_of(const char *p)
{
    return !strcmp(p, "state")        ? ST_TRACE_STATE
           : !strcmp(p, "history")    ? ST_TRACE_HISTORY
           : !strcmp(p, "containers") ? ST_TRACE_CONTAINER
           : !strcmp(p, "up")         ? ST_TRACE_UP
           : !strcmp(p, "down")       ? ST_TRACE_DOWN
                                      : 0;
}

int cmd_trace(int argc, char **argv)
{
    const char *db = NULL, *id = NULL;
    st_trace_opts o = {0};
    for (int i = 0; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--db") && v) {
            db = v;
            i++;
        } else if (!strcmp(argv[i], "--depth") && v) {
            char *end;
            long d = strtol(v, &end, 10);
            if (*end || d < 0 || d > 1000000)
                return usage();
            o.depth = (int)d;
            i++;
        } else if (!strcmp(argv[i], "--only") && v) {
            unsigned p = part_of(v);
            if (!p)
                return usage();
            o.parts |= p;
            i++;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            return usage();
        } else if (!id) {
            id = argv[i];
        } else {
            return usage();
        }
    }
    if (!id)
        return usage();
    st_store_opts so = {.read_only = 1};
    st_store *s = NULL;
    st_error e;
    st_error_clear(&e);
    if (st_store_open(db, &so, &s, &e)) {
        fprintf(stderr, "serialtrack trace: %s\n", e.msg);
        return CLI_FAILURE;
    }
    st_jw j;
    st_jw_init(&j);
    st_rc rc = st_trace_write(s, id, &o, &j, &e);
    int code = CLI_OK;
    if (rc == ST_OK) {
        if (st_jw_flush_line(&j, stdout))
            code = CLI_FAILURE;
    } else {
        fprintf(stderr, "serialtrack trace: %s\n", e.msg[0] ? e.msg : st_strerror(rc));
        code = rc == ST_ERR_SYNTAX      ? CLI_USAGE
               : rc == ST_ERR_NOT_FOUND ? CLI_INVALID
                                        : CLI_FAILURE;
    }
    st_jw_free(&j);
    st_store_close(s);
    return code;
}
