/*
 * `serialtrack recall`: a targeted recall from the command line. With
 * criteria, runs the walk, stores the report (a dry run) and prints it;
 * with --execute, also captures the recall events. `recall show ID`,
 * `recall list` and `recall execute ID` work on stored reports.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"

static int usage(void)
{
    fprintf(
        stderr,
        "usage: serialtrack recall [--db URL] [--component-gtin G --lot L]...\n"
        "                          [--finished-gtin G --finished-lot L]... [--component ID]...\n"
        "                          [--location SGLN --from T --to T]... [--criteria JSON]\n"
        "                          [--units N] [--execute]\n"
        "       serialtrack recall show [--db URL] [--csv] [--units N] ID\n"
        "       serialtrack recall list [--db URL]\n"
        "       serialtrack recall execute [--db URL] ID\n"
        "  Finds the finished units the criteria affect (through assemblies, lots and\n"
        "  containers), stores the report and prints it as JSON; --execute captures a\n"
        "  recall event for every affected unit not yet recalled. --units N lists at\n"
        "  most N units (the counts cover all).\n");
    return CLI_USAGE;
}

static int fail(const char *what, const st_error *e, st_rc rc)
{
    fprintf(stderr, "serialtrack recall: %s%s\n", what, e->msg[0] ? e->msg : st_strerror(rc));
    if (rc == ST_ERR_NOT_FOUND)
        return CLI_INVALID;
    /* bad criteria: syntax, identifier faults (codes 3 to 9), caps */
    return (rc >= ST_ERR_SYNTAX && rc <= ST_ERR_RULE) || rc == ST_ERR_LIMIT ? CLI_USAGE
                                                                            : CLI_FAILURE;
}

static int id_arg(const char *v, int64_t *id)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || n < 1)
        return -1;
    *id = n;
    return 0;
}

static int print_report(st_store *s, int64_t id, size_t units, int csv)
{
    st_error e;
    st_error_clear(&e);
    st_rc rc;
    if (csv) {
        rc = st_recall_write_csv(s, id, stdout, &e);
    } else {
        st_jw j;
        st_jw_init(&j);
        rc = st_recall_write(s, id, units, &j, &e);
        if (!rc && st_jw_flush_line(&j, stdout))
            rc = ST_ERR_IO;
        st_jw_free(&j);
    }
    return rc ? fail("", &e, rc) : CLI_OK;
}

/* Append {"gtin", "lot"} to arr. */
static void add_lot(json_t *root, const char *member, const char *gtin, const char *lot)
{
    json_t *arr = json_object_get(root, member);
    if (!arr) {
        arr = json_array();
        json_object_set_new(root, member, arr);
    }
    json_array_append_new(arr, json_pack("{s:s, s:s}", "gtin", gtin, "lot", lot));
}

static json_t *array_of(json_t *root, const char *member)
{
    json_t *arr = json_object_get(root, member);
    if (!arr) {
        arr = json_array();
        json_object_set_new(root, member, arr);
    }
    return arr;
}

static int run_stored(int argc, char **argv, const char *sub)
{
    const char *db = NULL;
    int64_t id = 0;
    int csv = 0;
    size_t units = 0;
    for (int i = 0; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--db") && v)
            db = argv[++i];
        else if (!strcmp(argv[i], "--csv") && !strcmp(sub, "show"))
            csv = 1;
        else if (!strcmp(argv[i], "--units") && v && !strcmp(sub, "show"))
            units = (size_t)strtoull(argv[++i], NULL, 10);
        else if (!id && strcmp(sub, "list") && !id_arg(argv[i], &id))
            continue;
        else
            return usage();
    }
    if (!id && strcmp(sub, "list"))
        return usage();
    st_store *s = NULL;
    st_error e;
    st_error_clear(&e);
    st_store_opts so = {.read_only = strcmp(sub, "execute") != 0};
    if (st_store_open(db, &so, &s, &e)) {
        fprintf(stderr, "serialtrack recall: %s\n", e.msg);
        return CLI_FAILURE;
    }
    int code = CLI_OK;
    st_rc rc = ST_OK;
    if (!strcmp(sub, "show")) {
        code = print_report(s, id, units, csv);
    } else if (!strcmp(sub, "list")) {
        st_jw j;
        st_jw_init(&j);
        rc = st_recall_list(s, 0, &j, &e);
        if (!rc && st_jw_flush_line(&j, stdout))
            rc = ST_ERR_IO;
        st_jw_free(&j);
    } else {
        size_t events = 0, n = 0;
        rc = st_recall_execute(s, id, &events, &n, &e);
        if (!rc)
            printf("{\"id\":%lld,\"events\":%zu,\"units\":%zu}\n", (long long)id, events, n);
    }
    if (rc)
        code = fail("", &e, rc);
    st_store_close(s);
    return code;
}

