/*
 * CBV 2.0 vocabularies (business steps, dispositions, business transaction
 * types, source/destination types, error reasons, sensor components,
 * measurement and sensor alert types): one value has up to four spellings
 * (bare word "shipping", CURIE "cbv:BizStep-shipping", EPCIS 1.x URN
 * "urn:epcglobal:cbv:bizstep:shipping", Web URI
 * "https://ref.gs1.org/cbv/BizStep-shipping"); st_cbv_canon reduces them to
 * the Web URI and st_cbv_check says whether a value is a known term. The
 * words themselves are data, generated from GS1's JSON-LD context files into
 * cbv_table.c by scripts/gen_cbv.py.
 */
#ifndef ST_EPCIS_CBV_H
#define ST_EPCIS_CBV_H

#include <stddef.h>
#include <serialtrack/rc.h>

/* The vocabularies; the order of st_cbv_table (and of VOCABS in gen_cbv.py). */
typedef enum st_cbv_vocab_id {
    ST_CBV_BIZSTEP = 0,     /* bizStep: BizStep-shipping */
    ST_CBV_DISP = 1,        /* disposition, persistentDisposition: Disp-in_transit */
    ST_CBV_BTT = 2,         /* bizTransaction type: BTT-po */
    ST_CBV_SDT = 3,         /* source/destination type: SDT-owning_party */
    ST_CBV_ER = 4,          /* errorDeclaration reason: ER-did_not_occur */
    ST_CBV_COMP = 5,        /* sensorReport component: Comp-latitude */
    ST_CBV_MEASUREMENT = 6, /* sensorReport type: gs1 Temperature */
    ST_CBV_ALERT = 7,       /* sensorReport exception: gs1 ALARM_CONDITION */
} st_cbv_vocab_id;
#define ST_CBV_COUNT 8 /* last vocabulary + 1 */

#define ST_CBV_NS "https://ref.gs1.org/cbv/" /* the "cbv:" prefix */
#define ST_GS1_VOC_NS "https://gs1.org/voc/" /* the "gs1:" prefix, as the hash vectors use it */
#define ST_CBV_URN "urn:epcglobal:cbv:"      /* root of the EPCIS 1.x URNs */

/* One vocabulary (the generated table, cbv_table.c). */
typedef struct st_cbv_vocab {
    const char *field;        /* what EPCIS calls such a value, for messages ("bizStep") */
    const char *curie;        /* CURIE prefix of its Web URIs ("cbv") */
    const char *ns;           /* the IRI that prefix stands for ("https://ref.gs1.org/cbv/") */
    const char *local;        /* what precedes the word after ns ("BizStep-"; "" for gs1) */
    const char *urn;          /* EPCIS 1.x URN prefix ("urn:epcglobal:cbv:bizstep:"), or NULL */
    const char *const *words; /* the bare words, sorted by strcmp */
    size_t n;                 /* number of words */
} st_cbv_vocab;

extern const st_cbv_vocab st_cbv_table[ST_CBV_COUNT];

/* The vocabulary vocab, or NULL when vocab is out of range. Static data. */
const st_cbv_vocab *st_cbv_get(int vocab);

/* 1 when word (a bare word, NUL-terminated) is a term of vocab. */
int st_cbv_is_word(int vocab, const char *word);

/* The Web URI prefix of vocab ("https://ref.gs1.org/cbv/BizStep-"), written to
 * out[0..cap); ST_ERR_ARG for an unknown vocab, ST_ERR_BUFFER when short. */
st_rc st_cbv_web_prefix(int vocab, char *out, size_t cap);

/*
 * The canonical Web URI of value as a term of vocab, written NUL-terminated to
 * out[0..cap) (the caller's). Leading and trailing white space is ignored.
 *   bare word   "shipping"                          -> ns + local + word
 *   CURIE       "cbv:BizStep-shipping", "gs1:Temperature" -> expanded
 *   1.x URN     "urn:epcglobal:cbv:bizstep:shipping" -> the Web URI of that
 *               vocabulary (any of the five with a URN, not only vocab's)
 *   other URI   "https://example.com/steps/x", "urn:example:x" -> unchanged
 * Only spelling changes: whether the word is a known term is st_cbv_check's
 * business. A bare word is [A-Za-z0-9_.-]+. Returns ST_OK; ST_ERR_ARG (NULL
 * value or out, unknown vocab); ST_ERR_SYNTAX (empty value, a bare value with
 * other characters, a CURIE or CBV URN with nothing after the prefix);
 * ST_ERR_BUFFER (out too small; out then holds "").
 */
st_rc st_cbv_canon(int vocab, const char *value, char *out, size_t cap);

/*
 * Whether value is acceptable as a vocab value: ST_OK for a known CBV term in
 * any spelling, and for any URI outside the CBV and GS1 namespaces (user
 * vocabularies are allowed by the standard). ST_ERR_NOT_FOUND for an unknown
 * word, CBV URN or CBV/GS1 Web URI, with a sentence in why, e.g.
 *   unknown bizStep "shiping" (did you mean "shipping"?)
 * (the suggestion is the nearest term by Damerau-Levenshtein distance, at
 * most 2, spelled as the input was) or
 *   bizStep "urn:epcglobal:cbv:disp:active" is a disposition, not a bizStep.
 * ST_ERR_SYNTAX and ST_ERR_ARG as st_cbv_canon, also explained in why.
 * why (may be NULL) is the caller's and is always NUL-terminated when
 * whycap > 0; "" on success.
 */
st_rc st_cbv_check(int vocab, const char *value, char *why, size_t whycap);

/* The restricted Damerau-Levenshtein (optimal string alignment) distance
 * between a[0..na) and b[0..nb), or max + 1 when it exceeds max. Strings
 * longer than 255 bytes count as too far. */
size_t st_cbv_distance(const char *a, size_t na, const char *b, size_t nb, size_t max);

#endif
