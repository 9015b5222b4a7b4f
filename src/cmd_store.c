/*
 * `serialtrack capture`, `db migrate|info`, `audit verify`, `events` and
 * `trace`: the event store from the command line, over the public store and
 * trace APIs. Every command takes --db URL (default: $SERIALTRACK_DB, else
 * serialtrack.db in the current folder).
 */
#include <inttypes.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"

/* Options every store command shares, taken out of argv; the rest stay in
 * rest[0..*nrest). Returns -1 on a bad option (message printed). */
struct common {
    const char *db;     /* --db URL */
    const char *format; /* --format */
    const char *head;   /* --head (audit verify) */
    const char *rules;  /* --rules (capture) */
};

static int take_common(int argc, char **argv, struct common *c, char **rest, int *nrest)
{
    *nrest = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = !strcmp(a, "--db")       ? &c->db
                            : !strcmp(a, "--format") ? &c->format
                            : !strcmp(a, "--head")   ? &c->head
                            : !strcmp(a, "--rules")  ? &c->rules
                                                     : NULL;
        if (slot) {
            if (i + 1 >= argc) {
                fprintf(stderr, "serialtrack: %s needs a value\n", a);
                return -1;
            }
            *slot = argv[++i];
        } else if (!strncmp(a, "--db=", 5)) {
            c->db = a + 5;
        } else if (!strncmp(a, "--format=", 9)) {
            c->format = a + 9;
        } else if (!strncmp(a, "--", 2) && a[2]) {
            fprintf(stderr, "serialtrack: unknown option %s\n", a);
            return -1;
        } else {
            rest[(*nrest)++] = argv[i];
        }
    }
    return 0;
}

/* Open db; on failure print why unless quiet, and return NULL. */
static st_store *open_store_q(const char *db, int read_only, int migrate, int quiet)
{
    st_store_opts o = {.migrate = migrate, .read_only = read_only};
    st_store *s = NULL;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_store_open(db, &o, &s, &e);
    if (rc && !quiet) {
        fprintf(stderr, "serialtrack: %s\n", e.msg[0] ? e.msg : st_strerror(rc));
    }
    return rc ? NULL : s;
}

static st_store *open_store(const char *db, int read_only, int migrate)
{
    return open_store_q(db, read_only, migrate, 0);
}

/* ---- capture ------------------------------------------------------------------------ */

static void error_json(st_jw *j, const char *file, const st_epcis_report *r)
{
    for (size_t i = 0; r && i < st_epcis_report_errors_listed(r); i++) {
        long ev;
        const char *path, *msg;
        st_epcis_report_error(r, i, &ev, &path, &msg);
        st_jw_object_begin(j);
        st_jw_member_str(j, "file", file);
        st_jw_key(j, "event");
        if (ev >= 0)
            st_jw_long(j, ev);
        else
            st_jw_null(j);
        st_jw_member_str(j, "path", path);
        st_jw_member_str(j, "message", msg);
        st_jw_object_end(j);
    }
}

