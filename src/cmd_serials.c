/*
 * `serialtrack serials`: print serial numbers for one GTIN.
 *   generate     from any scheme of include/serialtrack/serial.h, statelessly
 *   allocate     from the store: allocated once, never issued again
 *                (include/serialtrack/alloc.h), as serials, Digital Links,
 *                EPC URIs or JSON
 *   allocations  the allocation log of a GTIN, newest first
 * Exit 2 for a bad command line, 1 for a bad value, 3 when output,
 * randomness or the store fails.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"
#include "serial_args.h"

/* The random scheme's line on stderr: the space, the guessing probability for
 * count serials, and the EU FMD verdict. */
static void report_random(const st_serialgen *g, const st_serial_opts *o, uint64_t count)
{
    size_t k = strlen(o->alphabet ? o->alphabet : ST_SERIAL_DEFAULT_ALPHABET);
    int len = o->length ? o->length : ST_SERIAL_DEFAULT_LENGTH;
    uint64_t space = st_serialgen_space(g);
    double p = st_serialgen_guess_probability(g, count);
    char space_s[48];
    if (space < UINT64_MAX)
        snprintf(space_s, sizeof space_s, "%llu", (unsigned long long)space);
    else
        snprintf(space_s, sizeof space_s, "about %.3g", count / p);
    char odds[48];
    snprintf(odds, sizeof odds, 1.0 / p < 1e15 ? "%.0f" : "%.3g", 1.0 / p);
    int ok = st_serialgen_check_eu_fmd(g, count, NULL) == ST_OK;
    fprintf(stderr,
            "serial space %zu^%d = %s; guessing probability with %llu issued: %.3g (1 in %s); "
            "%s the EU FMD bound (below 1 in 10,000)\n",
            k, len, space_s, (unsigned long long)count, p, odds, ok ? "meets" : "does NOT meet");
}

/* Print count serials from g on stdout, one per line, through one buffer. */
static int print_serials(st_serialgen *g, uint64_t count)
{
    static char out[1 << 16];
    size_t used = 0;
    st_error err;
    for (uint64_t i = 0; i < count; i++) {
        if (sizeof out - used < ST_SERIAL_MAX_LEN + 2) {
            if (fwrite(out, 1, used, stdout) != used)
                break;
            used = 0;
        }
        st_rc rc = st_serialgen_next(g, out + used, sizeof out - used, &err);
        if (rc) {
            fwrite(out, 1, used, stdout);
            fflush(stdout);
            return sa_complain(rc == ST_ERR_EXHAUSTED ? CLI_INVALID : CLI_FAILURE,
                               "serial %llu: %s", (unsigned long long)i + 1, err.msg);
        }
        used += strlen(out + used);
        out[used++] = '\n';
    }
    if (fwrite(out, 1, used, stdout) != used || fflush(stdout) || ferror(stdout))
        return sa_complain(CLI_FAILURE, "writing the serials failed: %s", strerror(errno));
    return CLI_OK;
}

