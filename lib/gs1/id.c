/*
 * The public identifier API (include/serialtrack/id.h): detects the form of an
 * input, hands it to the parser for that form (ai.c, dl.c, epc.c, tds.c), and
 * derives the canonical key and every other form once, at parse time.
 */
#include <serialtrack/id.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "gs1/ai.h"
#include "gs1/checkdigit.h"
#include "gs1/dl.h"
#include "gs1/epc.h"
#include "gs1/key.h"
#include "gs1/tds.h"

#define ID_DL_MAX (ST_AI_MAX_DATA * 3 + 512) /* every value byte percent-encoded */
#define ID_URI_MAX 512                        /* EPC URIs: at most ~130 characters */

struct st_id {
    st_id_format fmt;            /* form of the input */
    st_aidata d;                 /* the AI data (empty for EPC patterns) */
    int has_epc;                 /* epc below is set */
    st_epc epc;                  /* EPC view (from EPC input, or derived with a GCP length) */
    char key[ID_DL_MAX];         /* canonical key */
    char hri[ST_AI_MAX_DATA * 2 + 512];  /* bracketed element string */
    char raw[ST_AI_MAX_DATA + 512];      /* unbracketed element string with GS */
    char dl[ID_DL_MAX];          /* canonical Digital Link, "" when not representable */
    char epc_uri[ID_URI_MAX];    /* pure identity / class / pattern URI, "" when unknown */
    char epc_why[256];           /* why epc_uri is "" */
    char tag_uri[ID_URI_MAX];    /* tag URI, "" unless the input was a tag URI or hex */
    char hex[ST_EPC_HEX_MAX + 1];/* EPC binary hex, "" unless as tag_uri */
};

const char *st_id_format_name(st_id_format f)
{
    switch (f) {
    case ST_ID_ELEMENT_STRING:
        return "element-string";
    case ST_ID_DIGITAL_LINK:
        return "digital-link";
    case ST_ID_EPC_URI:
        return "epc-uri";
    case ST_ID_EPC_TAG_URI:
        return "epc-tag-uri";
    case ST_ID_EPC_HEX:
        return "epc-hex";
    }
    return "unknown";
}

static int starts_with(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && !memcmp(s, prefix, k);
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

/* Hex digits only, and at least one letter among them. */
static int looks_hex(const char *s, size_t n, int *has_letter)
{
    *has_letter = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return 0;
        if (!isdigit((unsigned char)s[i]))
            *has_letter = 1;
    }
    return n > 0;
}

/* A bare GTIN-8/12/13/14 as typed or read without symbology identifier:
 * all digits, a GTIN length, and a right check digit. */
static int is_bare_gtin(const char *s, size_t n)
{
    return (n == 8 || n == 12 || n == 13 || n == 14) && all_digits(s, n) &&
           st_cd_verify(s, n, NULL) == ST_OK;
}

/* The company prefix length to use for d's key: from options, else the table. */
static int gcp_len_for(const st_aidata *d, const st_id_opts *o)
{
    if (o && o->gcp_len)
        return o->gcp_len;
    if (!o || !o->gcp)
        return 0;
    for (size_t i = 0; i < d->n; i++) {
        const st_ai_def *def = d->e[i].def;
        if (!(def->flags & ST_AI_DL_PKEY))
            continue;
        size_t off = st_key_gcp_offset(def->ai);
        const char *v = st_ai_value(d, i);
        if (d->e[i].len <= off)
            return 0;
        return st_gcp_table_lookup(o->gcp, v + off, d->e[i].len - off);
    }
    return 0;
}

/* Fill the derived forms once the AI data (and possibly the EPC) is known. */
static st_rc derive(st_id *id, const st_id_opts *o, st_error *err)
{
    st_rc rc;
    if (id->d.n) {
        if ((rc = st_key_build(&id->d, id->key, sizeof id->key, err)))
            return rc;
        if (st_ai_to_hri(&id->d, id->hri, sizeof id->hri) ||
            st_ai_to_unbracketed(&id->d, ST_GS, id->raw, sizeof id->raw))
            return st_fail(err, ST_ERR_INTERNAL, -1, NULL, "derived forms do not fit");
        if (st_dl_build(&id->d, NULL, 0, id->dl, sizeof id->dl, NULL))
            id->dl[0] = '\0';
    }
    if (!id->has_epc && id->d.n) {
        int L = gcp_len_for(&id->d, o);
        st_error e2;
        st_error_clear(&e2);
        if (!L) {
            snprintf(id->epc_why, sizeof id->epc_why,
                     "the GS1 Company Prefix length is unknown: give --gcp-len N or a company "
                     "prefix table");
        } else if (st_epc_from_ai(&id->d, L, &id->epc, &e2) == ST_OK) {
            id->has_epc = 1;
        } else {
            snprintf(id->epc_why, sizeof id->epc_why, "%s", e2.msg);
        }
    }
    if (id->has_epc) {
        int kind = id->epc.kind == ST_EPC_KIND_TAG ? ST_EPC_KIND_ID : id->epc.kind;
        if (st_epc_format_uri(&id->epc, kind, id->epc_uri, sizeof id->epc_uri))
            return st_fail(err, ST_ERR_INTERNAL, -1, NULL, "EPC URI does not fit");
    }
    if (!id->d.n) /* a pattern: its own canonical URI is its key */
        snprintf(id->key, sizeof id->key, "%s", id->epc_uri);
    return ST_OK;
}

