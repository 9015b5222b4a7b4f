/*
 * Reading the recorded anomalies (serialtrack/rules.h): filters by rule,
 * detection time and location over the anomaly table's indexes, in id order
 * with an id cursor; one JSON object per anomaly for the command line's JSON
 * lines and the HTTP API alike.
 */
#include <serialtrack/id.h>
#include <serialtrack/rules.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "store/capture.h"
#include "store/rules.h"
#include "store/store_int.h"

struct list {
    st_anomaly_cb cb;
    void *ctx;
};

static st_rc row(void *ctx, const st_val *c, int n)
{
    struct list *l = ctx;
    if (n < 8)
        return ST_ERR_INTERNAL;
    char event[96];
    if (c[7].type == ST_VAL_TEXT) {
        snprintf(event, sizeof event, "%.*s", (int)c[7].n, (const char *)c[7].p);
    } else if (c[3].type == ST_VAL_BLOB && c[3].n == 32) {
        const unsigned char *h = c[3].p;
        int w = snprintf(event, sizeof event, "ni:///sha-256;");
        for (int i = 0; i < 32; i++)
            w += snprintf(event + w, sizeof event - (size_t)w, "%02x", h[i]);
        snprintf(event + w, sizeof event - (size_t)w, "?ver=CBV2.0");
    } else {
        event[0] = 0;
    }
    st_anomaly a = {c[0].i,
                    c[1].p,
                    c[2].p,
                    event,
                    c[4].type == ST_VAL_TEXT ? c[4].p : NULL,
                    c[5].i,
                    c[6].type == ST_VAL_TEXT ? c[6].p : "{}"};
    return l->cb(l->ctx, &a);
}

st_rc st_anomalies_list(st_store *s, const st_anomaly_filter *f, st_anomaly_cb cb, void *ctx,
                        st_error *err)
{
    st_anomaly_filter none = {0};
    if (!f)
        f = &none;
    if (!s || !cb)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store or no callback");
    if (f->type && st_rule_find(f->type) < 0) {
        size_t n = 0;
        const char *const *names = st_rules_names(&n);
        char known[256];
        size_t w = 0;
        known[0] = 0;
        for (size_t i = 0; i < n && w < sizeof known; i++) {
            int k = snprintf(known + w, sizeof known - w, "%s%s", i ? ", " : "", names[i]);
            w += k > 0 ? (size_t)k : 0;
        }
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "unknown anomaly type \"%.60s\"; the types are %s", f->type, known);
    }
    /* one statement per combination of filters, so each finds its index */
    char sql[1024];
    st_val args[5];
    int na = 0;
    int w = snprintf(sql, sizeof sql,
                     "SELECT a.id, a.rule, i.key, e.hash, l.key, a.detected_at, a.evidence,"
                     " e.event_id FROM anomaly a JOIN ident i ON i.id = a.ident"
                     " JOIN event e ON e.id = a.event LEFT JOIN ident l ON l.id = a.location"
                     " WHERE a.id > $1");
    args[na++] = st_val_int(f->after > 0 ? f->after : 0);
    if (f->type) {
        args[na++] = st_val_text(f->type);
        w += snprintf(sql + w, sizeof sql - (size_t)w, " AND a.rule = $%d", na);
    }
    if (f->since_ms > 0) {
        args[na++] = st_val_int(f->since_ms);
        w += snprintf(sql + w, sizeof sql - (size_t)w, " AND a.detected_at >= $%d", na);
    }
    if (f->location) {
        args[na++] = st_val_text(f->location);
        w += snprintf(sql + w, sizeof sql - (size_t)w,
                      " AND (a.location = (SELECT id FROM ident WHERE key = $%d) OR e.read_point ="
                      " (SELECT id FROM ident WHERE key = $%d))",
                      na, na);
    }
    w += snprintf(sql + w, sizeof sql - (size_t)w, " ORDER BY a.id");
    if (f->limit > 0) {
        args[na++] = st_val_int(f->limit);
        snprintf(sql + w, sizeof sql - (size_t)w, " LIMIT $%d", na);
    }
    struct list l = {cb, ctx};
    return st_store_exec(s, sql, args, na, row, &l, err);
}

void st_anomaly_json(const st_anomaly *a, st_jw *out)
{
    st_jw_object_begin(out);
    st_jw_key(out, "id");
    st_jw_long(out, (long)a->id);
    st_jw_member_str(out, "type", a->type);
    st_jw_member_str(out, "key", a->key);
    /* the EPC URI when the key converts to one without a company prefix
     * table (it rarely does: the prefix length is never guessed), else the key */
    const char *epc = a->key;
    st_id *id = NULL;
    if (st_id_parse(a->key, strlen(a->key), NULL, &id, NULL) == ST_OK && st_id_epc_uri(id))
        epc = st_id_epc_uri(id);
    st_jw_member_str(out, "epc", epc);
    st_id_destroy(id);
    st_jw_member_str(out, "event", a->event);
    char t[32];
    st_cap_time_str(a->detected_ms, t);
    st_jw_member_str(out, "detected_at", t);
    if (a->location)
        st_jw_member_str(out, "location", a->location);
    st_jw_key(out, "evidence");
    st_jw_raw(out, a->evidence, strlen(a->evidence));
    st_jw_object_end(out);
}
