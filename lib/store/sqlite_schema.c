/*
 * The SQLite schema, as numbered migrations. A migration is only ever
 * appended; a released one is never edited. The layout (docs/ARCHITECTURE.md,
 * "Storage schema") is the same for every backend: integer surrogate keys
 * for every identifier and vocabulary term, the event log with its chain,
 * and the projections; every query path has an index.
 */
#include "store/sqlite_int.h"

static const char *const v1 =
    /* every interned string: identifier keys, locations, parties, vocabulary URIs */
    "CREATE TABLE ident ("
    " id INTEGER PRIMARY KEY,"
    " key TEXT NOT NULL UNIQUE);"
    /* the chain: one link per committed document */
    "CREATE TABLE batch ("
    " id INTEGER PRIMARY KEY,"
    " record_time INTEGER NOT NULL,"   /* ms since the epoch, UTC */
    " first_event INTEGER NOT NULL,"
    " last_event INTEGER NOT NULL,"
    " events INTEGER NOT NULL,"
    " prev_hash BLOB NOT NULL,"        /* 32 bytes; zeros for the first link */
    " hash BLOB NOT NULL);"
    "CREATE INDEX batch_record_time ON batch(record_time);"
    /* the event log: append-only, in record order */
    "CREATE TABLE event ("
    " id INTEGER PRIMARY KEY,"
    " batch INTEGER NOT NULL,"
    " record_time INTEGER NOT NULL,"
    " event_time INTEGER NOT NULL,"
    " type INTEGER NOT NULL,"
    " action INTEGER NOT NULL,"
    " biz_step INTEGER,"
    " disposition INTEGER,"
    " read_point INTEGER,"
    " biz_location INTEGER,"
    " fields INTEGER NOT NULL,"
    " xform INTEGER,"                  /* TransformationEvent: its transformationID's ident */
    " hash BLOB NOT NULL,"             /* SHA-256 of the CBV 2.0 pre-hash string */
    " event_id TEXT,"                  /* declared eventID when it is not the hash ID */
    " body BLOB NOT NULL);"            /* the event tree (lib/store/codec.h) */
    "CREATE UNIQUE INDEX event_hash ON event(hash);"
    "CREATE UNIQUE INDEX event_event_id ON event(event_id) WHERE event_id IS NOT NULL;"
    "CREATE INDEX event_event_time ON event(event_time);"
    "CREATE INDEX event_biz_step ON event(biz_step, event_time) WHERE biz_step IS NOT NULL;"
    "CREATE INDEX event_disposition ON event(disposition, event_time)"
    " WHERE disposition IS NOT NULL;"
    "CREATE INDEX event_read_point ON event(read_point, event_time) WHERE read_point IS NOT NULL;"
    "CREATE INDEX event_biz_location ON event(biz_location, event_time)"
    " WHERE biz_location IS NOT NULL;"
    "CREATE INDEX event_xform ON event(xform) WHERE xform IS NOT NULL;" /* EQ_transformationID */
    /* which identifiers each event names, and how */
    "CREATE TABLE event_epc ("
    " ident INTEGER NOT NULL,"
    " event INTEGER NOT NULL,"
    " role INTEGER NOT NULL,"
    " PRIMARY KEY (ident, event, role)) WITHOUT ROWID;"
    /* projections */
    "CREATE TABLE item_state ("
    " ident INTEGER PRIMARY KEY,"
    " first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " last_event INTEGER NOT NULL,"
    " disposition INTEGER,"
    " read_point INTEGER,"
    " biz_location INTEGER,"
    " container INTEGER,"              /* NULL unknown, 0 none, else the parent's ident */
    " owner INTEGER,"
    " possessor INTEGER,"
    " lot INTEGER,"                    /* the lot's class key */
    " expiry TEXT,"
    " deleted INTEGER);"               /* 1 after ObjectEvent DELETE, 0 after ADD */
    /* No secondary index on item_state: it is rewritten by nearly every event, and
     * an index on a column in the SET list is rewritten with it. The two
     * reverse look-ups live in tables written only when they change: */
    "CREATE TABLE item_lot ("          /* units of a lot, from ILMD */
    " lot INTEGER NOT NULL,"
    " ident INTEGER NOT NULL,"
    " PRIMARY KEY (lot, ident)) WITHOUT ROWID;"
    "CREATE TABLE containment ("
    " child INTEGER NOT NULL,"
    " packed_event INTEGER NOT NULL,"
    " parent INTEGER NOT NULL,"
    " unpacked_event INTEGER,"
    " PRIMARY KEY (child, packed_event)) WITHOUT ROWID;"
    "CREATE INDEX containment_parent ON containment(parent, unpacked_event);"
    /* the inputs and outputs of transformations, by transformation: xform is
     * the transformationID's ident, or minus the event id when there is none.
     * Looked up from an identifier through event_epc and event.xform. */
    "CREATE TABLE genealogy ("
    " xform INTEGER NOT NULL,"
    " role INTEGER NOT NULL,"
    " ident INTEGER NOT NULL,"
    " PRIMARY KEY (xform, role, ident)) WITHOUT ROWID;"
    /* location hierarchy from master data */
    "CREATE TABLE location_child ("
    " parent INTEGER NOT NULL,"
    " child INTEGER NOT NULL,"
    " PRIMARY KEY (parent, child)) WITHOUT ROWID;";

/* v2: API keys (include/serialtrack/keys.h). Only a SHA-256 of each key is
 * kept (lib/store/keys.c says why that suffices); role is "admin",
 * "capture", "query" or "partner"; party the partner's PGLN or URI; times in
 * ms since the epoch; revoked NULL while the key is valid. */
static const char *const v2 =
    "CREATE TABLE api_key ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " role TEXT NOT NULL,"
    " party TEXT,"
    " hash BLOB NOT NULL UNIQUE,"
    " created INTEGER NOT NULL,"
    " revoked INTEGER);";

/* v3: recall reports (include/serialtrack/recall.h). A report is written
 * as 'pending', its units added, then made 'dry-run' in a last statement:
 * readers see only finished reports. criteria and scope are JSON text;
 * times in ms since the epoch; executed_at NULL until the first execution,
 * executed_events the events captured by all executions. recall_unit holds
 * each affected unit's facts as found by the walk (container: the chain,
 * innermost first, space separated). */
static const char *const v3 =
    "CREATE TABLE recall ("
    " id INTEGER PRIMARY KEY,"
    " created INTEGER NOT NULL,"
    " status TEXT NOT NULL,"
    " criteria TEXT NOT NULL,"
    " affected INTEGER NOT NULL,"
    " blanket INTEGER NOT NULL,"
    " blanket_lot INTEGER NOT NULL,"
    " elapsed_ms INTEGER NOT NULL,"
    " scope TEXT NOT NULL,"
    " executed_at INTEGER,"
    " executed_events INTEGER NOT NULL);"
    "CREATE TABLE recall_unit ("
    " recall INTEGER NOT NULL,"
    " ident INTEGER NOT NULL,"
    " status TEXT,"
    " location TEXT,"
    " container TEXT,"
    " holder TEXT,"
    " PRIMARY KEY (recall, ident));";

const char *const st_sqlite_migrations[] = {v1, v2, v3};
const int st_sqlite_migration_count = (int)(sizeof st_sqlite_migrations / sizeof *st_sqlite_migrations);
_Static_assert(sizeof st_sqlite_migrations / sizeof *st_sqlite_migrations == ST_SCHEMA_VERSION,
               "ST_SCHEMA_VERSION (backend.h) must equal the number of migrations");
