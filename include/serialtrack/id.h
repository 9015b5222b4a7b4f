/*
 * Identifiers: whatever a barcode scanner, a Digital Link QR code or an RFID
 * reader delivers, parsed, validated and reduced to one canonical key.
 *
 * Accepted forms (detected from the text):
 *   element string   "(01)09520123456788(21)12345", "]d2010952...<GS>21...", "^0109..."
 *   Digital Link     "https://example.com/01/09520123456788/21/12345?17=251231"
 *   EPC URI          "urn:epc:id:sgtin:0614141.812345.6789", "urn:epc:class:lgtin:...",
 *                    "urn:epc:idpat:sgtin:0614141.812345.*"
 *   EPC tag URI      "urn:epc:tag:sgtin-96:3.0614141.812345.6789"
 *   EPC hex          "3074257BF7194E4000001A85" (Tag Data Standard binary)
 *
 * The canonical key of an object is the GS1 Digital Link URI, on the
 * https://id.gs1.org stem, of its identifying AIs only: (01)+(21) for a
 * serialised trade item, (01)+(10) for a lot, (00) for an SSCC, (414)+(254)
 * for a location, and so on. The same unit read from its DataMatrix, its
 * Digital Link QR code and its RFID tag therefore has one key.
 */
#ifndef SERIALTRACK_ID_H
#define SERIALTRACK_ID_H

#include <stddef.h>
#include <serialtrack/rc.h>

typedef struct st_id st_id;               /* one parsed, validated identifier */
typedef struct st_gcp_table st_gcp_table; /* GS1 Company Prefix lengths, from a file */

typedef enum st_id_format {
    ST_ID_ELEMENT_STRING = 1, /* AI element string, bracketed or as scanned */
    ST_ID_DIGITAL_LINK = 2,   /* GS1 Digital Link URI */
    ST_ID_EPC_URI = 3,        /* urn:epc:id:, urn:epc:class:, urn:epc:idpat: */
    ST_ID_EPC_TAG_URI = 4,    /* urn:epc:tag: */
    ST_ID_EPC_HEX = 5,        /* EPC binary as hex digits */
} st_id_format;

/* Options for st_id_parse; zero-initialise and set what you need. */
typedef struct st_id_opts {
    int gcp_len;               /* GS1 Company Prefix length (4..12) when known, else 0 */
    const st_gcp_table *gcp;   /* consulted when gcp_len is 0; may be NULL; not owned */
    int dl_legacy_gtin;        /* 1: accept 8/12/13-digit GTINs in Digital Links (left-padded) */
} st_id_opts;

/*
 * Parse text[0..len) in any accepted form, validate it fully and derive its
 * other forms. On success *out is a new handle the caller frees with
 * st_id_destroy. On failure *out is NULL, the code is returned and err (if not
 * NULL) names the position, the AI and the rule ("AI 01: check digit is 7,
 * expected 8"). text is not kept.
 */
st_rc st_id_parse(const char *text, size_t len, const st_id_opts *opts, st_id **out,
                  st_error *err);

/* Free id and everything it owns. NULL is accepted. */
void st_id_destroy(st_id *id);

/* The form the input arrived in. */
st_id_format st_id_format_of(const st_id *id);

/* "element-string", "digital-link", "epc-uri", "epc-tag-uri" or "epc-hex". */
const char *st_id_format_name(st_id_format f);

/* The canonical key (see above). Owned by id. Never NULL. */
const char *st_id_key(const st_id *id);

/* Number of AI elements, and element i: *ai ("01") and *value point into id,
 * valid until st_id_destroy. ST_ERR_RANGE when i is out of range. */
size_t st_id_ai_count(const st_id *id);
st_rc st_id_ai_at(const st_id *id, size_t i, const char **ai, const char **value);

/* The first value of AI ai ("21"), or NULL. Owned by id. */
const char *st_id_get(const st_id *id, const char *ai);

/* The bracketed element string "(01)...(21)...". Owned by id. Never NULL. */
const char *st_id_hri(const st_id *id);

/* The unbracketed element string with GS (0x1D) separators, as a scanner
 * sends it (without symbology identifier). Owned by id. Never NULL. */
const char *st_id_element_string(const st_id *id);

/* The canonical Digital Link URI (https://id.gs1.org stem) of all the data,
 * or NULL when some AI cannot be carried in a Digital Link. Owned by id. */
const char *st_id_digital_link(const st_id *id);

/* The EPC pure-identity (or class/pattern) URI, or NULL when not derivable;
 * then st_id_epc_uri_why() says why ("GS1 Company Prefix length unknown:
 * pass --gcp-len or a prefix table"). Owned by id. */
const char *st_id_epc_uri(const st_id *id);
const char *st_id_epc_uri_why(const st_id *id);

/* The EPC tag URI when the input was a tag URI or EPC hex, else NULL. */
const char *st_id_tag_uri(const st_id *id);

/* The EPC binary as upper-case hex when the input was EPC hex or a tag URI, else NULL. */
const char *st_id_hex(const st_id *id);

/*
 * Encode id as EPC binary in the given scheme ("sgtin-96", "sgtin-198",
 * "sscc-96", "sgln-96", "sgln-195", "grai-96", "grai-170", "giai-96",
 * "giai-202", "gdti-96", "gdti-174") with filter value filter (0..7; -1 keeps
 * the tag's own filter or uses 0), writing upper-case hex into hex[0..cap).
 * Needs the company prefix length (from parsing options or the input form).
 * Errors: ST_ERR_UNSUPPORTED (wrong scheme for this identifier), ST_ERR_RANGE
 * (serial does not fit, e.g. leading zero in a 96-bit integer serial),
 * ST_ERR_GCP_UNKNOWN, ST_ERR_BUFFER.
 */
st_rc st_id_encode(const st_id *id, const char *scheme, int filter, char *hex, size_t cap,
                   st_error *err);

/*
 * Load a company-prefix table: a text file with one GS1 Company Prefix per
 * line (digits; its length is the prefix length), or "PREFIX LENGTH" to say
 * that every key starting with PREFIX has a company prefix of LENGTH digits.
 * '#' starts a comment. The longest matching prefix wins. *out is freed with
 * st_gcp_table_destroy. Errors name the line.
 */
st_rc st_gcp_table_load(const char *path, st_gcp_table **out, st_error *err);
void st_gcp_table_destroy(st_gcp_table *t);

/* The company prefix length for a key whose company prefix starts at digits
 * (a GTIN without its indicator digit, a GLN, ...), or 0 when unknown. */
int st_gcp_table_lookup(const st_gcp_table *t, const char *digits, size_t n);

#endif
