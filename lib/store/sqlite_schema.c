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
    " record_time INTEGER NOT NULL," /* ms since the epoch, UTC */
    " first_event INTEGER NOT NULL,"
    " last_event INTEGER NOT NULL,"
    " events INTEGER NOT NULL,"
    " prev_hash BLOB NOT NULL," /* 32 bytes; zeros for the first link */
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
    " xform INTEGER,"       /* TransformationEvent: its transformationID's ident */
    " hash BLOB NOT NULL,"  /* SHA-256 of the CBV 2.0 pre-hash string */
    " event_id TEXT,"       /* declared eventID when it is not the hash ID */
    " body BLOB NOT NULL);" /* the event tree (lib/store/codec.h) */
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
    " container INTEGER," /* NULL unknown, 0 none, else the parent's ident */
    " owner INTEGER,"
    " possessor INTEGER,"
    " lot INTEGER," /* the lot's class key */
    " expiry TEXT,"
    " deleted INTEGER);" /* 1 after ObjectEvent DELETE, 0 after ADD */
    /* No secondary index on item_state: it is rewritten by nearly every event, and
     * an index on a column in the SET list is rewritten with it. The two
     * reverse look-ups live in tables written only when they change: */
    "CREATE TABLE item_lot (" /* units of a lot, from ILMD */
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
static const char *const v2 = "CREATE TABLE api_key ("
                              " id INTEGER PRIMARY KEY,"
                              " name TEXT NOT NULL UNIQUE,"
                              " role TEXT NOT NULL,"
                              " party TEXT,"
                              " hash BLOB NOT NULL UNIQUE,"
                              " created INTEGER NOT NULL,"
                              " revoked INTEGER);";

/* v3: serial number allocation (include/serialtrack/alloc.h). One counter
 * row per GTIN: the series (scheme and options, in canonical text) its
 * serials come from, the random scheme's key, and next_pos, the counter
 * position of the next serial; it only grows, by UPDATE ... RETURNING, so no
 * position is handed out twice. Every allocation leaves a row in
 * serial_alloc: who asked, when, and which positions it got. Times in ms
 * since the epoch. */
static const char *const v3 =
    "CREATE TABLE serial_counter ("
    " gtin TEXT PRIMARY KEY,"    /* 14 digits */
    " series TEXT NOT NULL,"     /* canonical scheme and options */
    " scheme TEXT NOT NULL,"     /* sequential, template or random */
    " skey BLOB,"                /* random: the permutation's 32-byte key */
    " next_pos BIGINT NOT NULL," /* counter position of the next serial */
    " space BIGINT NOT NULL,"    /* positions in all (saturated at 2^63 - 1) */
    " created BIGINT NOT NULL);"
    "CREATE TABLE serial_alloc ("
    " id INTEGER PRIMARY KEY,"
    " gtin TEXT NOT NULL,"
    " first_pos BIGINT NOT NULL," /* counter position of its first serial */
    " count BIGINT NOT NULL,"
    " requested_by TEXT NOT NULL," /* API key name, or the command line's user */
    " created BIGINT NOT NULL);"
    "CREATE INDEX serial_alloc_gtin ON serial_alloc(gtin, id);";

/* v4: named queries of the EPCIS REST binding (lib/api/named_queries.c):
 * the query object as the compact JSON it was given in; created in seconds
 * since the epoch. */
static const char *const v4 = "CREATE TABLE named_query ("
                              " name TEXT PRIMARY KEY,"
                              " query TEXT NOT NULL,"
                              " created INTEGER NOT NULL);";

/* v5: lifecycle rules (lib/store/rulecheck.c). item_life: when an instance
 * was commissioned and decommissioned (event id and event time; the first
 * commissioning and the earliest decommissioning), written only by the
 * events that do either, so it stays out of item_state's hot upsert;
 * location_geo: coordinates of locations from master data, in millionths
 * of a degree (integers: every backend stores them alike); anomaly: what a
 * rule in `flag` mode found, with the stored event, the identifier, the
 * event's location (business location, else read point), the record time
 * of the capture and the evidence (JSON text). */