int cmd_capture(int argc, char **argv)
{
    struct common c = {0};
    char **files = calloc((size_t)argc + 1, sizeof *files);
    int n = 0;
    if (!files)
        return CLI_FAILURE;
    if (take_common(argc, argv, &c, files, &n) || n == 0) {
        fprintf(stderr,
                "usage: serialtrack capture [--db URL] [--rules RULE=MODE,...] FILE...\n"
                "  FILE: an EPCIS document (JSON-LD, XML 2.0 or 1.2; '-' = stdin)\n"
                "  --rules: lifecycle rules, each flag (default), reject or off, on top of\n"
                "           $SERIALTRACK_RULES, e.g. unknown_serial=reject,duplicate_scan=off\n");
        free(files);
        return CLI_USAGE;
    }
    st_store *s = open_store(c.db, 0, 0);
    if (!s) {
        free(files);
        return CLI_FAILURE;
    }
    int urc = cli_rules_apply(s, c.rules, "capture");
    if (urc) {
        st_store_close(s);
        free(files);
        return urc;
    }
    size_t events = 0, stored = 0, dups = 0, rejected = 0;
    int failure = 0;
    st_jw errs;
    st_jw_init(&errs);
    st_jw_array_begin(&errs);
    for (int i = 0; i < n; i++) {
        st_capture_result res;
        st_epcis_report *r = NULL;
        st_rc rc = st_store_capture_file(s, files[i], &res, &r);
        events += res.events;
        if (rc == ST_OK) {
            stored += res.stored;
            dups += res.duplicates;
        } else {
            rejected++;
            if (rc == ST_ERR_IO || rc == ST_ERR_NOMEM)
                failure = 1;
            if (r && st_epcis_report_errors_listed(r))
                error_json(&errs, files[i], r);
            else {
                st_jw_object_begin(&errs);
                st_jw_member_str(&errs, "file", files[i]);
                st_jw_key(&errs, "event");
                st_jw_null(&errs);
                st_jw_member_str(&errs, "path", "");
                st_jw_member_str(&errs, "message", st_strerror(rc));
                st_jw_object_end(&errs);
            }
        }
        st_epcis_report_destroy(r);
    }
    st_jw_array_end(&errs);
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_key(&j, "documents");
    st_jw_long(&j, n);
    st_jw_key(&j, "events");
    st_jw_long(&j, (long)events);
    st_jw_key(&j, "stored");
    st_jw_long(&j, (long)stored);
    st_jw_key(&j, "duplicates");
    st_jw_long(&j, (long)dups);
    st_jw_key(&j, "rejected");
    st_jw_long(&j, (long)rejected);
    st_jw_key(&j, "errors");
    st_jw_raw(&j, errs.p, errs.n);
    st_jw_object_end(&j);
    st_jw_flush_line(&j, stdout);
    st_jw_free(&j);
    st_jw_free(&errs);
    st_store_close(s);
    free(files);
    return failure ? CLI_FAILURE : rejected ? CLI_INVALID : CLI_OK;
}

/* ---- db ------------------------------------------------------------------------------ */

