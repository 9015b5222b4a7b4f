/*
 * `serialtrack commission`: commission up to 100,000 units of one GTIN in one
 * atomic capture (include/serialtrack/commission.h), with serials allocated
 * from the store (--count) or read from a file (--serials), and print one
 * JSON summary. Exit 2 for a bad command line, 1 for a bad value or a
 * refused document (its errors on stderr), 3 when the store fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"
#include "serial_args.h"

/* Serials read from a file, one per line. */
struct serial_list {
    char **v;   /* the lines, malloc'd each */
    size_t n;   /* used */
    size_t cap; /* allocated */
};

static void list_free(struct serial_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

/* Read the serials of path ("-": standard input) into l, skipping empty
 * lines. CLI_OK or an exit code after printing why. */
static int read_serials(const char *path, struct serial_list *l)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f)
        return sa_complain(CLI_FAILURE, "--serials %s: %s", path, strerror(errno));
    char line[256];
    int rc = CLI_OK;
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = 0;
        if (!n)
            continue;
        if (l->n == ST_COMMISSION_MAX_UNITS) {
            rc = sa_complain(CLI_INVALID, "--serials %s holds more than %d serials", path,
                             ST_COMMISSION_MAX_UNITS);
            break;
        }
        if (l->n == l->cap) {
            l->cap = l->cap ? l->cap * 2 : 1024;
            char **v = realloc(l->v, l->cap * sizeof *v);
            if (!v) {
                rc = sa_complain(CLI_FAILURE, "out of memory");
                break;
            }
            l->v = v;
        }
        if (!(l->v[l->n] = strdup(line))) {
            rc = sa_complain(CLI_FAILURE, "out of memory");
            break;
        }
        l->n++;
    }
    if (f != stdin)
        fclose(f);
    return rc;
}

/* The document's errors, one line each on stderr. */
static void print_report(const st_epcis_report *rep)
{
    size_t n = rep ? st_epcis_report_errors_listed(rep) : 0;
    for (size_t i = 0; i < n; i++) {
        long ev;
        const char *path, *msg;
        if (st_epcis_report_error(rep, i, &ev, &path, &msg) == ST_OK)
            fprintf(stderr, "%s: event %ld: %s: %s\n", sa_prog, ev, path ? path : "", msg);
    }
}

/* The summary line on stdout. */
static int print_result(const st_commission *c)
{
    const st_capture_result *cap = st_commission_capture(c);
    const st_allocation *al = st_commission_allocation(c);
    size_t n = st_commission_count(c);
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_key(&j, "units");
    st_jw_long(&j, (long)n);
    st_jw_key(&j, "events");
    st_jw_long(&j, (long)cap->events);
    st_jw_key(&j, "stored");
    st_jw_long(&j, (long)cap->stored);
    st_jw_key(&j, "duplicates");
    st_jw_long(&j, (long)cap->duplicates);
    st_jw_member_str(&j, "event_time", st_commission_event_time(c));
    st_jw_key(&j, "allocation");
    if (al)
        st_jw_long(&j, (long)st_allocation_id(al));
    else
        st_jw_null(&j);
    st_jw_member_str(&j, "first_epc", st_commission_epc(c, 0));
    st_jw_member_str(&j, "last_epc", st_commission_epc(c, n - 1));
    st_jw_object_end(&j);
    int bad = j.failed || st_jw_flush_line(&j, stdout);
    st_jw_free(&j);
    return bad ? sa_complain(CLI_FAILURE, "writing the answer failed") : CLI_OK;
}

/* `serialtrack commission OPTIONS`. Returns the exit code (cli.h). */
int cmd_commission(int argc, char **argv)
{
    sa_prog = "serialtrack commission";
    sa_args a;
    int rc = sa_parse(argc, argv, C_COMM, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    const char *missing = !a.v[O_GTIN]                       ? "--gtin"
                          : !a.v[O_READ_POINT]               ? "--read-point"
                          : !a.v[O_COUNT] && !a.v[O_SERIALS] ? "--count or --serials"
                                                             : NULL;
    if (missing) {
        sa_complain(CLI_USAGE, "%s is required", missing);
        sa_usage(stderr, C_COMM);
        return CLI_USAGE;
    }
    if (a.v[O_COUNT] && a.v[O_SERIALS])
        return sa_complain(CLI_USAGE, "give --count or --serials, not both");
    st_commission_req r = {0};
    uint64_t v;
    if (a.v[O_COUNT]) {
        if ((rc = sa_serial_opts(&a, "random", &r.opts, NULL)) != CLI_OK)
            return rc;
        if (sa_number("--count", a.v[O_COUNT], 1, ST_COMMISSION_MAX_UNITS, &v))
            return CLI_INVALID;
        r.count = v;
    } else {
        for (int k = O_SCHEME; k <= O_LENGTH; k++)
            if (a.v[k])
                return sa_complain(CLI_USAGE, "scheme options go with --count, not --serials");
    }
    if ((rc = sa_check_gtin(a.v[O_GTIN])) != CLI_OK)
        return rc;
    if (a.v[O_GCP_LEN]) {
        if (sa_number("--gcp-len", a.v[O_GCP_LEN], 6, 12, &v))
            return CLI_INVALID;
        r.gcp_len = (int)v;
    }
    struct serial_list l = {0};
    if (a.v[O_SERIALS] && (rc = read_serials(a.v[O_SERIALS], &l)) != CLI_OK)
        goto out;
    r.serials = (const char *const *)l.v;
    r.nserials = l.n;
    r.gtin = a.v[O_GTIN];
    r.lot = a.v[O_LOT];
    r.expiry = a.v[O_EXPIRY];
    r.read_point = a.v[O_READ_POINT];
    r.biz_location = a.v[O_BIZ_LOCATION];
    r.event_time = a.v[O_EVENT_TIME];
    char by[ST_ALLOC_BY_MAX + 1];
    const char *u = getenv("USER");
    snprintf(by, sizeof by, "cli:%.40s", u && *u ? u : "unknown");
    r.by = by;

    st_store *s = NULL;
    st_error e;
    st_error_clear(&e);
    if (st_store_open(a.v[O_DB], NULL, &s, &e)) {
        rc = sa_complain(CLI_FAILURE, "%s", e.msg);
        goto out;
    }
    st_commission *c = NULL;
    st_epcis_report *rep = NULL;
    st_rc src = st_commission_run(s, &r, &c, &rep, &e);
    if (src) {
        print_report(rep);
        rc = sa_complain(src == ST_ERR_NOMEM || src == ST_ERR_IO || src == ST_ERR_INTERNAL
                             ? CLI_FAILURE
                             : CLI_INVALID,
                         "%s", e.msg[0] ? e.msg : st_strerror(src));
    } else {
        rc = print_result(c);
    }
    st_commission_destroy(c);
    st_epcis_report_destroy(rep);
    st_store_close(s);
out:
    list_free(&l);
    return rc;
}