static const char *const v5 =
    "CREATE TABLE item_life ("
    " ident INTEGER PRIMARY KEY,"
    " commissioned INTEGER,"         /* event id */
    " commissioned_time INTEGER,"    /* its event time, ms */
    " decommissioned INTEGER,"       /* event id */
    " decommissioned_time INTEGER);" /* its event time, ms */
    "CREATE TABLE location_geo ("
    " ident INTEGER PRIMARY KEY,"
    " lat_e6 INTEGER NOT NULL,"
    " lon_e6 INTEGER NOT NULL);"
    "CREATE TABLE anomaly ("
    " id INTEGER PRIMARY KEY,"
    " event INTEGER NOT NULL,"
    " ident INTEGER NOT NULL,"
    " rule TEXT NOT NULL,"
    " location INTEGER,"
    " detected_at INTEGER NOT NULL," /* ms since the epoch */
    " evidence TEXT NOT NULL);"
    "CREATE INDEX anomaly_rule ON anomaly(rule, id);"
    "CREATE INDEX anomaly_location ON anomaly(location, id) WHERE location IS NOT NULL;"
    "CREATE INDEX anomaly_detected ON anomaly(detected_at);"
    "CREATE INDEX anomaly_ident ON anomaly(ident, rule);"
    /* what the events stored before v5 commissioned and decommissioned (the
     * same definitions as st_cap_commissions and st_cap_decommissions: roles
     * 1 epc, 5 output; types 1 object, 4 transformation; actions 1 ADD,
     * 3 DELETE), so that upgrading does not make every serial unknown */
    "INSERT INTO item_life(ident, commissioned, commissioned_time)"
    " SELECT x.ident, min(e.id), min(e.event_time) FROM event_epc x JOIN event e ON e.id = x.event"
    " WHERE (x.role = 1 AND e.type = 1 AND e.action = 1) OR (x.role = 5 AND e.type = 4)"
    " OR (x.role IN (1, 5) AND e.biz_step = (SELECT id FROM ident"
    " WHERE key = 'https://ref.gs1.org/cbv/BizStep-commissioning'))"
    " GROUP BY x.ident;"
    "INSERT INTO item_life(ident, decommissioned, decommissioned_time)"
    " SELECT x.ident, min(e.id), min(e.event_time) FROM event_epc x JOIN event e ON e.id = x.event"
    " WHERE x.role BETWEEN 1 AND 5 AND e.type <> 4 AND ((x.role = 1 AND e.type = 1"
    " AND e.action = 3) OR e.biz_step IN (SELECT id FROM ident WHERE key IN"
    " ('https://ref.gs1.org/cbv/BizStep-decommissioning',"
    " 'https://ref.gs1.org/cbv/BizStep-destroying')) OR e.disposition IN (SELECT id FROM ident"
    " WHERE key IN ('https://ref.gs1.org/cbv/Disp-destroyed', "
    "'https://ref.gs1.org/cbv/Disp-inactive')))"
    " GROUP BY x.ident"
    " ON CONFLICT(ident) DO UPDATE SET decommissioned = excluded.decommissioned,"
    " decommissioned_time = excluded.decommissioned_time;";

/* v6: recall reports (include/serialtrack/recall.h). A report is written
 * as 'pending', its units added, then made 'dry-run' in a last statement:
 * readers see only finished reports. criteria and scope are JSON text;
 * times in ms since the epoch; executed_at NULL until the first execution,
 * executed_events the events captured by all executions. recall_unit holds
 * each affected unit's facts as found by the walk (container: the chain,
 * innermost first, space separated). */
static const char *const v6 = "CREATE TABLE recall ("
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

/* v7: warranties, ownership and returns (lib/trace/warranty.c, ownership.c,
 * returns.c). Units are named by their canonical key as text. Customer
 * names and contacts are stored only sealed (AES-256-GCM, include/
 * serialtrack/seal.h), never in plain text. Times in ms since the epoch. */
