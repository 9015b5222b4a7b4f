/*
 * `serialtrack keys create|list|revoke`: the HTTP server's API keys, kept in
 * the store (include/serialtrack/keys.h). A new key is printed once, by
 * create; afterwards only its name, role and party are shown.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <serialtrack/serialtrack.h>

#include "cli.h"

static int usage(void)
{
    fprintf(stderr,
            "usage: serialtrack keys create --name NAME --role admin|capture|query|partner\n"
            "                               [--party PGLN] [--db URL]\n"
            "       serialtrack keys list [--db URL]\n"
            "       serialtrack keys revoke NAME [--db URL]\n"
            "  create prints {\"name\",\"role\",\"party\",\"key\"}: the key is shown this once only\n");
    return CLI_USAGE;
}

struct args {
    const char *sub;   /* create, list, revoke */
    const char *db;    /* --db */
    const char *name;  /* --name, or revoke's NAME */
    const char *role;  /* --role */
    const char *party; /* --party */
};

static int parse(int argc, char **argv, struct args *a)
{
    memset(a, 0, sizeof *a);
    if (argc < 1)
        return -1;
    a->sub = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char **slot = !strcmp(o, "--db")      ? &a->db
                            : !strcmp(o, "--name")  ? &a->name
                            : !strcmp(o, "--role")  ? &a->role
                            : !strcmp(o, "--party") ? &a->party
                                                    : NULL;
        if (slot) {
            if (i + 1 >= argc) {
                fprintf(stderr, "serialtrack keys: %s needs a value\n", o);
                return -1;
            }
            *slot = argv[++i];
        } else if (!strncmp(o, "--", 2) || a->name || strcmp(a->sub, "revoke")) {
            fprintf(stderr, "serialtrack keys: unexpected argument %s\n", o);
            return -1;
        } else {
            a->name = o; /* revoke NAME */
        }
    }
    return 0;
}

static st_store *open_store(const char *db, int read_only)
{
    st_store_opts o = {.read_only = read_only};
    st_store *s = NULL;
    st_error e;
    st_error_clear(&e);
    if (st_store_open(db, &o, &s, &e)) {
        fprintf(stderr, "serialtrack keys: %s\n", e.msg);
        return NULL;
    }
    return s;
}

static void iso_time(st_jw *j, int64_t ms)
{
    if (ms <= 0) {
        st_jw_null(j);
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[40];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
    st_jw_cstring(j, buf);
}

static void member_opt(st_jw *j, const char *k, const char *v)
{
    st_jw_key(j, k);
    if (v && *v)
        st_jw_cstring(j, v);
    else
        st_jw_null(j);
}

static int create(st_store *s, const struct args *a)
{
    char key[ST_KEY_LEN + 1];
    st_error e;
    st_error_clear(&e);
    st_rc rc = st_keys_create(s, a->name, a->role, a->party, key, sizeof key, &e);
    if (rc) {
        fprintf(stderr, "serialtrack keys create: %s\n", e.msg[0] ? e.msg : st_strerror(rc));
        return rc == ST_ERR_ARG ? CLI_INVALID : CLI_FAILURE;
    }
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_member_str(&j, "name", a->name);
    st_jw_member_str(&j, "role", a->role);
    member_opt(&j, "party", a->party);
    st_jw_member_str(&j, "key", key);
    st_jw_object_end(&j);
    st_jw_flush_line(&j, stdout);
    st_jw_free(&j);
    memset(key, 0, sizeof key);
    return CLI_OK;
}

static st_rc print_key(void *ctx, const st_key_info *k)
{
    (void)ctx;
    st_jw j;
    st_jw_init(&j);
    st_jw_object_begin(&j);
    st_jw_member_str(&j, "name", k->name);
    st_jw_member_str(&j, "role", st_key_role_name(k->role));
    member_opt(&j, "party", k->party);
    st_jw_key(&j, "created");
    iso_time(&j, k->created_ms);
    st_jw_key(&j, "revoked");
    iso_time(&j, k->revoked_ms);
    st_jw_object_end(&j);
    int bad = st_jw_flush_line(&j, stdout);
    st_jw_free(&j);
    return bad ? ST_ERR_IO : ST_OK;
}

int cmd_keys(int argc, char **argv)
{
    struct args a;
    if (parse(argc, argv, &a))
        return usage();
    int is_create = !strcmp(a.sub, "create"), is_list = !strcmp(a.sub, "list"),
        is_revoke = !strcmp(a.sub, "revoke");
    if (!is_create && !is_list && !is_revoke)
        return usage();
    if ((is_create && (!a.name || !a.role)) || (is_revoke && !a.name) ||
        (!is_create && (a.role || a.party)) || (is_list && a.name))
        return usage();
    if (is_create && !st_key_role_parse(a.role)) {
        fprintf(stderr, "serialtrack keys create: role \"%s\" is not one of admin, capture, "
                        "query, partner\n",
                a.role);
        return CLI_USAGE;
    }
    st_store *s = open_store(a.db, is_list);
    if (!s)
        return CLI_FAILURE;
    int rc = CLI_OK;
    st_error e;
    st_error_clear(&e);
    if (is_create) {
        rc = create(s, &a);
    } else if (is_list) {
        if (st_keys_list(s, print_key, NULL, &e)) {
            fprintf(stderr, "serialtrack keys list: %s\n", e.msg);
            rc = CLI_FAILURE;
        }
    } else {
        st_rc r = st_keys_revoke(s, a.name, &e);
        if (r) {
            fprintf(stderr, "serialtrack keys revoke: %s\n", e.msg);
            rc = r == ST_ERR_NOT_FOUND ? CLI_INVALID : CLI_FAILURE;
        } else {
            st_jw j;
            st_jw_init(&j);
            st_jw_object_begin(&j);
            st_jw_member_str(&j, "name", a.name);
            st_jw_key(&j, "revoked");
            st_jw_bool(&j, 1);
            st_jw_object_end(&j);
            st_jw_flush_line(&j, stdout);
            st_jw_free(&j);
        }
    }
    st_store_close(s);
    return rc;
}