/* `serials generate OPTIONS`: argv[0] is the first option. Returns the exit code. */
static int cmd_generate(int argc, char **argv)
{
    sa_args a;
    int rc = sa_parse(argc, argv, C_GEN, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    for (int k = O_GTIN; k <= O_SCHEME; k++)
        if (!a.v[k]) {
            sa_complain(CLI_USAGE, "%s is required",
                        k == O_GTIN    ? "--gtin"
                        : k == O_COUNT ? "--count"
                                       : "--scheme");
            sa_usage(stderr, C_GEN);
            return CLI_USAGE;
        }
    st_serial_opts o;
    unsigned char key[ST_SERIAL_KEY_LEN];
    if ((rc = sa_serial_opts(&a, NULL, &o, key)) != CLI_OK)
        return rc;
    if ((rc = sa_check_gtin(a.v[O_GTIN])) != CLI_OK)
        return rc;
    uint64_t count;
    if (sa_number("--count", a.v[O_COUNT], 1, ST_SERIAL_MAX_COUNT, &count))
        return CLI_INVALID;

    st_serialgen *g = NULL;
    st_error err;
    st_error_clear(&err);
    st_rc src = st_serialgen_create(&o, &g, &err);
    if (src)
        return sa_complain(src == ST_ERR_ARG || src == ST_ERR_LIMIT ? CLI_INVALID : CLI_FAILURE,
                           "%s", err.msg);
    if (count > st_serialgen_space(g)) {
        sa_complain(CLI_INVALID, "--count %llu is more than the %llu serials this scheme can make",
                    (unsigned long long)count, (unsigned long long)st_serialgen_space(g));
        st_serialgen_destroy(g);
        return CLI_INVALID;
    }
    if (o.scheme == ST_SERIAL_RANDOM)
        report_random(g, &o, count);
    rc = print_serials(g, count);
    st_serialgen_destroy(g);
    return rc;
}

/* Open the store of --db (read_only for listings); NULL after printing why. */
static st_store *open_store(const char *db, int read_only)
{
    st_store_opts o = {.read_only = read_only};
    st_store *s = NULL;
    st_error e;
    st_error_clear(&e);
    if (st_store_open(db, &o, &s, &e)) {
        sa_complain(CLI_FAILURE, "%s", e.msg);
        return NULL;
    }
    return s;
}

/* The exit code for a library result code. */
static int exit_of(st_rc rc)
{
    return rc == ST_ERR_NOMEM || rc == ST_ERR_IO || rc == ST_ERR_INTERNAL ? CLI_FAILURE
                                                                          : CLI_INVALID;
}

/* Who allocates from the command line: "cli:" and the login name. */
static void who(char *out, size_t cap)
{
    const char *u = getenv("USER");
    snprintf(out, cap, "cli:%.40s", u && *u ? u : "unknown");
}

static void iso_time(st_jw *j, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[40];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
    st_jw_cstring(j, buf);
}

/* Print allocation al in format fmt ("serials", "dl", "epc", "json"). */
static int print_allocation(const st_allocation *al, const char *fmt, int gcp_len)
{
    size_t n = st_allocation_count(al);
    const char *gtin = st_allocation_gtin(al);
    char id[ST_ALLOC_EPC_MAX];
    if (!strcmp(fmt, "json")) {
        st_jw j;
        st_jw_init(&j);
        st_jw_object_begin(&j);
        st_jw_key(&j, "allocation");
        st_jw_long(&j, (long)st_allocation_id(al));
        st_jw_member_str(&j, "gtin", gtin);
        st_jw_member_str(&j, "scheme", st_allocation_scheme(al));
        st_jw_key(&j, "first");
        st_jw_long(&j, (long)st_allocation_first(al));
        st_jw_key(&j, "count");
        st_jw_long(&j, (long)n);
        st_jw_key(&j, "serials");
        st_jw_array_begin(&j);
        for (size_t i = 0; i < n; i++)
            st_jw_cstring(&j, st_allocation_serial(al, i));
        st_jw_array_end(&j);
        if (gcp_len) {
            st_jw_key(&j, "epcs");
            st_jw_array_begin(&j);
            for (size_t i = 0; i < n; i++) {
                st_alloc_epc_uri(gtin, gcp_len, st_allocation_serial(al, i), id, sizeof id);
                st_jw_cstring(&j, id);
            }
            st_jw_array_end(&j);
        }
        st_jw_object_end(&j);
        int bad = j.failed || st_jw_flush_line(&j, stdout);
        st_jw_free(&j);
        return bad ? sa_complain(CLI_FAILURE, "writing the answer failed") : CLI_OK;
    }
    for (size_t i = 0; i < n; i++) {
        const char *serial = st_allocation_serial(al, i);
        if (!strcmp(fmt, "dl"))
            st_alloc_dl(gtin, serial, id, sizeof id);
        else if (!strcmp(fmt, "epc"))
            st_alloc_epc_uri(gtin, gcp_len, serial, id, sizeof id);
        fputs(strcmp(fmt, "serials") ? id : serial, stdout);
        putchar('\n');
    }
    if (fflush(stdout) || ferror(stdout))
        return sa_complain(CLI_FAILURE, "writing the serials failed: %s", strerror(errno));
    return CLI_OK;
}

/* `serials allocate OPTIONS`. Returns the exit code. */
static int cmd_allocate(int argc, char **argv)
{
    sa_args a;
    int rc = sa_parse(argc, argv, C_ALLOC, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!a.v[O_GTIN] || !a.v[O_COUNT]) {
        sa_complain(CLI_USAGE, "%s is required", a.v[O_GTIN] ? "--count" : "--gtin");
        sa_usage(stderr, C_ALLOC);
        return CLI_USAGE;
    }
    const char *fmt = a.v[O_FORMAT] ? a.v[O_FORMAT] : "serials";
    if (strcmp(fmt, "serials") && strcmp(fmt, "dl") && strcmp(fmt, "epc") && strcmp(fmt, "json"))
        return sa_complain(CLI_USAGE, "--format must be serials, dl, epc or json, not '%s'", fmt);
    uint64_t gcp = 0, count;
    if (a.v[O_GCP_LEN] && sa_number("--gcp-len", a.v[O_GCP_LEN], 6, 12, &gcp))
        return CLI_INVALID;
    if (!strcmp(fmt, "epc") && !gcp)
        return sa_complain(CLI_USAGE, "--format epc needs --gcp-len (the company prefix length)");
    st_alloc_req r = {0};
    if ((rc = sa_serial_opts(&a, "random", &r.opts, NULL)) != CLI_OK)
        return rc;
    if ((rc = sa_check_gtin(a.v[O_GTIN])) != CLI_OK)
        return rc;
    if (sa_number("--count", a.v[O_COUNT], 1, ST_ALLOC_MAX_COUNT, &count))
        return CLI_INVALID;
    char by[ST_ALLOC_BY_MAX + 1];
    who(by, sizeof by);
    r.gtin = a.v[O_GTIN];
    r.count = count;
    r.by = by;
    st_store *s = open_store(a.v[O_DB], 0);
    if (!s)
        return CLI_FAILURE;
    st_allocation *al = NULL;
    st_error e;
    st_error_clear(&e);
    st_rc src = st_alloc_serials(s, &r, &al, &e);
    if (src) {
        rc = sa_complain(exit_of(src), "%s", e.msg[0] ? e.msg : st_strerror(src));
    } else {
        fprintf(stderr, "allocation %lld: %zu serials of GTIN %s (%s), positions %llu..%llu\n",
                (long long)st_allocation_id(al), st_allocation_count(al), st_allocation_gtin(al),
                st_allocation_scheme(al), (unsigned long long)st_allocation_first(al),
                (unsigned long long)(st_allocation_first(al) + st_allocation_count(al) - 1));
        rc = print_allocation(al, fmt, (int)gcp);
    }
    st_allocation_destroy(al);
    st_store_close(s);
    return rc;
}

/* One JSON line per allocation. */
static st_rc print_info(void *ctx, const st_alloc_info *i)
{
    (void)ctx;
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_key(&j, "allocation");
    st_jw_long(&j, (long)i->id);
    st_jw_member_str(&j, "gtin", i->gtin);
    st_jw_member_str(&j, "scheme", i->scheme);
    st_jw_key(&j, "first");
    st_jw_long(&j, (long)i->first);
    st_jw_key(&j, "count");
    st_jw_long(&j, (long)i->count);
    st_jw_member_str(&j, "by", i->by);
    st_jw_key(&j, "created");
    iso_time(&j, i->created_ms);
    st_jw_object_end(&j);
    int bad = j.failed || st_jw_flush_line(&j, stdout);
    st_jw_free(&j);
    return bad ? ST_ERR_IO : ST_OK;
}

/* `serials allocations [--gtin G] [--limit N] [--db URL]`: one JSON line each. */
static int cmd_allocations(int argc, char **argv)
{
    sa_args a;
    int rc = sa_parse(argc, argv, C_LIST, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    uint64_t limit = 100;
    if (a.v[O_LIMIT] && sa_number("--limit", a.v[O_LIMIT], 1, ST_ALLOC_LIST_MAX, &limit))
        return CLI_INVALID;
    if (a.v[O_GTIN] && (rc = sa_check_gtin(a.v[O_GTIN])) != CLI_OK)
        return rc;
    st_store *s = open_store(a.v[O_DB], 1);
    if (!s)
        return CLI_FAILURE;
    st_error e;
    st_error_clear(&e);
    st_rc src = st_alloc_list(s, a.v[O_GTIN], (int)limit, print_info, NULL, &e);
    if (src)
        rc = sa_complain(exit_of(src), "%s", e.msg[0] ? e.msg : st_strerror(src));
    st_store_close(s);
    return rc;
}

/* `serialtrack serials SUBCOMMAND ...`: argv[0] is the subcommand. Returns
 * the exit code (cli.h). */
int cmd_serials(int argc, char **argv)
{
    sa_prog = "serialtrack serials";
    if (argc < 1) {
        sa_usage(stderr, C_GEN);
        return CLI_USAGE;
    }
    if (!strcmp(argv[0], "help") || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        sa_usage(stdout, C_GEN);
        sa_usage(stdout, C_ALLOC);
        sa_usage(stdout, C_LIST);
        return CLI_OK;
    }
    if (!strcmp(argv[0], "generate"))
        return cmd_generate(argc - 1, argv + 1);
    if (!strcmp(argv[0], "allocate"))
        return cmd_allocate(argc - 1, argv + 1);
    if (!strcmp(argv[0], "allocations"))
        return cmd_allocations(argc - 1, argv + 1);
    sa_complain(CLI_USAGE,
                "unknown subcommand '%s' (serials generate, serials allocate, serials allocations)",
                argv[0]);
    sa_usage(stderr, C_GEN);
    return CLI_USAGE;
}
