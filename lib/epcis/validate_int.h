/*
 * What validate.c (the event rules), validate_value.c (the checks of single
 * values) and path.c (where a node is in its document) share. The value
 * checks are pure functions on text, so the unit tests can call them
 * directly; st_vcheck_node wraps them into diagnostics.
 */
#ifndef ST_EPCIS_VALIDATE_INT_H
#define ST_EPCIS_VALIDATE_INT_H

#include <stddef.h>
#include <serialtrack/rc.h>

#include "epcis/validate.h"

#define ST_VAL_WHY 400   /* bytes of one reason sentence */
#define ST_VAL_PATH 1024 /* bytes of one path in a diagnostic; longer ones are cut */
#define ST_VAL_SHOWN 120 /* bytes of a value quoted in a message; longer ones end in "..." */

/* One validation run over one event. */
typedef struct st_vctx {
    const st_epcis_doc *doc; /* the event's document (format, kind); only read */
    const st_event *ev;      /* the event; only read */
    st_diag *diag;           /* receives the faults; not owned */
    int xml;                 /* 1 for XML 2.0 / 1.2: vocabulary values must be URIs */
    st_rc first;             /* code of the first fault, ST_OK while there is none */
} st_vctx;

/* What a value must be (the check st_vcheck_node applies). */
typedef enum st_vkind {
    ST_V_NONE = 0, /* no value expected (a structure), or any text */
    ST_V_TEXT,     /* any text, also empty (stringValue) */
    ST_V_TIME,     /* xsd:dateTime with a time zone */
    ST_V_OFFSET,   /* eventTimeZoneOffset: +hh:mm / -hh:mm, at most 14:00 */
    ST_V_URI,      /* an absolute URI */
    ST_V_EVENTID,  /* an absolute URI; ni: and urn:uuid: spellings checked */
    ST_V_ACTION,   /* ADD, OBSERVE or DELETE */
    ST_V_VOCAB,    /* a CBV term (vocab) or a URI outside the CBV */
    ST_V_INSTANCE, /* an identifier of one object: epc, parentID */
    ST_V_CLASS,    /* epcClass: a class, a pattern or any URI */
    ST_V_ID,       /* any identifier: readPoint/bizLocation id, source, destination,
                      bizTransaction */
    ST_V_DECIMAL,  /* quantity: a finite number (xsd:decimal in XML) */
    ST_V_DOUBLE,   /* sensor values: a finite number (xsd:double in XML) */
    ST_V_UOM,      /* a UN/CEFACT Rec 20 code: 2-3 upper-case letters or digits */
    ST_V_BOOL,     /* true or false (also 1 or 0 in XML) */
    ST_V_HEX,      /* xsd:hexBinary: pairs of hex digits */
} st_vkind;

/* Record a fault at node n of c's event (n NULL: the event itself); at_value
 * selects the path of n's own value (see st_epcis_value_path). The formatted
 * message is copied. Remembers the first code. */
void st_vfault(st_vctx *c, const st_evnode *n, int at_value, st_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Check the value of node n as kind (vocab: ST_CBV_* for ST_V_VOCAB, else
 * ignored) and report what is wrong. field names the value in messages
 * (NULL: n->name). A missing or empty value is reported, except for
 * ST_V_TEXT and ST_V_NONE. */
void st_vcheck_node(st_vctx *c, const st_evnode *n, st_vkind kind, int vocab, const char *field);

/* As st_epcis_path, for the value of n: the same except in JSON-LD for a
 * bizTransaction, source or destination entry, whose value is the member
 * named like the entry (".../bizTransactionList/0/bizTransaction"). */
void st_epcis_value_path(const st_epcis_doc *doc, const st_event *ev, const st_evnode *n, char *out,
                         size_t cap);

/*
 * The value checks on s[0..n) (not NUL-terminated; leading/trailing white
 * space is the caller's business). Each returns ST_OK, or a code with a
 * clause in why[0..cap) that completes a sentence starting with the quoted
 * value: "is not a date: 2023 is not a leap year, February has 28 days".
 */
st_rc st_val_datetime(const char *s, size_t n, char *why, size_t cap);
st_rc st_val_offset(const char *s, size_t n, char *why, size_t cap);
st_rc st_val_uri(const char *s, size_t n, char *why, size_t cap);
st_rc st_val_event_id(const char *s, size_t n, char *why, size_t cap);
/* xml_decimal: 1 for xsd:decimal (no exponent), 0 for xsd:double / JSON. */
st_rc st_val_number(const char *s, size_t n, int xml_decimal, char *why, size_t cap);
st_rc st_val_uom(const char *s, size_t n, char *why, size_t cap);
st_rc st_val_hex(const char *s, size_t n, char *why, size_t cap);
/* kind is ST_V_INSTANCE, ST_V_CLASS or ST_V_ID. */
st_rc st_val_identifier(const char *s, size_t n, st_vkind kind, char *why, size_t cap);

#endif
