/*
 * Capture preparation: a read and validated EPCIS document turned into what
 * a backend writes, backend-independent. Each event carries its hash, its
 * encoded body (lib/store/codec.h), its indexed columns in canonical form
 * (CBV Web URIs, canonical identifier keys, times in ms UTC) and the
 * identifiers it names with their roles; the projections (item state,
 * containment, genealogy) are derived by the backend from these.
 */
#ifndef ST_STORE_CAPTURE_H
#define ST_STORE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <serialtrack/rc.h>

#include "common/arena.h"
#include "epcis/doc.h"
#include "epcis/event.h"

/* How an identifier takes part in an event. Stored in event_epc.role: never
 * renumber. */
typedef enum st_role {
    ST_ROLE_EPC = 1,          /* epcList */
    ST_ROLE_PARENT = 2,       /* parentID */
    ST_ROLE_CHILD = 3,        /* childEPCs */
    ST_ROLE_INPUT = 4,        /* inputEPCList */
    ST_ROLE_OUTPUT = 5,       /* outputEPCList */
    ST_ROLE_EPC_CLASS = 6,    /* quantityList epcClass */
    ST_ROLE_CHILD_CLASS = 7,  /* childQuantityList epcClass */
    ST_ROLE_INPUT_CLASS = 8,  /* inputQuantityList epcClass */
    ST_ROLE_OUTPUT_CLASS = 9, /* outputQuantityList epcClass */
} st_role;

/* Actions as stored (event.action). */
typedef enum st_action {
    ST_ACTION_NONE = 0, /* TransformationEvent */
    ST_ACTION_ADD = 1,
    ST_ACTION_OBSERVE = 2,
    ST_ACTION_DELETE = 3,
} st_action;

/* Top-level fields present, for EXISTS_ (event.fields). Never renumber. */
#define ST_FIELD_ERROR_DECLARATION (1u << 0)
#define ST_FIELD_SENSOR_ELEMENT_LIST (1u << 1)
#define ST_FIELD_ILMD (1u << 2)
#define ST_FIELD_BIZ_TRANSACTION_LIST (1u << 3)
#define ST_FIELD_SOURCE_LIST (1u << 4)
#define ST_FIELD_DESTINATION_LIST (1u << 5)
#define ST_FIELD_PERSISTENT_DISPOSITION (1u << 6)
#define ST_FIELD_CERTIFICATION_INFO (1u << 7)
#define ST_FIELD_EXTENSION (1u << 8) /* any element in a user namespace */

/* One identifier named by an event. */
typedef struct st_cap_ref {
    const char *key;     /* canonical key (lib/gs1/key.h), or the value as written
                            when it is not a GS1 identifier */
    const char *lot_key; /* instance refs of an event with ILMD lotNumber: the lot's
                            class key (https://id.gs1.org/01/{gtin}/10/{lot}); else NULL */
    unsigned char role;  /* st_role */
} st_cap_ref;

/* One event, ready to store. Strings live in the owning st_cap_doc's arena. */
typedef struct st_cap_event {
    unsigned char hash[32];    /* SHA-256 of the CBV 2.0 pre-hash string */
    const char *event_id;      /* declared eventID when it is not the hash ID, else NULL */
    unsigned char type;        /* st_event_type */
    unsigned char action;      /* st_action */
    int64_t event_time;        /* ms since the epoch, UTC */
    const char *biz_step;      /* canonical (CBV Web URI or the URI as written), or NULL */
    const char *disposition;   /* likewise */
    const char *read_point;    /* canonical location key, or NULL */
    const char *biz_location;  /* likewise */
    uint32_t fields;           /* ST_FIELD_* */
    const unsigned char *body; /* encoded tree (codec.h), without recordTime */
    size_t body_len;           /* its length */
    st_cap_ref *refs;          /* identifiers named, in document order */
    size_t n_refs;             /* entries in refs */
    const char *owner;         /* destinationList owning_party, canonical; or NULL */
    const char *possessor;     /* destinationList possessing_party, canonical; or NULL */
    const char *expiry;        /* ILMD itemExpirationDate as written, or NULL */
    const char *xform_id;      /* transformationID as written, or NULL */
} st_cap_event;

/* A location hierarchy link from master data (WD_readPoint, WD_bizLocation). */
typedef struct st_cap_link {
    const char *parent; /* canonical key */
    const char *child;  /* canonical key */
} st_cap_link;

/* Coordinates of a location from master data (lifecycle rule
 * impossible_travel), in millionths of a degree. */
typedef struct st_cap_geo {
    const char *loc; /* canonical key of the location */
    int64_t lat_e6;  /* latitude, -90e6..90e6 */
    int64_t lon_e6;  /* longitude, -180e6..180e6 */
} st_cap_geo;

/* An anomaly found by the lifecycle rules (rulecheck.h), stored with its
 * event in the same savepoint. */