int cmd_recall(int argc, char **argv)
{
    if (argc > 0 &&
        (!strcmp(argv[0], "show") || !strcmp(argv[0], "list") || !strcmp(argv[0], "execute")))
        return run_stored(argc - 1, argv + 1, argv[0]);
    const char *db = NULL, *gtin = NULL, *fgtin = NULL, *loc = NULL, *from = NULL, *to = NULL;
    const char *crit_text = NULL;
    int execute = 0;
    size_t units = 0;
    json_t *root = json_object();
    int code = CLI_OK;
    for (int i = 0; i < argc && code == CLI_OK; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--execute")) {
            execute = 1;
            continue;
        }
        if (!v) {
            code = usage();
            break;
        }
        i++;
        if (!strcmp(a, "--db"))
            db = v;
        else if (!strcmp(a, "--component-gtin") && !gtin)
            gtin = v;
        else if (!strcmp(a, "--lot") && gtin) {
            add_lot(root, "component_lots", gtin, v);
            gtin = NULL;
        } else if (!strcmp(a, "--finished-gtin") && !fgtin)
            fgtin = v;
        else if (!strcmp(a, "--finished-lot") && fgtin) {
            add_lot(root, "finished_lots", fgtin, v);
            fgtin = NULL;
        } else if (!strcmp(a, "--component"))
            json_array_append_new(array_of(root, "components"), json_string(v));
        else if (!strcmp(a, "--location") && !loc)
            loc = v;
        else if (!strcmp(a, "--from") && loc && !from)
            from = v;
        else if (!strcmp(a, "--to") && loc && !to)
            to = v;
        else if (!strcmp(a, "--criteria") && !crit_text)
            crit_text = v;
        else if (!strcmp(a, "--units"))
            units = (size_t)strtoull(v, NULL, 10);
        else
            code = usage();
        if (loc && from && to) {
            json_array_append_new(
                array_of(root, "locations"),
                json_pack("{s:s, s:s, s:s}", "location", loc, "from", from, "to", to));
            loc = from = to = NULL;
        }
    }
    if (code == CLI_OK && (gtin || fgtin || loc || from || to))
        code = usage(); /* a GTIN without its lot, a location without its window */
    char *crit = NULL;
    if (code == CLI_OK && crit_text && json_object_size(root)) {
        fprintf(stderr, "serialtrack recall: --criteria replaces the other criteria options\n");
        code = CLI_USAGE;
    }
    if (code == CLI_OK)
        crit = crit_text ? strdup(crit_text) : json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (code != CLI_OK)
        return code;
    st_store *s = NULL;
    st_error e;
    st_error_clear(&e);
    if (!crit || st_store_open(db, NULL, &s, &e)) {
        fprintf(stderr, "serialtrack recall: %s\n", crit ? e.msg : "out of memory");
        free(crit);
        return CLI_FAILURE;
    }
    int64_t id = 0;
    st_rc rc = st_recall_create(s, crit, strlen(crit), &id, &e);
    if (!rc && execute)
        rc = st_recall_execute(s, id, NULL, NULL, &e);
    code = rc ? fail("", &e, rc) : print_report(s, id, units, 0);
    st_store_close(s);
    free(crit);
    return code;
}
