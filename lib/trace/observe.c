/*
 * ObjectEvents OBSERVE about one unit, captured through the validated
 * capture path (observe.h). Each event gets a random urn:uuid eventID, so
 * the caller can name the events it caused.
 */
#include "trace/observe.h"

#include <openssl/rand.h>
#include <serialtrack/jsonw.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "store/capture.h"
#include "store/store_int.h"

#define DL_STEM "https://id.gs1.org"
#define URI_MAX 512 /* bytes of a location URI */

st_rc st_observe_location(const char *v, char *out, size_t cap, st_error *err)
{
    size_t n = strlen(v);
    if (n == 0 || n > URI_MAX)
        return st_fail(err, ST_ERR_LENGTH, -1, NULL, "location has %zu bytes; 1 to %d", n, URI_MAX);
    int gln = n == 13;
    for (size_t i = 0; i < n && gln; i++)
        gln = v[i] >= '0' && v[i] <= '9';
    if (gln) {
        snprintf(out, cap, DL_STEM "/414/%s", v);
        return ST_OK;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] <= ' ' || v[i] == '"' || v[i] == '\\' || v[i] == 0x7f)
            return st_fail(err, ST_ERR_ARG, (long)i, NULL,
                           "location: byte %zu is a space, quote or control character", i);
    if (!strchr(v, ':'))
        return st_fail(err, ST_ERR_ARG, -1, NULL,
                       "location \"%.60s\" is neither a URI nor a 13-digit GLN", v);
    if (n >= cap)
        return st_fail(err, ST_ERR_LENGTH, -1, NULL, "location too long");
    memcpy(out, v, n + 1);
    return ST_OK;
}

/* A random (version 4) UUID URN into out. */
static st_rc uuid_urn(char out[ST_OBSERVE_ID_MAX], st_error *err)
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        return st_fail(err, ST_ERR_IO, -1, NULL, "OpenSSL RAND_bytes failed");
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, ST_OBSERVE_ID_MAX,
             "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
    return ST_OK;
}

st_rc st_observe_ids(st_observe *ev, int n, st_error *err)
{
    for (int i = 0; i < n; i++) {
        st_rc rc = uuid_urn(ev[i].id, err);
        if (rc)
            return rc;
    }
    return ST_OK;
}

st_rc st_observe_capture(st_store *s, const char *key, st_observe *ev, int n,
                         const st_cap_side *side, size_t n_side, st_error *err)
{
    st_jw w;
    st_jw_init(&w);
    char t[32];
    st_rc rc = ST_OK;
    st_cap_time_str(ev[0].time_ms, t);
    st_jw_object_begin(&w);
    st_jw_key(&w, "@context");
    st_jw_array_begin(&w);
    st_jw_cstring(&w, "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld");
    st_jw_array_end(&w);
    st_jw_member_str(&w, "type", "EPCISDocument");
    st_jw_member_str(&w, "schemaVersion", "2.0");
    st_jw_member_str(&w, "creationDate", t);
    st_jw_key(&w, "epcisBody");
    st_jw_object_begin(&w);
    st_jw_key(&w, "eventList");
    st_jw_array_begin(&w);
    for (int i = 0; i < n && !rc; i++) {
        if (!ev[i].id[0] && (rc = uuid_urn(ev[i].id, err)) != ST_OK)
            break;
        st_cap_time_str(ev[i].time_ms, t);
        st_jw_object_begin(&w);
        st_jw_member_str(&w, "type", "ObjectEvent");
        st_jw_member_str(&w, "eventID", ev[i].id);
        st_jw_member_str(&w, "eventTime", t);
        st_jw_member_str(&w, "eventTimeZoneOffset", "+00:00");
        st_jw_key(&w, "epcList");
        st_jw_array_begin(&w);
        st_jw_cstring(&w, key);
        st_jw_array_end(&w);
        st_jw_member_str(&w, "action", "OBSERVE");
        st_jw_member_str(&w, "bizStep", ev[i].biz_step);
        st_jw_member_str(&w, "disposition", ev[i].disposition);
        if (ev[i].read_point) {
            st_jw_key(&w, "readPoint");
            st_jw_object_begin(&w);
            st_jw_member_str(&w, "id", ev[i].read_point);
            st_jw_object_end(&w);
        }
        st_jw_object_end(&w);
    }
    st_jw_array_end(&w);
    st_jw_object_end(&w);
    st_jw_object_end(&w);
    if (rc)
        goto out;
    if (w.failed) {
        rc = st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory for the events");
        goto out;
    }
    st_epcis_report *rep = NULL;
    st_capture_result res;
    rc = st_store_capture_side(s, w.p, w.n, "events", side, n_side, &res, &rep);
    if (rc) {
        const char *why = st_strerror(rc), *path = NULL, *msg = NULL;
        long evi = 0;
        if (rep && st_epcis_report_error_count(rep) &&
            st_epcis_report_error(rep, 0, &evi, &path, &msg) == ST_OK && msg)
            why = msg;
        st_fail(err, rc, -1, NULL, "the events were refused (%s); nothing was stored", why);
    }
    st_epcis_report_destroy(rep);
out:
    st_jw_free(&w);
    return rc;
}
