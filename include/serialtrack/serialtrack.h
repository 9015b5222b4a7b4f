/*
 * serialtrack: item-level traceability. The one header to include; it pulls in
 * every public module header.
 */
#ifndef SERIALTRACK_H
#define SERIALTRACK_H

#include <serialtrack/alloc.h>
#include <serialtrack/chain.h>
#include <serialtrack/commission.h>
#include <serialtrack/epcis.h>
#include <serialtrack/id.h>
#include <serialtrack/jsonw.h>
#include <serialtrack/keys.h>
#include <serialtrack/recall.h>
#include <serialtrack/limits.h>
#include <serialtrack/ownership.h>
#include <serialtrack/rc.h>
#include <serialtrack/rules.h>
#include <serialtrack/returns.h>
#include <serialtrack/seal.h>
#include <serialtrack/serial.h>
#include <serialtrack/server.h>
#include <serialtrack/store.h>
#include <serialtrack/trace.h>
#include <serialtrack/warranty.h>

/* The library version, "MAJOR.MINOR.PATCH". */
const char *st_version(void);

#endif
