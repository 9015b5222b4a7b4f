/*
 * `serialtrack events [--db URL] [--format jsonld|xml|xml12] [NAME=VALUE ...]`:
 * an EPCIS simple event query over the event store, printed as an
 * EPCISQueryDocument. Parameters are named as in the EPCIS 2.0 REST binding
 * (eventType, GE_eventTime, EQ_bizStep, MATCH_epc, orderBy, perPage, ...);
 * list values are separated by '|' or ','. When more pages remain, the
 * token for the next one is printed to standard error as
 * "nextPageToken=TOKEN", to be given back as a parameter.
 */
#include <stdio.h>
#include <string.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"

#define TOKEN_CAP 256 /* bytes for a nextPageToken (the store's are under 100) */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: serialtrack events [--db URL] [--format jsonld|xml|xml12] [NAME=VALUE ...]\n"
            "  NAME=VALUE  an EPCIS query parameter, e.g. EQ_bizStep=shipping|receiving,\n"
            "              MATCH_epc=urn:epc:idpat:sgtin:0614141.107346.*, GE_eventTime=2024-01-01T00:00:00Z,\n"
            "              orderBy=eventTime, orderDirection=ASC, perPage=100\n"
            "  more pages: the token is printed to stderr as nextPageToken=TOKEN; run the same\n"
            "              command with nextPageToken=TOKEN added for the next page\n"
            "  exit: 0 done, 1 more events match than maxEventCount, 2 bad parameter,\n"
            "        3 no store or another failure\n");
}

static int format_of(const char *s, st_epcis_format *f)
{
    if (!s || !strcmp(s, "jsonld") || !strcmp(s, "json"))
        *f = ST_EPCIS_FMT_JSONLD;
    else if (!strcmp(s, "xml"))
        *f = ST_EPCIS_FMT_XML2;
    else if (!strcmp(s, "xml12"))
        *f = ST_EPCIS_FMT_XML12;
    else
        return -1;
    return 0;
}

/* Options and parameters from argv into q; CLI_OK or CLI_USAGE (message printed). */
static int parse_args(int argc, char **argv, st_query *q, const char **db, st_epcis_format *fmt)
{
    const char *format = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return -1;
        }
        if (!strcmp(a, "--db") || !strcmp(a, "--format")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "serialtrack events: %s needs a value\n", a);
                return CLI_USAGE;
            }
            *(a[2] == 'd' ? db : &format) = argv[++i];
            continue;
        }
        if (!strncmp(a, "--db=", 5)) {
            *db = a + 5;
            continue;
        }
        if (!strncmp(a, "--format=", 9)) {
            format = a + 9;
            continue;
        }
        if (!strncmp(a, "--", 2)) {
            fprintf(stderr, "serialtrack events: unknown option %s\n", a);
            usage(stderr);
            return CLI_USAGE;
        }
        const char *eq = strchr(a, '=');
        if (!eq) /* a bare name (EXISTS_ilmd): an empty value */
            eq = a + strlen(a);
        if (eq == a) {
            fprintf(stderr, "serialtrack events: \"%s\" is not NAME=VALUE\n", a);
            usage(stderr);
            return CLI_USAGE;
        }
        char name[512];
        if ((size_t)(eq - a) >= sizeof name) {
            fprintf(stderr, "serialtrack events: parameter name too long\n");
            return CLI_USAGE;
        }
        memcpy(name, a, (size_t)(eq - a));
        name[eq - a] = '\0';
        st_error e;
        st_error_clear(&e);
        st_rc rc = st_query_set(q, name, *eq ? eq + 1 : eq, &e);
        if (rc) {
            fprintf(stderr, "serialtrack events: %s\n", e.msg[0] ? e.msg : st_strerror(rc));
            return rc == ST_ERR_NOMEM ? CLI_FAILURE : CLI_USAGE;
        }
    }
    if (format_of(format, fmt)) {
        fprintf(stderr, "serialtrack events: unknown format \"%s\" (jsonld, xml or xml12)\n",
                format);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cmd_events(int argc, char **argv)
{
    st_query *q = NULL;
    if (st_query_create(&q)) {
        fprintf(stderr, "serialtrack events: out of memory\n");
        return CLI_FAILURE;
    }
    const char *db = NULL;
    st_epcis_format fmt = ST_EPCIS_FMT_JSONLD;
    int code = parse_args(argc, argv, q, &db, &fmt);
    if (code) {
        st_query_destroy(q);
        return code < 0 ? CLI_OK : code;
    }
    st_store_opts o = {.read_only = 1};
    st_store *s = NULL;
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_store_open(db, &o, &s, &e);
    if (rc) {
        fprintf(stderr, "serialtrack events: %s\n", e.msg[0] ? e.msg : st_strerror(rc));
        st_query_destroy(q);
        return CLI_FAILURE;
    }
    char token[TOKEN_CAP];
    st_error_clear(&e);
    rc = st_store_query_write(s, q, fmt, stdout, token, sizeof token, &e);
    st_store_close(s);
    st_query_destroy(q);
    if (rc) {
        fprintf(stderr, "serialtrack events: %s\n", e.msg[0] ? e.msg : st_strerror(rc));
        return rc == ST_ERR_SYNTAX || rc == ST_ERR_ARG ? CLI_USAGE
               : rc == ST_ERR_LIMIT                    ? CLI_INVALID
                                                       : CLI_FAILURE;
    }
    if (fflush(stdout)) {
        fprintf(stderr, "serialtrack events: writing the result failed\n");
        return CLI_FAILURE;
    }
    if (token[0])
        fprintf(stderr, "nextPageToken=%s\n", token);
    return CLI_OK;
}
