/*
 * `serialtrack epcis validate|convert` and `serialtrack hash`: EPCIS
 * documents from the command line, over the public EPCIS API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"

static void epcis_usage(FILE *out)
{
    fprintf(out, "usage: serialtrack epcis validate FILE...\n"
                 "       serialtrack epcis convert --to jsonld|xml|xml12 [--ids urn|dl] FILE\n"
                 "       serialtrack hash [--prehash] FILE\n"
                 "  FILE: EPCIS 2.0 JSON-LD, EPCIS 2.0 XML or EPCIS 1.2 XML ('-' = stdin);\n"
                 "  the format is detected from the content.\n");
}

/* Print every error of r as "NAME: event I: PATH: MESSAGE" on f. */
static void print_errors(FILE *f, const char *name, const st_epcis_report *r)
{
    for (size_t i = 0; i < st_epcis_report_errors_listed(r); i++) {
        long ev;
        const char *path, *msg;
        st_epcis_report_error(r, i, &ev, &path, &msg);
        if (ev >= 0)
            fprintf(f, "%s: event %ld: %s: %s\n", name, ev, path[0] ? path : "/", msg);
        else
            fprintf(f, "%s: %s%s%s\n", name, path, path[0] ? ": " : "", msg);
    }
    size_t more = st_epcis_report_error_count(r) - st_epcis_report_errors_listed(r);
    if (more)
        fprintf(f, "%s: ... and %zu more errors\n", name, more);
}

static int epcis_validate(int argc, char **argv)
{
    if (argc < 1) {
        epcis_usage(stderr);
        return CLI_USAGE;
    }
    int rc = CLI_OK;
    for (int i = 0; i < argc; i++) {
        st_epcis_read_opts o = {.name = argv[i], .validate = 1};
        st_epcis_report *r = NULL;
        st_rc v = st_epcis_read_file(argv[i], &o, NULL, NULL, &r);
        if (!r) {
            fprintf(stderr, "serialtrack epcis: %s\n", st_strerror(v));
            return CLI_FAILURE;
        }
        size_t errors = st_epcis_report_error_count(r);
        size_t events = st_epcis_report_events(r);
        printf("%s: %s, %zu event%s, %s", argv[i],
               st_epcis_format_name(st_epcis_report_format(r)), events, events == 1 ? "" : "s",
               v == ST_OK ? "valid\n" : "");
        if (v != ST_OK) {
            printf("%zu error%s\n", errors ? errors : 1, errors == 1 ? "" : "s");
            print_errors(stdout, argv[i], r);
            rc = CLI_INVALID;
        }
        st_epcis_report_destroy(r);
    }
    return rc;
}

static int epcis_convert(int argc, char **argv)
{
    st_epcis_format to = ST_EPCIS_FMT_UNKNOWN;
    st_epcis_ids ids = ST_EPCIS_IDS_ASIS;
    const char *file = NULL;
    for (int i = 0; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--to") && v) {
            to = !strcmp(v, "jsonld") ? ST_EPCIS_FMT_JSONLD
                 : !strcmp(v, "xml")  ? ST_EPCIS_FMT_XML2
                 : !strcmp(v, "xml12") ? ST_EPCIS_FMT_XML12
                                       : ST_EPCIS_FMT_UNKNOWN;
            if (!to) {
                fprintf(stderr, "serialtrack epcis convert: --to must be jsonld, xml or xml12\n");
                return CLI_USAGE;
            }
            i++;
        } else if (!strcmp(argv[i], "--ids") && v) {
            if (!strcmp(v, "urn"))
                ids = ST_EPCIS_IDS_URN;
            else if (!strcmp(v, "dl"))
                ids = ST_EPCIS_IDS_DL;
            else {
                fprintf(stderr, "serialtrack epcis convert: --ids must be urn or dl\n");
                return CLI_USAGE;
            }
            i++;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            fprintf(stderr, "serialtrack epcis convert: unknown option or missing value: %s\n",
                    argv[i]);
            return CLI_USAGE;
        } else if (!file) {
            file = argv[i];
        } else {
            fprintf(stderr, "serialtrack epcis convert: one file at a time\n");
            return CLI_USAGE;
        }
    }
    if (!to || !file) {
        epcis_usage(stderr);
        return CLI_USAGE;
    }
    st_epcis_read_opts o = {.name = file, .validate = 1};
    st_epcis_report *r = NULL;
    st_rc v = st_epcis_convert_file(file, &o, to, ids, stdout, &r);
    if (!r) {
        fprintf(stderr, "serialtrack epcis: %s\n", st_strerror(v));
        return CLI_FAILURE;
    }
    for (size_t i = 0; i < st_epcis_report_note_count(r); i++) {
        long ev;
        const char *path, *msg;
        st_epcis_report_note(r, i, &ev, &path, &msg);
        /* notes name their event themselves ("event 3: ...") */
        fprintf(stderr, "%s: note: %s%s%s\n", file, path, path[0] ? ": " : "", msg);
    }
    int rc = CLI_OK;
    if (v != ST_OK) {
        print_errors(stderr, file, r);
        rc = CLI_INVALID;
    }
    st_epcis_report_destroy(r);
    return fflush(stdout) ? CLI_FAILURE : rc;
}

int cmd_epcis(int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "validate"))
        return epcis_validate(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "convert"))
        return epcis_convert(argc - 1, argv + 1);
    epcis_usage(argc ? stderr : stdout);
    return CLI_USAGE;
}

/* `hash`: one line per event, in document order. */
struct hash_ctx {
    int prehash; /* print the pre-hash string instead of the hash */
};

static st_rc print_hash(void *ctx, const st_epcis_event *ev)
{
    struct hash_ctx *h = ctx;
    if (h->prehash) {
        char *s;
        size_t n;
        st_rc rc = st_epcis_event_prehash(ev, &s, &n);
        if (rc)
            return rc;
        fwrite(s, 1, n, stdout);
        fputc('\n', stdout);
        free(s);
        return ST_OK;
    }
    char id[90];
    st_rc rc = st_epcis_event_hash_id(ev, id);
    if (!rc)
        puts(id);
    return rc;
}

int cmd_hash(int argc, char **argv)
{
    struct hash_ctx h = {0};
    const char *file = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--prehash"))
            h.prehash = 1;
        else if (argv[i][0] == '-' && argv[i][1] == '-') {
            fprintf(stderr, "serialtrack hash: unknown option %s\n", argv[i]);
            return CLI_USAGE;
        } else if (!file)
            file = argv[i];
        else {
            fprintf(stderr, "serialtrack hash: one file at a time\n");
            return CLI_USAGE;
        }
    }
    if (!file) {
        epcis_usage(stderr);
        return CLI_USAGE;
    }
    st_epcis_read_opts o = {.name = file};
    st_epcis_report *r = NULL;
    st_rc v = st_epcis_read_file(file, &o, print_hash, &h, &r);
    if (!r) {
        fprintf(stderr, "serialtrack hash: %s\n", st_strerror(v));
        return CLI_FAILURE;
    }
    int rc = CLI_OK;
    if (v != ST_OK) {
        print_errors(stderr, file, r);
        if (!st_epcis_report_errors_listed(r))
            fprintf(stderr, "%s: %s\n", file, st_strerror(v));
        rc = CLI_INVALID;
    }
    st_epcis_report_destroy(r);
    return fflush(stdout) ? CLI_FAILURE : rc;
}