static void time_str(int64_t ms, char out[64])
{
    if (ms <= 0) {
        out[0] = 0;
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static int db_info(st_store *s)
{
    st_store_info info;
    st_error e;
    st_error_clear(&e);
    if (st_store_info_get(s, &info, &e)) {
        fprintf(stderr, "serialtrack db info: %s\n", e.msg);
        return CLI_FAILURE;
    }
    char last[64];
    time_str(info.last_record_ms, last);
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_member_str(&j, "backend", info.backend);
    st_jw_member_str(&j, "location", info.location);
    st_jw_key(&j, "schema_version");
    st_jw_long(&j, info.schema_version);
    st_jw_key(&j, "schema_latest");
    st_jw_long(&j, info.schema_latest);
    st_jw_key(&j, "events");
    st_jw_long(&j, (long)info.events);
    st_jw_key(&j, "batches");
    st_jw_long(&j, (long)info.batches);
    st_jw_key(&j, "identifiers");
    st_jw_long(&j, (long)info.identifiers);
    st_jw_key(&j, "items");
    st_jw_long(&j, (long)info.items);
    st_jw_key(&j, "bytes");
    st_jw_long(&j, (long)info.bytes);
    st_jw_key(&j, "last_record_time");
    if (last[0])
        st_jw_cstring(&j, last);
    else
        st_jw_null(&j);
    st_jw_member_str(&j, "chain_head", info.chain_head);
    st_jw_object_end(&j);
    st_jw_flush_line(&j, stdout);
    st_jw_free(&j);
    return CLI_OK;
}

/* `db reindex`: the lineage index filled anew from the stored events. */
static int db_reindex(const char *db)
{
    st_store *s = open_store(db, 0, 0);
    if (!s)
        return CLI_FAILURE;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int64_t events = 0;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_store_reindex(s, &events, &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    st_store_close(s);
    if (rc) {
        fprintf(stderr, "serialtrack db reindex: %s\n", e.msg[0] ? e.msg : st_strerror(rc));
        return CLI_FAILURE;
    }
    long long ms = (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    printf("{\"lineage_events\":%lld,\"elapsed_ms\":%lld}\n", (long long)events, ms);
    return CLI_OK;
}

int cmd_db(int argc, char **argv)
{
    struct common c = {0};
    char *rest[8];
    int n = 0;
    if (argc > 8 || take_common(argc, argv, &c, rest, &n) || n != 1 ||
        (strcmp(rest[0], "migrate") && strcmp(rest[0], "info") && strcmp(rest[0], "reindex"))) {
        fprintf(stderr, "usage: serialtrack db migrate [--db URL]\n"
                        "       serialtrack db info [--db URL]\n"
                        "       serialtrack db reindex [--db URL]   fill the lineage index anew\n");
        return CLI_USAGE;
    }
    if (!strcmp(rest[0], "reindex"))
        return db_reindex(c.db);
    int migrate = !strcmp(rest[0], "migrate");
    st_store *s = open_store_q(c.db, !migrate, 0, migrate); /* migrate: an old one is expected */
    if (!s && migrate) {
        /* an older schema: open with migration allowed to bring it up */
        s = open_store(c.db, 0, 1);
    }
    if (!s)
        return CLI_FAILURE;
    int rc = CLI_OK;
    if (migrate) {
        int from = 0, to = 0;
        st_error e;
        st_error_clear(&e);
        int built = 1;
        int64_t events = -1;
        if (st_store_migrate(s, &from, &to, &e) || st_store_lineage_built(s, &built, &e) ||
            (!built && st_store_reindex(s, &events, &e))) {
            fprintf(stderr, "serialtrack db migrate: %s\n", e.msg);
            rc = CLI_FAILURE;
        } else if (events >= 0) { /* an index older events had none of */
            printf("{\"schema_version\":%d,\"migrated\":%s,\"lineage_events\":%lld}\n", to,
                   from != to ? "true" : "false", (long long)events);
        } else {
            printf("{\"schema_version\":%d,\"migrated\":%s}\n", to, from != to ? "true" : "false");
        }
    } else {
        rc = db_info(s);
    }
    st_store_close(s);
    return rc;
}

/* ---- audit ----------------------------------------------------------------------------- */

int cmd_audit(int argc, char **argv)
{
    struct common c = {0};
    char *rest[8];
    int n = 0;
    if (argc > 8 || take_common(argc, argv, &c, rest, &n) || n != 1 || strcmp(rest[0], "verify")) {
        fprintf(stderr, "usage: serialtrack audit verify [--db URL] [--head HEX]\n"
                        "  --head: the chain head you recorded earlier (db info), to check\n"
                        "          that the chain still leads to it\n");
        return CLI_USAGE;
    }
    st_store *s = open_store(c.db, 1, 0);
    if (!s)
        return CLI_FAILURE;
    st_audit_result r;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_store_audit_verify(s, &r, &e);
    st_store_close(s);
    if (rc) {
        fprintf(stderr, "serialtrack audit verify: %s\n", e.msg[0] ? e.msg : st_strerror(rc));
        return CLI_FAILURE;
    }
    if (r.ok && c.head && strcmp(c.head, r.head)) {
        r.ok = 0;
        snprintf(r.reason, sizeof r.reason,
                 "the chain no longer leads to head %.64s (it leads to %s): links were "
                 "rewritten or removed",
                 c.head, r.head);
    }
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_key(&j, "ok");
    st_jw_bool(&j, r.ok);
    st_jw_key(&j, "batches");
    st_jw_long(&j, (long)r.batches);
    st_jw_key(&j, "events");
    st_jw_long(&j, (long)r.events);
    st_jw_member_str(&j, "head", r.head);
    if (!r.ok) {
        st_jw_key(&j, "first_bad_batch");
        st_jw_long(&j, (long)r.bad_batch);
        st_jw_key(&j, "first_bad_event");
        st_jw_long(&j, (long)r.bad_event);
        st_jw_member_str(&j, "reason", r.reason);
    }
    st_jw_object_end(&j);
    st_jw_flush_line(&j, stdout);
    st_jw_free(&j);
    return r.ok ? CLI_OK : CLI_INVALID;
}
