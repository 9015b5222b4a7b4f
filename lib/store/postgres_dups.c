/*
 * Duplicates on PostgreSQL (postgres_write.h): an event is stored already
 * when its hash, the digest of its declared hash ID, or its declared eventID
 * is in event_hash / event_eid, or earlier in the same document. Decided
 * under the chain lock, so two nodes never both store one event.
 */
#include "store/postgres_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The digest of a hash ID ("ni:///sha-256;" and 64 hex digits, then "?..."
 * or nothing) into out; 0 when s is not one. */
int st_pgw_hashid_digest(const char *s, unsigned char out[32])
{
    static const char pre[] = "ni:///sha-256;";
    if (strncmp(s, pre, sizeof pre - 1))
        return 0;
    s += sizeof pre - 1;
    for (int i = 0; i < 64; i++) {
        int c = s[i] | 0x20;
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            return 0;
        out[i / 2] = (unsigned char)(i % 2 ? out[i / 2] | v : v << 4);
    }
    return s[64] == 0 || s[64] == '?';
}

/* "\x..." (bytea text output) into out[0..32); 0 when it is not 32 bytes. */
int st_pgw_bytea32(const char *s, unsigned char out[32])
{
    if (strncmp(s, "\\x", 2) || strlen(s) != 66)
        return 0;
    char z[80];
    snprintf(z, sizeof z, "ni:///sha-256;%s", s + 2);
    return st_pgw_hashid_digest(z, out);
}

/* The stored events among d's (by hash, declared hash ID and eventID): their
 * hashes and eventIDs into hs and es (pointing into *hr, *er and dig). */
static int stored_dups(st_pgwdoc *w, const st_cap_doc *d, st_pgbset *hs, st_pgbset *es,
                       PGresult **hr, PGresult **er, unsigned char (**dig)[32])
{
    st_pgarr h = {{0}, 0}, e = {{0}, 0};
    st_pgbuf hex = {0};
    int rc = -1;
    for (size_t i = 0; i < d->n; i++) {
        const st_cap_event *ev = &d->ev[i];
        unsigned char declared[32];
        st_pgbuf_reset(&hex);
        st_pgbuf_hex(&hex, ev->hash, 32);
        st_pgarr_text(&h, hex.p);
        if (ev->event_id && st_pgw_hashid_digest(ev->event_id, declared)) {
            st_pgbuf_reset(&hex);
            st_pgbuf_hex(&hex, declared, 32);
            st_pgarr_text(&h, hex.p);
        }
        if (ev->event_id)
            st_pgarr_text(&e, ev->event_id);
    }
    const char *hv[1] = {st_pgarr_end(&h)}, *ev[1] = {st_pgarr_end(&e)};
    if (h.b.oom || e.b.oom || hex.oom)
        goto out;
    if (!(*hr = st_pgw_exec(w->p, W_DUP_HASH, 1, hv, w->msg, sizeof w->msg)))
        goto out;
    if (e.n && !(*er = st_pgw_exec(w->p, W_DUP_EID, 1, ev, w->msg, sizeof w->msg)))
        goto out;
    int nh = PQntuples(*hr);
    if (!(*dig = malloc(((size_t)nh + 1) * 32)))
        goto out;
    for (int i = 0; i < nh; i++)
        if (st_pgw_bytea32(PQgetvalue(*hr, i, 0), (*dig)[i]))
            st_pgbset_find(hs, (*dig)[i], 32, 1);
    for (int i = 0; *er && i < PQntuples(*er); i++)
        st_pgbset_find(es, PQgetvalue(*er, i, 0), (size_t)PQgetlength(*er, i, 0), 1);
    rc = 0;
out:
    free(h.b.p);
    free(e.b.p);
    free(hex.p);
    return rc;
}

/* dup[i] = 1 for each event of d that is a duplicate: same hash, same
 * eventID, or a declared eventID that is the hash ID of a stored event
 * (stored before, or earlier in d). 0, or -1 (w->msg says why). */
int st_pgw_mark_dups(st_pgwdoc *w, const st_cap_doc *d, unsigned char *dup)
{
    st_pgbset hs = {0}, es = {0};
    PGresult *hr = NULL, *er = NULL;
    unsigned char(*dig)[32] = NULL;
    int rc = -1;
    if (st_pgbset_init(&hs, 3 * d->n) || st_pgbset_init(&es, 2 * d->n)) {
        snprintf(w->msg, sizeof w->msg, "out of memory");
        goto out;
    }
    if (stored_dups(w, d, &hs, &es, &hr, &er, &dig))
        goto out;
    for (size_t i = 0; i < d->n; i++) {
        const st_cap_event *e = &d->ev[i];
        unsigned char declared[32];
        dup[i] = (e->event_id && st_pgw_hashid_digest(e->event_id, declared) &&
                  st_pgbset_find(&hs, declared, 32, 0)) ||
                 st_pgbset_find(&hs, e->hash, 32, 0) ||
                 (e->event_id && st_pgbset_find(&es, e->event_id, strlen(e->event_id), 0));
        if (dup[i])
            continue;
        st_pgbset_find(&hs, e->hash, 32, 1);
        if (e->event_id)
            st_pgbset_find(&es, e->event_id, strlen(e->event_id), 1);
    }
    rc = 0;
out:
    st_pgbset_free(&hs);
    st_pgbset_free(&es);
    PQclear(hr);
    PQclear(er);
    free(dig);
    return rc;
}