/* The tag scheme name ("sgtin-96") of a tag URI "urn:epc:tag:sgtin-96:...". */
static void tag_scheme(const char *uri, char *out, size_t cap)
{
    const char *p = uri + strlen("urn:epc:tag:");
    size_t n = strcspn(p, ":");
    snprintf(out, cap, "%.*s", (int)n, p);
}

static st_rc parse_epc_input(st_id *id, const char *s, size_t n, st_error *err)
{
    st_rc rc = st_epc_parse_uri(s, n, &id->epc, err);
    if (rc)
        return rc;
    id->has_epc = 1;
    if (id->epc.kind == ST_EPC_KIND_IDPAT)
        return ST_OK; /* a pattern names many objects: no AI data */
    if ((rc = st_epc_to_ai(&id->epc, &id->d, err)))
        return rc;
    return st_ai_validate(&id->d, err);
}

static st_rc parse_any(st_id *id, const char *s, size_t n, const st_id_opts *o, st_error *err)
{
    unsigned dlflags = o && o->dl_legacy_gtin ? ST_DL_LEGACY_GTIN : 0;
    int has_letter;
    st_rc rc;

    if (starts_with(s, n, "urn:epc:tag:")) {
        id->fmt = ST_ID_EPC_TAG_URI;
        if ((rc = parse_epc_input(id, s, n, err)))
            return rc;
        snprintf(id->tag_uri, sizeof id->tag_uri, "%.*s", (int)n, s);
        char scheme[32];
        tag_scheme(id->tag_uri, scheme, sizeof scheme);
        return st_tds_encode_hex(&id->epc, scheme, id->epc.filter, id->hex, sizeof id->hex, err);
    }
    if (starts_with(s, n, "urn:epc:")) {
        id->fmt = ST_ID_EPC_URI;
        return parse_epc_input(id, s, n, err);
    }
    if (starts_with(s, n, "]d1") || starts_with(s, n, "]Q1") || starts_with(s, n, "]J0")) {
        if (!st_dl_is_uri(s + 3, n - 3))
            return st_fail(err, ST_ERR_SYNTAX, 3, NULL,
                           "plain data after %.3s is neither GS1 AI data nor a Digital Link", s);
        id->fmt = ST_ID_DIGITAL_LINK;
        rc = st_dl_parse(s + 3, n - 3, dlflags, &id->d, err);
        st_error_shift(err, 3);
        return rc;
    }
    if (st_dl_is_uri(s, n)) {
        id->fmt = ST_ID_DIGITAL_LINK;
        return st_dl_parse(s, n, dlflags, &id->d, err);
    }
    id->fmt = ST_ID_ELEMENT_STRING;
    if (!isxdigit((unsigned char)s[0]) && s[0] != '(' && s[0] != ']' && s[0] != '^' &&
        s[0] != ST_GS)
        return st_fail(err, ST_ERR_SYNTAX, 0, NULL,
                       "not a recognised identifier: expected a GS1 element string, a Digital "
                       "Link (http...), an EPC URI (urn:epc:...) or EPC hex");
    if (is_bare_gtin(s, n)) {
        char gtin[15];
        memset(gtin, '0', 14 - n);
        memcpy(gtin + 14 - n, s, n);
        st_ai_init(&id->d);
        rc = st_ai_add(&id->d, "01", 2, gtin, 14, 0, err);
        return rc ? rc : st_ai_validate(&id->d, err);
    }
    if (looks_hex(s, n, &has_letter) && n <= ST_EPC_HEX_MAX) {
        st_error hex_err;
        st_error_clear(&hex_err);
        if (has_letter || st_ai_parse(s, n, &id->d, NULL) != ST_OK) {
            rc = st_tds_decode_hex(s, n, &id->epc, &hex_err);
            if (rc == ST_OK) {
                id->fmt = ST_ID_EPC_HEX;
                id->has_epc = 1;
                if (st_epc_format_uri(&id->epc, ST_EPC_KIND_TAG, id->tag_uri, sizeof id->tag_uri))
                    return st_fail(err, ST_ERR_INTERNAL, -1, NULL, "tag URI does not fit");
                for (size_t i = 0; i < n; i++)
                    id->hex[i] = (char)toupper((unsigned char)s[i]);
                id->hex[n] = '\0';
                if ((rc = st_epc_to_ai(&id->epc, &id->d, err)))
                    return rc;
                return st_ai_validate(&id->d, err);
            }
            if (has_letter) {
                if (err)
                    *err = hex_err;
                return rc;
            }
        } else {
            return ST_OK; /* all digits and valid AI data */
        }
    }
    return st_ai_parse(s, n, &id->d, err);
}

