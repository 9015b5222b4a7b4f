/*
 * EPC binary encodings of the GS1 EPC Tag Data Standard (RFID EPC memory):
 * SGTIN-96/-198, SSCC-96, SGLN-96/-195, GRAI-96/-170, GIAI-96/-202 and
 * GDTI-96/-174, to and from upper-case hex. The header and partition tables
 * are data in tds.c; decoding is table-driven over a few 64-bit words and
 * allocates nothing.
 */
#ifndef ST_GS1_TDS_H
#define ST_GS1_TDS_H

#include <stddef.h>
#include <stdint.h>
#include <serialtrack/rc.h>

#include "gs1/epc.h"

/* How a field after the company prefix is coded. */
enum st_tds_coding {
    ST_TDS_NONE = 0,   /* no such field */
    ST_TDS_PADDED = 1, /* unsigned integer printed with the partition's digit count */
    ST_TDS_INT = 2,    /* unsigned integer, printed without leading zeros */
    ST_TDS_STR = 3,    /* 7-bit characters, zero-terminated or filling the field */
    ST_TDS_ZERO = 4,   /* reserved bits, all zero (SSCC-96) */
};

/* The schemes this module codes, for messages. */
#define ST_TDS_SUPPORTED                                                                           \
    "sgtin-96, sgtin-198, sscc-96, sgln-96, sgln-195, grai-96, grai-170, giai-96, giai-202, "      \
    "gdti-96, gdti-174"

/* One binary coding scheme: a row of the header table. */
typedef struct st_tds_scheme {
    const char *name; /* tag URI name, "sgtin-96" */
    const char *alt;  /* the scheme to use when a value does not fit ("sgtin-198"), or NULL */
    uint8_t header;   /* first 8 bits, 0x30 */
    uint8_t epc;      /* enum st_epc_scheme */
    uint16_t bits;    /* total bits, without padding */
    uint8_t part;     /* which partition table (index into tds.c's table) */
    uint8_t ref;      /* enum st_tds_coding of the reference */
    uint8_t ser;      /* enum st_tds_coding of the serial/extension field */
    uint8_t ser_bits; /* bits of that field (0 when ST_TDS_NONE) */
} st_tds_scheme;

/* The scheme called name[0..n) ("sgtin-96", any case), or NULL. */
const st_tds_scheme *st_tds_scheme_find(const char *name, size_t n);

/*
 * Check that e (a pure identity or tag, no wildcards) fits scheme s: same EPC
 * scheme, company prefix 6..12 digits, integer fields all digits without a
 * leading zero (except "0") and below 2^bits, text fields short enough.
 * ST_ERR_RANGE (naming the longer scheme to use instead), ST_ERR_UNSUPPORTED
 * (other EPC scheme, pattern), ST_ERR_LENGTH. Positions in err are -1.
 */
st_rc st_tds_check(const st_epc *e, const st_tds_scheme *s, st_error *err);

/*
 * Decode the EPC binary written as hex[0..n) (upper or lower case, not
 * NUL-terminated) into *out as a tag (kind ST_EPC_KIND_TAG, filter and
 * tag_bits set). Trailing zero padding is accepted; non-zero bits after the
 * scheme's last bit are not. Errors: ST_ERR_SYNTAX (non-hex character),
 * ST_ERR_LENGTH (fewer digits than the scheme needs), ST_ERR_LIMIT (more than
 * ST_EPC_HEX_MAX), ST_ERR_UNSUPPORTED (header of a scheme without a codec
 * here, or no EPC header at all), ST_ERR_RANGE (partition 7, company prefix
 * or reference too large, non-zero reserved bits), ST_ERR_CHARSET (a 7-bit
 * character outside CSET 82). err names the hex digit offset.
 */
st_rc st_tds_decode_hex(const char *hex, size_t n, st_epc *out, st_error *err);

/*
 * Encode e in scheme ("sgtin-96", any case) with filter 0..7 (-1: e's own
 * filter, or 0) as upper-case hex, zero-padded to a multiple of 16 bits,
 * NUL-terminated in out[0..cap). e is only read. Errors: ST_ERR_UNSUPPORTED
 * (unknown scheme, or one that does not encode e's EPC scheme, or a
 * pattern), ST_ERR_ARG (filter), ST_ERR_RANGE (value does not fit: the
 * message names the longer scheme), ST_ERR_BUFFER.
 */
st_rc st_tds_encode_hex(const st_epc *e, const char *scheme, int filter, char *out, size_t cap,
                        st_error *err);

#endif
