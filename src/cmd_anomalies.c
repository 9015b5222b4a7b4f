/*
 * `serialtrack anomalies` (what the lifecycle rules recorded, as JSON lines)
 * and `serialtrack verify ID` (the public authenticity check, as the server's
 * GET /verify/{id} answers it), and the --rules option that capture and
 * serve share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"

int cli_rules_apply(struct st_store *s, const char *spec, const char *prog)
{
    st_rules *r = NULL;
    if (st_rules_create(&r))
        return CLI_FAILURE;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_rules_from_env(r, &e);
    if (!rc && spec)
        rc = st_rules_parse(r, spec, &e);
    if (!rc)
        rc = st_store_set_rules(s, r);
    st_rules_destroy(r);
    if (rc) {
        fprintf(stderr, "serialtrack %s: %s\n", prog, e.msg[0] ? e.msg : st_strerror(rc));
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int usage_anomalies(void)
{
    fprintf(stderr, "usage: serialtrack anomalies [--db URL] [--type RULE] [--since TIME]"
                    " [--location ID]\n"
                    "  one JSON object per line: type, key, epc, event, detected_at, evidence\n"
                    "  --since: an ISO 8601 date-time; --location: a GLN, SGLN or Digital Link\n");
    return CLI_USAGE;
}

static st_rc print_one(void *ctx, const st_anomaly *a)
{
    st_jw *j = ctx;
    st_jw_reset(j);
    st_anomaly_json(a, j);
    return st_jw_flush_line(j, stdout) ? ST_ERR_IO : ST_OK;
}

/* ISO 8601 date-time to ms since the epoch; -1 when it is none. Dates
 * alone mean their midnight UTC. */
static int64_t parse_time(const char *v)
{
    int y, mo, d, h = 0, mi = 0, s = 0, n = 0;
    if (sscanf(v, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return -1;
    if (v[n] == 'T' && sscanf(v + n, "T%2d:%2d:%2d", &h, &mi, &s) < 2)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return -1;
    /* days since 1970-01-01 of the proleptic Gregorian date */
    int64_t yy = y - (mo <= 2), era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400, doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    return ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)s * 1000;
}

int cmd_anomalies(int argc, char **argv)
{
    const char *db = NULL, *since = NULL, *loc = NULL;
    st_anomaly_filter f = {0};
    for (int i = 0; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return usage_anomalies();
        if (!strcmp(argv[i], "--db"))
            db = v;
        else if (!strcmp(argv[i], "--type"))
            f.type = v;
        else if (!strcmp(argv[i], "--since"))
            since = v;
        else if (!strcmp(argv[i], "--location"))
            loc = v;
        else
            return usage_anomalies();
    }
    if (since && (f.since_ms = parse_time(since)) < 0) {
        fprintf(stderr, "serialtrack anomalies: --since \"%s\" is not an ISO 8601 date-time\n",
                since);
        return CLI_USAGE;
    }
    st_error e;
    st_error_clear(&e);
    char key[2048];
    if (loc) {
        if (st_trace_key(loc, key, sizeof key, &e)) {
            fprintf(stderr, "serialtrack anomalies: --location: %s\n", e.msg);
            return CLI_USAGE;
        }
        f.location = key;
    }
    st_store_opts o = {.read_only = 1};
    st_store *s = NULL;
    if (st_store_open(db, &o, &s, &e)) {
        fprintf(stderr, "serialtrack anomalies: %s\n", e.msg);
        return CLI_FAILURE;
    }
    st_jw j;
    st_jw_init(&j);
    st_rc rc = st_anomalies_list(s, &f, print_one, &j, &e);
    st_jw_free(&j);
    st_store_close(s);
    if (rc) {
        fprintf(stderr, "serialtrack anomalies: %s\n", e.msg[0] ? e.msg : st_strerror(rc));
        return rc == ST_ERR_ARG ? CLI_USAGE : CLI_FAILURE;
    }
    return CLI_OK;
}

int cmd_verify(int argc, char **argv)
{
    const char *db = NULL, *id = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc)
            db = argv[++i];
        else if (!id && strncmp(argv[i], "--", 2))
            id = argv[i];
        else
            id = NULL, i = argc;
    }
    if (!id) {
        fprintf(stderr, "usage: serialtrack verify [--db URL] ID\n"
                        "  ID: any form of a unit's identifier (Digital Link, EPC URI, element "
                        "string, EPC hex)\n");
        return CLI_USAGE;
    }
    st_store_opts o = {.read_only = 1};
    st_store *s = NULL;
    st_error e;
    st_error_clear(&e);
    if (st_store_open(db, &o, &s, &e)) {
        fprintf(stderr, "serialtrack verify: %s\n", e.msg);
        return CLI_FAILURE;
    }
    st_jw j;
    st_jw_init(&j);
    st_rc rc = st_verify_write(s, id, (int64_t)time(NULL) * 1000, &j, &e);
    if (!rc)
        st_jw_flush_line(&j, stdout);
    st_jw_free(&j);
    st_store_close(s);
    if (rc) {
        fprintf(stderr, "serialtrack verify: %s\n", e.msg[0] ? e.msg : st_strerror(rc));
        return rc == ST_ERR_SYNTAX ? CLI_INVALID : CLI_FAILURE;
    }
    return CLI_OK;
}