st_rc st_id_parse(const char *text, size_t len, const st_id_opts *opts, st_id **out,
                  st_error *err)
{
    st_error_clear(err);
    if (!out || (!text && len))
        return st_fail(err, ST_ERR_ARG, -1, NULL, "st_id_parse: NULL argument");
    *out = NULL;
    if (len == 0)
        return st_fail(err, ST_ERR_SYNTAX, 0, NULL, "empty input");
    if (len > ST_ID_MAX_INPUT)
        return st_fail(err, ST_ERR_LIMIT, ST_ID_MAX_INPUT, NULL,
                       "input holds %zu bytes; the limit is %d", len, ST_ID_MAX_INPUT);
    /* ~20 KB of text buffers: set each to empty rather than zeroing them all */
    st_id *id = malloc(sizeof *id);
    if (!id)
        return st_fail(err, ST_ERR_NOMEM, -1, NULL, "out of memory");
    id->has_epc = 0;
    id->key[0] = id->hri[0] = id->raw[0] = id->dl[0] = '\0';
    id->epc_uri[0] = id->epc_why[0] = id->tag_uri[0] = id->hex[0] = '\0';
    st_ai_init(&id->d);
    st_rc rc = parse_any(id, text, len, opts, err);
    if (!rc)
        rc = derive(id, opts, err);
    if (rc) {
        free(id);
        return rc;
    }
    *out = id;
    return ST_OK;
}

void st_id_destroy(st_id *id)
{
    free(id);
}

st_id_format st_id_format_of(const st_id *id)
{
    return id->fmt;
}

const char *st_id_key(const st_id *id)
{
    return id->key;
}

size_t st_id_ai_count(const st_id *id)
{
    return id->d.n;
}

st_rc st_id_ai_at(const st_id *id, size_t i, const char **ai, const char **value)
{
    if (i >= id->d.n)
        return ST_ERR_RANGE;
    if (ai)
        *ai = id->d.e[i].def->ai;
    if (value)
        *value = st_ai_value(&id->d, i);
    return ST_OK;
}

const char *st_id_get(const st_id *id, const char *ai)
{
    return st_ai_get(&id->d, ai);
}

const char *st_id_hri(const st_id *id)
{
    return id->hri;
}

const char *st_id_element_string(const st_id *id)
{
    return id->raw;
}

static const char *or_null(const char *s)
{
    return s[0] ? s : NULL;
}

const char *st_id_digital_link(const st_id *id)
{
    return or_null(id->dl);
}

const char *st_id_epc_uri(const st_id *id)
{
    return or_null(id->epc_uri);
}

const char *st_id_epc_uri_why(const st_id *id)
{
    return id->epc_uri[0] ? NULL : or_null(id->epc_why);
}

const char *st_id_tag_uri(const st_id *id)
{
    return or_null(id->tag_uri);
}

const char *st_id_hex(const st_id *id)
{
    return or_null(id->hex);
}

st_rc st_id_encode(const st_id *id, const char *scheme, int filter, char *hex, size_t cap,
                   st_error *err)
{
    st_error_clear(err);
    if (!id || !scheme || !hex)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "st_id_encode: NULL argument");
    if (!id->has_epc)
        return st_fail(err, id->epc_why[0] && strstr(id->epc_why, "Company Prefix")
                                ? ST_ERR_GCP_UNKNOWN
                                : ST_ERR_UNSUPPORTED,
                       -1, NULL, "cannot encode as EPC binary: %s",
                       id->epc_why[0] ? id->epc_why : "not an EPC");
    if (filter < 0)
        filter = id->epc.kind == ST_EPC_KIND_TAG ? id->epc.filter : 0;
    return st_tds_encode_hex(&id->epc, scheme, filter, hex, cap, err);
}