static const char *const v7 =
    "CREATE TABLE warranty_terms ("
    " gtin TEXT PRIMARY KEY," /* 14 digits */
    " base TEXT NOT NULL,"    /* sale, manufacture or fixed */
    " months INTEGER,"        /* from sale or manufacture; NULL when fixed */
    " until_date TEXT,"       /* fixed: last day covered, YYYY-MM-DD */
    " return_days INTEGER,"   /* return window; NULL: the default */
    " updated BIGINT NOT NULL,"
    " updated_by TEXT NOT NULL);"
    "CREATE TABLE ownership (" /* registered sales and transfers */
    " id INTEGER PRIMARY KEY,"
    " item TEXT NOT NULL,"    /* canonical key */
    " kind TEXT NOT NULL,"    /* sale or transfer */
    " at_ms BIGINT NOT NULL," /* when the unit changed hands */
    " reference TEXT,"        /* order, receipt or deed reference */
    " location TEXT,"         /* where it was sold */
    " name_sealed BLOB,"      /* the customer's name, sealed */
    " contact_sealed BLOB,"   /* the customer's contact, sealed */
    " recorded_by TEXT NOT NULL,"
    " created BIGINT NOT NULL);"
    "CREATE INDEX ownership_item ON ownership(item, id);"
    "CREATE TABLE warranty_claim ("
    " id INTEGER PRIMARY KEY,"
    " item TEXT NOT NULL,"
    " description TEXT NOT NULL,"
    " claimed_at BIGINT NOT NULL,"
    " recorded_by TEXT NOT NULL);"
    "CREATE INDEX warranty_claim_item ON warranty_claim(item, id);"
    "CREATE TABLE item_return (" /* every return decision, accepted or not */
    " id INTEGER PRIMARY KEY,"
    " item TEXT NOT NULL,"
    " order_ref TEXT NOT NULL," /* '' when none was given */
    " reason TEXT NOT NULL,"
    " cond TEXT NOT NULL," /* new, opened, damaged or defective */
    " accepted INTEGER NOT NULL,"
    " reason_code TEXT NOT NULL," /* accepted, or the rejection's code */
    " detail TEXT NOT NULL,"      /* the decision's sentence */
    " route TEXT,"                /* accepted: restock, refurbish, ... */
    " covered INTEGER NOT NULL,"  /* the warranty covered the unit when decided */
    " events TEXT,"               /* accepted: the eventIDs captured, space-separated */
    " decided_at BIGINT NOT NULL,"
    " recorded_by TEXT NOT NULL);"
    "CREATE INDEX item_return_item ON item_return(item, id);"
    /* one accepted return per unit and order: a repeated request finds it */
    "CREATE UNIQUE INDEX item_return_once ON item_return(item, order_ref) WHERE accepted = 1;";

/* v8: the API key that made each named query (lib/api/named_queries.c),
 * by its name (keys are never deleted, so a name is never reused): only
 * that key or an admin key may delete the query. Queries made before (or
 * on a server without keys) have none: admins only. A migration of its
 * own, kept apart from any other change of the same release, so that it
 * can be renumbered when migrations are merged. */
static const char *const v8 = "ALTER TABLE named_query ADD COLUMN created_by TEXT;";

/* v9: the lineage index (lib/store/lineage.h): each lot's descendants that
 * went into nothing yet, kept by the commit, so a recall by lot reads one
 * index range. A store that already holds events gets built = 0: the
 * recall walks the genealogy for it until `serialtrack db reindex` fills
 * the index from the stored events. */
static const char *const v9 = "CREATE TABLE lineage_node ("
                              " ident INTEGER NOT NULL,"
                              " lot INTEGER NOT NULL,"
                              " PRIMARY KEY (ident, lot)) WITHOUT ROWID;"
                              "CREATE TABLE lineage_leaf ("
                              " lot INTEGER NOT NULL,"
                              " ident INTEGER NOT NULL,"
                              " PRIMARY KEY (lot, ident)) WITHOUT ROWID;"
                              "CREATE TABLE lineage_class ("
                              " cls INTEGER NOT NULL,"
                              " lot INTEGER NOT NULL,"
                              " PRIMARY KEY (cls, lot)) WITHOUT ROWID;"
                              "CREATE TABLE lineage_state (built INTEGER NOT NULL);"
                              "INSERT INTO lineage_state(built)"
                              " SELECT CASE WHEN EXISTS (SELECT 1 FROM event) THEN 0 ELSE 1 END;";

/* v10: events by hash and by declared eventID, through views that the
 * PostgreSQL schema defines over its own tables (postgres_schema.c v10), so
 * that the portable read SQL finds them alike; here over event's indexes. */
static const char *const v10 =
    "CREATE VIEW IF NOT EXISTS event_by_hash(hash, event) AS SELECT hash, id FROM event;"
    "CREATE VIEW IF NOT EXISTS event_by_eid(event_id, event) AS"
    " SELECT event_id, id FROM event WHERE event_id IS NOT NULL;";

/* v11: each chain link bounds the identifiers that the projections name
 * (item_state, item_lot, item_life, genealogy, lineage_*): no row of them
 * names an ident id above the last link's ident_hw. The PostgreSQL write
 * path adds the rows of identifiers above it without looking for stored
 * ones (postgres_commit.c); here it is written alike, for one schema. A
 * store that has links gets the bound of every identifier it holds. */
static const char *const v11 =
    "ALTER TABLE batch ADD COLUMN ident_hw INTEGER;"
    "UPDATE batch SET ident_hw = (SELECT coalesce(max(id), 0) FROM ident)"
    " WHERE id = (SELECT max(id) FROM batch);";

const char *const st_sqlite_migrations[] = {v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11};
const int st_sqlite_migration_count =
    (int)(sizeof st_sqlite_migrations / sizeof *st_sqlite_migrations);
_Static_assert(sizeof st_sqlite_migrations / sizeof *st_sqlite_migrations == ST_SCHEMA_VERSION,
               "ST_SCHEMA_VERSION (backend.h) must equal the number of migrations");
