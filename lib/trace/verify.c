/*
 * The public authenticity check of one unit (serialtrack/rules.h,
 * st_verify_write): what a shopper's phone may learn from the serial on a
 * package, and nothing more: whether it was commissioned, its status and
 * warnings, its product (GTIN, lot, expiry). No location, party, time or
 * history leaves this module.
 */
#include <serialtrack/rules.h>
#include <serialtrack/trace.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "store/capture.h"
#include "store/store_int.h"

#define KEY_MAX 2048
#define DISP "https://ref.gs1.org/cbv/Disp-"
#define DL "https://id.gs1.org/"

typedef struct facts {
    int seen;           /* the store knows the identifier */
    int state;          /* it has an item state */
    int commissioned;   /* item_life */
    int decommissioned; /* item_life, or deleted */
    char disp[64];      /* the disposition's CBV word, or "" */
    char expiry[32];    /* as written in ILMD, or "" */
    char lot[128];      /* the lot (decoded), or "" */
    int clones;         /* impossible_travel anomalies */
    int moved[3];       /* moved while recalled, stolen, expired (anomalies) */
} facts;

static const char *const moved_disp[3] = {"recalled", "stolen", "expired"};

static void copy(char *out, size_t cap, const st_val *v)
{
    out[0] = 0;
    if (v->type == ST_VAL_TEXT)
        snprintf(out, cap, "%.*s", (int)v->n, (const char *)v->p);
}

/* Percent-decode s in place. */
static void pct_decode(char *s)
{
    char *o = s;
    for (; *s; s++) {
        unsigned v;
        if (s[0] == '%' && s[1] && s[2] && sscanf(s + 1, "%2x", &v) == 1) {
            *o++ = (char)v;
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = 0;
}

static st_rc row(void *ctx, const st_val *c, int n)
{
    facts *f = ctx;
    if (n < 8)
        return ST_ERR_INTERNAL;
    f->seen = 1;
    f->state = c[0].type == ST_VAL_INT;
    char disp[256];
    copy(disp, sizeof disp, &c[1]);
    snprintf(f->disp, sizeof f->disp, "%s",
             !strncmp(disp, DISP, sizeof DISP - 1) ? disp + sizeof DISP - 1 : disp);
    copy(f->expiry, sizeof f->expiry, &c[2]);
    char lot[KEY_MAX];
    copy(lot, sizeof lot, &c[3]);
    const char *l = strstr(lot, "/10/");
    snprintf(f->lot, sizeof f->lot, "%s", l ? l + 4 : "");
    char *q = strchr(f->lot, '/');
    if (q)
        *q = 0;
    pct_decode(f->lot);
    f->decommissioned = (c[4].type == ST_VAL_INT && c[4].i == 1) || c[6].type == ST_VAL_INT;
    f->commissioned = c[5].type == ST_VAL_INT;
    f->clones = c[7].type == ST_VAL_INT ? (int)c[7].i : 0;
    return ST_OK;
}

/* A recalled_or_stolen_moved anomaly: the disposition it saw stays a
 * warning after the move changed the disposition. */
static st_rc row_moved(void *ctx, const st_val *c, int n)
{
    facts *f = ctx;
    char ev[512];
    copy(ev, sizeof ev, &c[0]);
    for (int i = 0; i < 3; i++) {
        char want[64];
        snprintf(want, sizeof want, "\"disposition\":\"%s\"", moved_disp[i]);
        if (strstr(ev, want))
            f->moved[i] = 1;
    }
    return ST_OK;
}

/* 1 when the ILMD expiry date (YYYY-MM-DD, perhaps with a time) ended
 * before now_ms. */
static int expired(const char *expiry, int64_t now_ms)
{
    if (strlen(expiry) < 10)
        return 0;
    char t[40];
    snprintf(t, sizeof t, "%.10sT00:00:00Z", expiry);
    int64_t ms = 0;
    if (st_cap_time_ms(t, &ms) != ST_OK)
        return 0;
    return now_ms >= ms + 86400000; /* valid through the whole day */
}

st_rc st_verify_write(st_store *s, const char *id, int64_t now_ms, st_jw *out, st_error *err)
{
    if (!s || !id || !out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no store, identifier or output");
    char key[KEY_MAX];
    st_rc rc = st_trace_key(id, key, sizeof key, err);
    if (rc)
        return rc;
    static const char sql[] =
        "SELECT s.last_seen, dp.key, s.expiry, lt.key, s.deleted, l.commissioned,"
        " l.decommissioned, (SELECT count(*) FROM anomaly a WHERE a.ident = i.id"
        " AND a.rule = 'impossible_travel') FROM ident i"
        " LEFT JOIN item_state s ON s.ident = i.id LEFT JOIN item_life l ON l.ident = i.id"
        " LEFT JOIN ident dp ON dp.id = s.disposition LEFT JOIN ident lt ON lt.id = s.lot"
        " WHERE i.key = $1";
    facts f;
    memset(&f, 0, sizeof f);
    st_val arg = st_val_text(key);
    if ((rc = st_store_exec(s, sql, &arg, 1, row, &f, err)) != ST_OK)
        return rc;
    if (f.seen &&
        (rc = st_store_exec(s,
                            "SELECT evidence FROM anomaly WHERE ident = (SELECT id FROM ident"
                            " WHERE key = $1) AND rule = 'recalled_or_stolen_moved'",
                            &arg, 1, row_moved, &f, err)) != ST_OK)
        return rc;
    int destroyed = !strcmp(f.disp, "destroyed");
    int decommissioned = f.decommissioned || destroyed || !strcmp(f.disp, "inactive");
    const char *status = !f.seen || !f.state ? "unknown"
                         : decommissioned    ? (destroyed ? "destroyed" : "decommissioned")
                         : !f.commissioned   ? "not_commissioned"
                         : f.disp[0]         ? f.disp
                                             : "active";
    st_jw_object_begin(out);
    st_jw_key(out, "genuine");
    st_jw_bool(out, f.commissioned && !f.clones);
    st_jw_member_str(out, "status", status);
    st_jw_key(out, "product");
    st_jw_object_begin(out);
    const char *g = !strncmp(key, DL "01/", sizeof DL + 2) ? key + sizeof DL + 2 : NULL;
    if (g && strlen(g) >= 14) {
        st_jw_key(out, "gtin");
        st_jw_string(out, g, 14);
    }
    if (f.lot[0])
        st_jw_member_str(out, "lot", f.lot);
    if (f.expiry[0])
        st_jw_member_str(out, "expiry", f.expiry);
    st_jw_object_end(out);
    st_jw_key(out, "warnings");
    st_jw_array_begin(out);
    if (!strcmp(f.disp, "recalled") || f.moved[0])
        st_jw_cstring(out, "recalled");
    if (!strcmp(f.disp, "stolen") || f.moved[1])
        st_jw_cstring(out, "stolen");
    if (!strcmp(f.disp, "unknown"))
        st_jw_cstring(out, "lost");
    if (!strcmp(f.disp, "expired") || f.moved[2] || expired(f.expiry, now_ms))
        st_jw_cstring(out, "expired");
    if (decommissioned)
        st_jw_cstring(out, "decommissioned");
    if (destroyed)
        st_jw_cstring(out, "destroyed");
    if (f.clones)
        st_jw_cstring(out, "clone_suspected");
    if (f.state && !f.commissioned)
        st_jw_cstring(out, "not_commissioned");
    st_jw_array_end(out);
    st_jw_object_end(out);
    return ST_OK;
}
