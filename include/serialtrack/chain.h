/*
 * st_chain: a deterministic generator of a serialized supply chain, written
 * as EPCIS 2.0 XML documents: component lots commissioned at a supplier,
 * finished units assembled from serialized components (directly, or through
 * a serialized battery pack: two assembly levels) and a material lot,
 * packed into cases and pallets, shipped to distribution centres, split to
 * stores, unpacked, sold and sometimes returned. It feeds the event-store
 * benchmarks, tests and demos: equal options give byte-identical output,
 * memory stays bounded whatever the size (the chain is made pallet by
 * pallet), and every event passes the EPCIS validator.
 */
#ifndef ST_TRACE_CHAIN_H
#define ST_TRACE_CHAIN_H

#include <stddef.h>
#include <serialtrack/rc.h>

/* What to make; zero-initialise, and every zero field takes its default. */
typedef struct st_chain_opts {
    unsigned long long seed;        /* varies serials, timings, routes, sales; any value */
    size_t units;                   /* finished units to make; 0: 1000, or no limit when
                                       target_events is set */
    size_t target_events;           /* stop after exactly this many events (the last pallet's
                                       history is then cut short); 0: no target */
    size_t units_per_case;          /* 0: 12 */
    size_t cases_per_pallet;        /* 0: 8 */
    size_t components_per_unit;     /* serialized components (cells) in each unit; 0: 4 */
    size_t units_per_component_lot; /* finished units one component lot feeds; 0: 1000 */
    size_t units_per_material_lot;  /* assemblies one material lot feeds, per plant; 0: 960 */
    size_t plants;                  /* assembly plants; 0: 2 */
    size_t dcs;                     /* distribution centres; 0: 2 */
    size_t stores;                  /* stores, spread over the DCs; 0: 5 per DC */
    double sold_fraction;           /* share of units sold at a store; 0: 0.6, < 0: none */
    double return_fraction;         /* share of sold units returned; 0: 0.02, < 0: none */
    size_t events_per_doc;          /* events per document; 0: 10000 */
    int event_ids;                  /* 1: every event carries a deterministic urn:uuid eventID */
    int packs;                      /* 1: two assembly levels: the cells of a unit are first
                                       assembled into a serialized battery pack, and the pack
                                       into the unit; 0: cells go straight into the unit */
    int anomalies;                  /* 1: after the chain, one document (with the sites'
                                       coordinates in its master data) plants a counterfeit, a
                                       clone and a resurrected serial; ignored with
                                       target_events */
} st_chain_opts;

/* What was made, and identifiers a benchmark or test can look up. Strings
 * are NUL-terminated; an identifier is "" when nothing of its kind was made. */
typedef struct st_chain_stats {
    size_t events;            /* events written, over all documents */
    size_t documents;         /* documents handed to the callback */
    size_t bytes;             /* XML bytes in those documents */
    size_t units;             /* finished units assembled (TransformationEvents) */
    size_t components;        /* serialized components commissioned */
    size_t component_lots;    /* component lots begun */
    size_t material_lots;     /* material lots created */
    size_t cases;             /* cases packed */
    size_t pallets;           /* pallets packed */
    size_t shipments;         /* DC-to-store shipments (each: one shipping, one receiving) */
    size_t sold;              /* units sold (retail_selling events) */
    size_t returned;          /* sold units returned */
    char lot_gtin[15];        /* the first component lot: its GTIN-14 ... */
    char lot[21];             /* ... its lot number (ILMD cbvmda:lotNumber) ... */
    char lot_class[96];       /* ... its class, urn:epc:class:lgtin:... */
    size_t lot_units;         /* finished units built with components of that lot */
    char material_class[96];  /* the first material lot, urn:epc:class:lgtin:..., consumed
                                  through inputQuantityList ... */
    size_t material_units;    /* ... by this many assemblies */
    char unit_epc[96];        /* a finished unit with a full history (the first sold one, else
                                 the first made), urn:epc:id:sgtin:... */
    char case_epc[96];        /* the case it was packed in, urn:epc:id:sscc:... */
    char pallet_epc[96];      /* the pallet that case travelled on, urn:epc:id:sscc:... */
    size_t packs;             /* battery packs assembled (with o->packs) */
    char pack_epc[96];        /* the pack inside unit_epc (with o->packs), else "" */
    char counterfeit_epc[96]; /* planted: a serial never commissioned, sold at a store */
    char clone_epc[96];       /* planted: a sold unit's serial seen at two far-apart stores
                                 within minutes */
    char resurrected_epc[96]; /* planted: a unit decommissioned, then seen again */
} st_chain_stats;

/* Receives each document as soon as it is complete: doc[0..len) is an EPCIS
 * 2.0 XML document (NUL-terminated) holding events events. doc belongs to
 * the generator and is valid only during the call; copy what you keep. A
 * non-OK return stops the generator, which returns that code. */
typedef st_rc (*st_chain_emit)(void *ctx, const char *doc, size_t len, size_t events);

/*
 * Generate the chain o describes (NULL: every default; read during the call,
 * not kept), handing each document to emit(ctx, ...) (emit may be NULL: the
 * documents are made and dropped, to measure generation). With the defaults
 * a unit makes about 2 events (its assembly, and its share of commissioning,
 * packing, moves and sales). Documents close after o->events_per_doc
 * events or ST_CHAIN_DOC_BYTES bytes. Events come pallet by pallet: each
 * object's events are in time order, but the document as a whole is not
 * sorted by eventTime (pallets overlap in time, as captures from many sites
 * do). *stats and *err are the caller's (either may be NULL); *stats is
 * filled in whatever the outcome. The generator frees all it allocates.
 *
 * Returns ST_OK; ST_ERR_ARG for an impossible option (a fraction above 1,
 * fewer stores than DCs); ST_ERR_LIMIT when an option passes a cap of
 * limits.h (ST_CHAIN_*); ST_ERR_EXHAUSTED when the 9-digit SSCC serial
 * space runs out; ST_ERR_NOMEM; or emit's code. err (may be NULL) gets the
 * sentence naming the option and the cap.
 */
st_rc st_chain_generate(const st_chain_opts *o, st_chain_emit emit, void *ctx,
                        st_chain_stats *stats, st_error *err);

#endif