typedef struct st_cap_anomaly {
    size_t event;         /* index of the event in the document */
    const char *rule;     /* the rule's name (static) */
    const char *key;      /* canonical key of the identifier */
    const char *location; /* the event's business location, else read point; or NULL */
    const char *evidence; /* JSON object text, in the document's arena */
} st_cap_anomaly;

struct st_val;

/* A writing statement committed with a document (a sale's or a return's
 * record with the events that tell of it): the backend runs it in the
 * document's transaction after the events are stored, and a failure of it
 * fails the whole document, which then leaves nothing. Everything is
 * borrowed from the caller until the commit returns. */
typedef struct st_cap_side {
    const char *sql;           /* one statement with $1..$N placeholders */
    const struct st_val *args; /* args[0..nargs) bound to them */
    int nargs;                 /* how many */
    /* each row it returns (a RETURNING clause), or NULL; called inside the
     * commit, so it must not use the store; a non-OK return fails the document */
    st_rc (*cb)(void *ctx, const struct st_val *cols, int ncols);
    void *ctx; /* for cb */
} st_cap_side;

/* A prepared document. */
typedef struct st_cap_doc {
    st_arena *arena;     /* owns everything below */
    st_cap_event *ev;    /* events in document order */
    size_t n, cap;       /* used and allocated entries of ev */
    st_cap_link *links;  /* master data hierarchy */
    size_t n_links, cap_links;
    st_cap_geo *geo;     /* master data coordinates */
    size_t n_geo, cap_geo;
    st_cap_anomaly *anom; /* anomalies of the lifecycle rules, in event order */
    size_t n_anom, cap_anom;
    const st_cap_side *side; /* statements committed with the events (borrowed), or NULL */
    size_t n_side;           /* how many: at most ST_STORE_MAX_SIDE_STATEMENTS */
    /* filled in by the commit */
    st_rc rc;            /* outcome of this document's commit */
    size_t stored;       /* events newly stored */
    size_t duplicates;   /* events already stored */
    int64_t batch;       /* chain link id, 0 when nothing was stored */
    int64_t record_ms;   /* record time given */
    char msg[256];       /* the reason when rc is not ST_OK */
    int done;            /* set by the group committer when the outcome is known */
    int prepared;        /* the backend's prepare method ran on it (backend.h) */
} st_cap_doc;

/* A new, empty prepared document. NULL when out of memory. */
st_cap_doc *st_cap_doc_create(void);
void st_cap_doc_destroy(st_cap_doc *d);

/*
 * Add ev to d (bindings: its document's, st_hashid_bindings; may be NULL): hash, encode, extract columns and identifiers.
 * A recordTime in ev is unlinked from its tree (the store assigns its own);
 * otherwise ev is only read, and everything is copied into d's arena. Returns ST_OK;
 * ST_ERR_LIMIT over ST_STORE_MAX_CAPTURE_EVENTS or the arena cap; ST_ERR_NOMEM;
 * hash and codec errors as they come.
 */
st_rc st_cap_add_event(st_cap_doc *d, const st_evnode *bindings, st_event *ev);

/* Add the location hierarchy of doc's master data (header) to d. */
st_rc st_cap_add_masterdata(st_cap_doc *d, const st_epcis_doc *doc);

/* Add an anomaly to d (strings must live in d's arena or be static). */
st_rc st_cap_add_anomaly(st_cap_doc *d, const st_cap_anomaly *a);

/* 1 when e commissions the identifier it names in role: an ObjectEvent ADD
 * (epcList), bizStep commissioning (epcList, outputs), or an output of a
 * TransformationEvent. */
int st_cap_commissions(const st_cap_event *e, unsigned role);

/* 1 when e decommissions the identifiers it names in role: bizStep
 * decommissioning or destroying, disposition destroyed or inactive, or an
 * ObjectEvent DELETE; the inputs and outputs of a TransformationEvent are
 * not decommissioned by it. */
int st_cap_decommissions(const st_cap_event *e, unsigned role);

/* 1 for the roles that name one instance (epc, parent, child, input, output). */
int st_cap_is_instance(unsigned role);

/* 1 when key has the form of a lot's class key, https://id.gs1.org/01/{GTIN}/10/{lot}:
 * every lot of table item_lot (a unit's lot from its ILMD lotNumber) has it. */
int st_cap_is_lot_key(const char *key);

/*
 * The canonical form of a value of a field, as stored in indexed columns and
 * as query parameters are compared: vocab is a ST_CBV_* vocabulary or -1
 * (identifiers and locations: the canonical key). Written to out[0..cap).
 */
st_rc st_cap_canon(const char *value, int vocab, const st_evnode *bindings, char *out,
                   size_t cap);

/* An ISO 8601 date-time to ms since the epoch, UTC. ST_ERR_DATE when it is
 * not one. */
st_rc st_cap_time_ms(const char *value, int64_t *ms);

/* ms since the epoch to "YYYY-MM-DDTHH:MM:SS.mmmZ" in out (at least 25 bytes). */
void st_cap_time_str(int64_t ms, char out[32]);

#endif
