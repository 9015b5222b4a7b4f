/*
 * The lineage index: for every lot (a class key), the identifiers that
 * descend from it and went into nothing yet, kept up to date inside the
 * commit transaction of every document, so that a recall by lot reads one
 * index range instead of walking every component, assembly and unit.
 *
 * Tables (schema v9, the same on every backend):
 *   lineage_node(ident, lot)   each instance identifier's root lots: the lot
 *                              it was commissioned into (ILMD), that lot's
 *                              ancestors, and the roots of every input it was
 *                              transformed from. Only ever added to.
 *   lineage_leaf(lot, ident)   the same pairs for identifiers that went into
 *                              no transformation (yet); a pair goes when its
 *                              identifier becomes a transformation's input.
 *   lineage_class(cls, lot)  the ancestor lots of a class that a
 *                              class-level transformation output.
 *   lineage_state(built)       1 when the index covers every stored event.
 * The order of capture need not be the order of events: roots that reach an
 * identifier already consumed flow on to what it went into, and roots that
 * reach a class flow on to its members already stored.
 */
#ifndef ST_STORE_LINEAGE_H
#define ST_STORE_LINEAGE_H

#include <stdint.h>
#include <serialtrack/rc.h>

#include "store/backend.h"
#include "store/capture.h"

/*
 * Apply document d to the lineage tables, after its events and their
 * projections (event_epc, item_lot, genealogy) are written in the same
 * transaction. skip[i] non-zero: event i was not stored (a duplicate);
 * skip may be NULL. first_event: the id of d's first stored event. A
 * document with neither lots nor transformations costs nothing. Returns
 * ST_OK, or the first failure of io (err says which statement).
 */
st_rc st_lin_apply(const st_write_io *io, const st_cap_doc *d, const unsigned char *skip,
                   int64_t first_event, st_error *err);

/*
 * Fill the lineage tables anew from every stored event, in record order,
 * inside io's transaction (the backend's write_tx), and mark the index
 * built. *events receives the events read. For a store that held events
 * before schema v9 (`serialtrack db migrate` runs it, or `db reindex`).
 */
st_rc st_lin_rebuild(const st_write_io *io, int64_t *events, st_error *err);

#endif
