/*
 * Component linters of the GS1 Barcode Syntax Dictionary: the content checks
 * named after a component's type ("N14,csum", "N6,yymmd0", "N3,iso3166").
 * The enum lists every linter the dictionary names; scripts/gen_ai_table.py
 * refuses a dictionary that names one not listed here.
 */
#ifndef ST_GS1_LINT_H
#define ST_GS1_LINT_H

#include <stddef.h>
#include <serialtrack/rc.h>

typedef enum st_lint_id {
    ST_LINT_NONE = 0,
    ST_LINT_COUPONCODE,
    ST_LINT_COUPONPOSOFFER,
    ST_LINT_CSUM,
    ST_LINT_CSUMALPHA,
    ST_LINT_GCPPOS1,
    ST_LINT_GCPPOS2,
    ST_LINT_HASNONDIGIT,
    ST_LINT_HH,
    ST_LINT_HHMI,
    ST_LINT_HYPHEN,
    ST_LINT_IBAN,
    ST_LINT_IMPORTERIDX,
    ST_LINT_ISO3166,
    ST_LINT_ISO3166999,
    ST_LINT_ISO3166ALPHA2,
    ST_LINT_ISO4217,
    ST_LINT_ISO5218,
    ST_LINT_LATITUDE,
    ST_LINT_LONGITUDE,
    ST_LINT_MEDIATYPE,
    ST_LINT_MI,
    ST_LINT_NONZERO,
    ST_LINT_NOZEROPREFIX,
    ST_LINT_PACKAGETYPE,
    ST_LINT_PCENC,
    ST_LINT_PIECEOFTOTAL,
    ST_LINT_POSINSEQSLASH,
    ST_LINT_SS,
    ST_LINT_WINDING,
    ST_LINT_YESNO,
    ST_LINT_YYMMD0,
    ST_LINT_YYMMDD,
    ST_LINT_YYYYMMDD,
    ST_LINT_ZERO,
    ST_LINT_COUNT
} st_lint_id;

/* The dictionary name of a linter ("csum"), or "?" for an unknown id. */
const char *st_lint_name(st_lint_id id);

/*
 * Run linter id over the component value v[0..n) (n bytes, already checked
 * for length and character set). On failure returns the code (ST_ERR_CHECK_DIGIT,
 * ST_ERR_DATE, ST_ERR_SYNTAX, ST_ERR_RANGE, ...), stores in *bad the offset in
 * v of the offending byte (0 when the whole value is at fault), and writes a
 * sentence fragment to why[0..whycap) such as "check digit is 7, expected 8"
 * or "month 13 does not exist". Nothing is allocated.
 */
st_rc st_lint_run(st_lint_id id, const char *v, size_t n, size_t *bad, char *why, size_t whycap);

#endif
