/*
 * EPC binary (Tag Data Standard) <-> st_epc; see tds.h. The hex is read into
 * big-endian 64-bit words (bit 0 is the top bit of the first hex digit) and
 * every field is cut out of them with one shift pair, as the header and
 * partition tables below say. Nothing allocates; no field goes through stdio.
 */
#include "gs1/tds.h"

#include <string.h>
#include <serialtrack/limits.h>

#include "common/error.h"

#define TDS_WORDS 8 /* 512 bits: room for ST_EPC_HEX_MAX hex digits */
_Static_assert(ST_EPC_HEX_MAX * 4 <= TDS_WORDS * 64, "ST_EPC_HEX_MAX does not fit TDS_WORDS");

/* One row of a partition table: P -> company prefix and reference sizes. */
typedef struct tds_part {
    uint8_t cp_bits;    /* bits of the company prefix */
    uint8_t cp_digits;  /* its digits */
    uint8_t ref_bits;   /* bits of the reference */
    uint8_t ref_digits; /* its digits (characters for a string reference) */
} tds_part;

enum { PART_SGTIN, PART_SSCC, PART_SGLN, PART_GRAI, PART_GIAI96, PART_GIAI202, PART_COUNT };

/* TDS partition tables, indexed by partition value P = 0..6 (7 is invalid). */
// clang-format off
static const tds_part tds_parts[PART_COUNT][7] = {
    [PART_SGTIN] = {{40, 12, 4, 1}, {37, 11, 7, 2}, {34, 10, 10, 3}, {30, 9, 14, 4},
                    {27, 8, 17, 5}, {24, 7, 20, 6}, {20, 6, 24, 7}},
    [PART_SSCC] = {{40, 12, 18, 5}, {37, 11, 21, 6}, {34, 10, 24, 7}, {30, 9, 28, 8},
                   {27, 8, 31, 9}, {24, 7, 34, 10}, {20, 6, 38, 11}},
    [PART_SGLN] = {{40, 12, 1, 0}, {37, 11, 4, 1}, {34, 10, 7, 2}, {30, 9, 11, 3},
                   {27, 8, 14, 4}, {24, 7, 17, 5}, {20, 6, 21, 6}},
    [PART_GRAI] = {{40, 12, 4, 0}, {37, 11, 7, 1}, {34, 10, 10, 2}, {30, 9, 14, 3},
                   {27, 8, 17, 4}, {24, 7, 20, 5}, {20, 6, 24, 6}},
    [PART_GIAI96] = {{40, 12, 42, 13}, {37, 11, 45, 14}, {34, 10, 48, 15}, {30, 9, 52, 16},
                     {27, 8, 55, 17}, {24, 7, 58, 18}, {20, 6, 62, 19}},
    [PART_GIAI202] = {{40, 12, 148, 18}, {37, 11, 151, 19}, {34, 10, 154, 20}, {30, 9, 158, 21},
                      {27, 8, 161, 22}, {24, 7, 164, 23}, {20, 6, 168, 24}},
};
// clang-format on

/* The header table: every scheme this module encodes and decodes. Layout:
 * header 8, filter 3, partition 3, company prefix, reference, serial field. */
static const st_tds_scheme tds_schemes[] = {
    {"sgtin-96", "sgtin-198", 0x30, ST_EPC_SGTIN, 96, PART_SGTIN, ST_TDS_PADDED, ST_TDS_INT, 38},
    {"sgtin-198", NULL, 0x36, ST_EPC_SGTIN, 198, PART_SGTIN, ST_TDS_PADDED, ST_TDS_STR, 140},
    {"sscc-96", NULL, 0x31, ST_EPC_SSCC, 96, PART_SSCC, ST_TDS_PADDED, ST_TDS_ZERO, 24},
    {"sgln-96", "sgln-195", 0x32, ST_EPC_SGLN, 96, PART_SGLN, ST_TDS_PADDED, ST_TDS_INT, 41},
    {"sgln-195", NULL, 0x39, ST_EPC_SGLN, 195, PART_SGLN, ST_TDS_PADDED, ST_TDS_STR, 140},
    {"grai-96", "grai-170", 0x33, ST_EPC_GRAI, 96, PART_GRAI, ST_TDS_PADDED, ST_TDS_INT, 38},
    {"grai-170", NULL, 0x37, ST_EPC_GRAI, 170, PART_GRAI, ST_TDS_PADDED, ST_TDS_STR, 112},
    {"giai-96", "giai-202", 0x34, ST_EPC_GIAI, 96, PART_GIAI96, ST_TDS_INT, ST_TDS_NONE, 0},
    {"giai-202", NULL, 0x38, ST_EPC_GIAI, 202, PART_GIAI202, ST_TDS_STR, ST_TDS_NONE, 0},
    {"gdti-96", "gdti-174", 0x2C, ST_EPC_GDTI, 96, PART_SGLN, ST_TDS_PADDED, ST_TDS_INT, 41},
    {"gdti-174", NULL, 0x3E, ST_EPC_GDTI, 174, PART_SGLN, ST_TDS_PADDED, ST_TDS_STR, 119},
};
#define TDS_NSCHEMES (sizeof tds_schemes / sizeof tds_schemes[0])

/* Headers of schemes without a codec here, so that errors can name them. */
static const struct {
    uint8_t header;
    const char *name;
} tds_others[] = {
    {0x2D, "GSRN-96"},  {0x2E, "GSRNP-96"}, {0x2F, "USDOD-96"}, {0x35, "GID-96"},
    {0x3B, "ADI-var"},  {0x3C, "CPI-96"},   {0x3D, "CPI-var"},  {0x3F, "SGCN-96"},
    {0x40, "ITIP-110"}, {0x41, "ITIP-212"}, {0xF7, "SGTIN+"},   {0xFB, "DSGTIN+"},
};

/* Hex digit value | TDS_HEX_OK; 0 marks a non-hex byte. */
#define TDS_HEX_OK 0x10
static const uint8_t tds_hexval[256] = {
    ['0'] = 0x10, ['1'] = 0x11, ['2'] = 0x12, ['3'] = 0x13, ['4'] = 0x14, ['5'] = 0x15,
    ['6'] = 0x16, ['7'] = 0x17, ['8'] = 0x18, ['9'] = 0x19, ['A'] = 0x1A, ['B'] = 0x1B,
    ['C'] = 0x1C, ['D'] = 0x1D, ['E'] = 0x1E, ['F'] = 0x1F, ['a'] = 0x1A, ['b'] = 0x1B,
    ['c'] = 0x1C, ['d'] = 0x1D, ['e'] = 0x1E, ['f'] = 0x1F,
};

/* 10^k, k = 0..19 */
// clang-format off
static const uint64_t tds_pow10[20] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL, 100000000ULL,
    1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL,
    100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
    1000000000000000000ULL, 10000000000000000000ULL
};
// clang-format on

static const char tds_digit_pairs[201] = "0001020304050607080910111213141516171819"
                                         "2021222324252627282930313233343536373839"
                                         "4041424344454647484950515253545556575859"
                                         "6061626364656667686970717273747576777879"
                                         "8081828384858687888990919293949596979899";

/* CSET 82, the characters a 7-bit string field may hold. */
static const char tds_cset82[] = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
                                 "abcdefghijklmnopqrstuvwxyz";

/* Bits off..off+len-1 (1 <= len <= 64, within the words) as an integer. */
static inline uint64_t bits_get(const uint64_t *w, unsigned off, unsigned len)
{
    unsigned i = off >> 6, s = off & 63;
    uint64_t v = w[i] << s;
    if (s + len > 64)
        v |= w[i + 1] >> (64 - s);
    return v >> (64 - len);
}

/* OR v (< 2^len, 1 <= len <= 64) into bits off..off+len-1. */
static inline void bits_put(uint64_t *w, unsigned off, unsigned len, uint64_t v)
{
    unsigned i = off >> 6, s = off & 63;
    if (s + len <= 64) {
        w[i] |= v << (64 - s - len);
    } else {
        unsigned lo = s + len - 64;
        w[i] |= v >> lo;
        w[i + 1] |= v << (64 - lo);
    }
}

/* The first set bit in from..to-1, or to when they are all zero. */
static unsigned bits_first_set(const uint64_t *w, unsigned from, unsigned to)
{
    while (from < to) {
        unsigned len = to - from > 64 ? 64 : to - from;
        uint64_t v = bits_get(w, from, len);
        if (v)
            return from + len - 1 - (unsigned)(63 - __builtin_clzll(v));
        from += len;
    }
    return to;
}

/* Write v as exactly nd digits (zero-padded; v < 10^nd) and a NUL at dst. */
static inline void put_padded(char *dst, uint64_t v, unsigned nd)
{
    char *p = dst + nd;
    *p = '\0';
    while (p - dst >= 2) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, tds_digit_pairs + 2 * r, 2);
    }
    if (p > dst)
        *--p = (char)('0' + v % 10);
}

/* Write v in decimal without leading zeros and a NUL at dst; returns the digit count. */
static inline unsigned put_int(char *dst, uint64_t v)
{
    unsigned nd = 1;
    while (nd < 20 && v >= tds_pow10[nd])
        nd++;
    put_padded(dst, v, nd);
    return nd;
}

/* The row of tds_schemes named name[0..n), any case; static data, or NULL. */
const st_tds_scheme *st_tds_scheme_find(const char *name, size_t n)
{
    for (size_t i = 0; i < TDS_NSCHEMES; i++) {
        const char *s = tds_schemes[i].name;
        size_t k = 0;
        while (k < n && s[k]) {
            char c = name[k];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if (c != s[k])
                break;
            k++;
        }
        if (k == n && !s[k])
            return &tds_schemes[i];
    }
    return NULL;
}

/* The field names used in messages. */
static const char *ser_name(const st_tds_scheme *s)
{
    return s->epc == ST_EPC_SGLN ? "extension" : "serial";
}

/* Check that v[0..n) (a field called what) can go into an integer field of
 * bits bits of scheme s: digits, no leading zero, below 2^bits. */
static st_rc check_int(const st_tds_scheme *s, const char *what, const char *v, size_t n,
                       unsigned bits, st_error *err)
{
    const char *alt = s->alt ? s->alt : "a longer scheme";
    int digits = n > 0;
    for (size_t i = 0; i < n; i++)
        digits &= v[i] >= '0' && v[i] <= '9';
    if (!digits)
        return st_fail(err, ST_ERR_RANGE, -1, NULL,
                       "%s \"%.*s\" is not a number; %s holds integer %ss only: use %s", what,
                       (int)n, v, s->name, what, alt);
    if (n > 1 && v[0] == '0')
        return st_fail(err, ST_ERR_RANGE, -1, NULL,
                       "%s \"%.*s\" has a leading zero, which %s cannot hold: use %s", what, (int)n,
                       v, s->name, alt);
    uint64_t max = bits >= 64 ? UINT64_MAX : (1ULL << bits) - 1, x = 0;
    int over = n > 19;
    for (size_t i = 0; i < n && !over; i++)
        x = x * 10 + (uint64_t)(v[i] - '0');
    if (over || x > max)
        return st_fail(err, ST_ERR_RANGE, -1, NULL,
                       "%s %.*s does not fit the %u bits of %s (at most %llu): use %s", what,
                       (int)n, v, bits, s->name, (unsigned long long)max, alt);
    return ST_OK;
}

/* Check that the text v[0..n) fits a 7-bit field of at most max characters. */
static st_rc check_str(const st_tds_scheme *s, const char *what, const char *v, size_t n,
                       unsigned max, st_error *err)
{
    if (n == 0 || n > max)
        return st_fail(err, ST_ERR_LENGTH, -1, NULL, "%s has %zu characters; %s holds 1 to %u",
                       what, n, s->name, max);
    for (size_t i = 0; i < n; i++)
        if (!v[i] || !memchr(tds_cset82, v[i], sizeof tds_cset82 - 1))
            return st_fail(err, ST_ERR_CHARSET, -1, NULL,
                           "%s: byte 0x%02X at index %zu is not in CSET 82", what,
                           (unsigned char)v[i], i);
    return ST_OK;
}

/* Can e (only read) be written in scheme s? See tds.h. */
st_rc st_tds_check(const st_epc *e, const st_tds_scheme *s, st_error *err)
{
    if (!e || !s)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no EPC or no scheme");
    if (e->scheme != s->epc)
        return st_fail(err, ST_ERR_UNSUPPORTED, -1, NULL, "%s encodes %s EPCs; this one is %s",
                       s->name, st_epc_scheme_name(s->epc), st_epc_scheme_name(e->scheme));
    if (e->wild)
        return st_fail(err, ST_ERR_UNSUPPORTED, -1, NULL,
                       "a pattern (with '*') cannot be encoded in %s", s->name);
    if (e->cp_len < 6 || e->cp_len > 12)
        return st_fail(err, ST_ERR_RANGE, -1, NULL,
                       "company prefix has %u digits; EPC binary encodings need 6 to 12",
                       (unsigned)e->cp_len);
    const tds_part *pt = &tds_parts[s->part][12 - e->cp_len];
    st_rc rc = ST_OK;
    if (s->ref == ST_TDS_PADDED) {
        int digits = e->ref_len == pt->ref_digits;
        for (unsigned i = 0; digits && i < e->ref_len; i++)
            digits = e->ref[i] >= '0' && e->ref[i] <= '9';
        if (!digits)
            return st_fail(err, ST_ERR_LENGTH, -1, NULL,
                           "reference \"%s\" must be %u digits with a %u-digit company prefix",
                           e->ref, (unsigned)pt->ref_digits, (unsigned)e->cp_len);
    } else if (s->ref == ST_TDS_INT) {
        rc = check_int(s, "asset reference", e->ref, e->ref_len, pt->ref_bits, err);
    } else {
        rc = check_str(s, "asset reference", e->ref, e->ref_len, pt->ref_digits, err);
    }
    if (rc)
        return rc;
    if (s->ser == ST_TDS_INT)
        return check_int(s, ser_name(s), e->ser, e->ser_len, s->ser_bits, err);
    if (s->ser == ST_TDS_STR)
        return check_str(s, ser_name(s), e->ser, e->ser_len, s->ser_bits / 7u, err);
    return ST_OK;
}

/* ---- decoding ------------------------------------------------------------ */

/* Decode the 7-bit string in bits off..off+bits-1 (at most max characters)
 * into dst; what names the field in errors. */
static st_rc get_str(const uint64_t *w, unsigned off, unsigned bits, unsigned max, char *dst,
                     uint8_t *len, const char *what, st_error *err)
{
    unsigned k = 0;
    for (; k < max; k++) {
        unsigned c = (unsigned)bits_get(w, off + 7 * k, 7);
        if (!c)
            break;
        if (!memchr(tds_cset82, (int)c, sizeof tds_cset82 - 1))
            return st_fail(err, ST_ERR_CHARSET, (long)((off + 7 * k) / 4), NULL,
                           "%s: character 0x%02X (bits %u-%u) is not in CSET 82", what, c,
                           off + 7 * k, off + 7 * k + 6);
        dst[k] = (char)c;
    }
    dst[k] = '\0';
    *len = (uint8_t)k;
    if (k == 0)
        return st_fail(err, ST_ERR_LENGTH, (long)(off / 4), NULL,
                       "%s is empty (bits %u-%u are zero)", what, off, off + 6);
    unsigned bad = bits_first_set(w, off + 7 * k, off + bits);
    if (bad < off + bits)
        return st_fail(err, ST_ERR_SYNTAX, (long)(bad / 4), NULL,
                       "%s: bit %u after its last character must be zero", what, bad);
    return ST_OK;
}

/* The error for the first non-hex byte of hex[0..n). */
static st_rc bad_hex(const char *hex, size_t n, st_error *err)
{
    size_t i = 0;
    while (i < n && tds_hexval[(unsigned char)hex[i]])
        i++;
    unsigned char c = (unsigned char)hex[i < n ? i : 0];
    if (c > 0x20 && c < 0x7F)
        return st_fail(err, ST_ERR_SYNTAX, (long)i, NULL,
                       "hex digit %zu ('%c') is not a hexadecimal digit", i + 1, c);
    return st_fail(err, ST_ERR_SYNTAX, (long)i, NULL,
                   "hex digit %zu (byte 0x%02X) is not a hexadecimal digit", i + 1, c);
}

/* The error for header byte h, which no row of tds_schemes has. */
static st_rc unknown_header(unsigned h, st_error *err)
{
    for (size_t i = 0; i < sizeof tds_others / sizeof tds_others[0]; i++)
        if (tds_others[i].header == h)
            return st_fail(err, ST_ERR_UNSUPPORTED, 0, NULL,
                           "header 0x%02X (%s) is not supported; supported: " ST_TDS_SUPPORTED, h,
                           tds_others[i].name);
    return st_fail(err, ST_ERR_UNSUPPORTED, 0, NULL, "header 0x%02X is not a known EPC header", h);
}

/* Decode hex[0..n) (only read, never beyond n) into the caller's *out; see tds.h. */
st_rc st_tds_decode_hex(const char *hex, size_t n, st_epc *out, st_error *err)
{
    uint64_t w[TDS_WORDS] = {0};
    memset(out, 0, sizeof *out);
    out->filter = -1;
    if (n > ST_EPC_HEX_MAX)
        return st_fail(err, ST_ERR_LIMIT, ST_EPC_HEX_MAX, NULL,
                       "EPC hex holds %zu digits; the limit is %d", n, ST_EPC_HEX_MAX);
    if (n < 2)
        return st_fail(err, ST_ERR_LENGTH, (long)n, NULL,
                       "EPC hex holds %zu digits; the header alone needs 2", n);
    /* 16 hex digits per word, accumulated in a register; validity is
     * checked once at the end (every table entry of a hex digit has TDS_HEX_OK) */
    unsigned ok = TDS_HEX_OK;
    for (size_t i = 0, wi = 0; i < n; wi++) {
        size_t end = n - i > 16 ? i + 16 : n;
        unsigned shift = (unsigned)(4 * (16 - (end - i)));
        uint64_t acc = 0;
        for (; i < end; i++) {
            unsigned v = tds_hexval[(unsigned char)hex[i]];
            ok &= v;
            acc = acc << 4 | (v & 15);
        }
        w[wi] = acc << shift; /* shift <= 60: the block holds at least one digit */
    }
    if (!ok)
        return bad_hex(hex, n, err);

    unsigned h = (unsigned)(w[0] >> 56);
    const st_tds_scheme *s = NULL;
    for (size_t i = 0; i < TDS_NSCHEMES; i++)
        if (tds_schemes[i].header == h) {
            s = &tds_schemes[i];
            break;
        }
    if (!s)
        return unknown_header(h, err);
    if (n * 4 < s->bits)
        return st_fail(err, ST_ERR_LENGTH, (long)n, NULL,
                       "EPC hex holds %zu digits; %s needs %u (%u bits)", n, s->name,
                       (s->bits + 3u) / 4u, (unsigned)s->bits);
    unsigned bad = bits_first_set(w, s->bits, (unsigned)n * 4);
    if (bad < n * 4)
        return st_fail(err, ST_ERR_SYNTAX, (long)(bad / 4), NULL,
                       "bit %u is set, after the %u bits of %s (only zero padding may follow)", bad,
                       (unsigned)s->bits, s->name);

    unsigned filter = (unsigned)(w[0] >> 53) & 7, p = (unsigned)(w[0] >> 50) & 7;
    if (p == 7)
        return st_fail(err, ST_ERR_RANGE, 2, NULL, "partition value 7 (bits 11-13) is invalid");
    const tds_part *pt = &tds_parts[s->part][p];
    unsigned off = 14;
    uint64_t cp = bits_get(w, off, pt->cp_bits);
    if (cp >= tds_pow10[pt->cp_digits])
        return st_fail(err, ST_ERR_RANGE, (long)(off / 4), NULL,
                       "company prefix %llu has more than the %u digits of partition %u",
                       (unsigned long long)cp, (unsigned)pt->cp_digits, p);
    put_padded(out->cp, cp, pt->cp_digits);
    out->cp_len = pt->cp_digits;
    off += pt->cp_bits;

    st_rc rc;
    if (s->ref == ST_TDS_STR) {
        rc = get_str(w, off, pt->ref_bits, pt->ref_digits, out->ref, &out->ref_len,
                     "asset reference", err);
        if (rc)
            return rc;
    } else {
        uint64_t ref = bits_get(w, off, pt->ref_bits);
        if (s->ref == ST_TDS_INT) {
            out->ref_len = (uint8_t)put_int(out->ref, ref);
        } else {
            if (ref >= tds_pow10[pt->ref_digits])
                return st_fail(err, ST_ERR_RANGE, (long)(off / 4), NULL,
                               "reference %llu does not fit the %u digits of partition %u",
                               (unsigned long long)ref, (unsigned)pt->ref_digits, p);
            put_padded(out->ref, ref, pt->ref_digits);
            out->ref_len = pt->ref_digits;
        }
    }
    off += pt->ref_bits;

    switch (s->ser) {
    case ST_TDS_INT:
        out->ser_len = (uint8_t)put_int(out->ser, bits_get(w, off, s->ser_bits));
        break;
    case ST_TDS_STR:
        rc = get_str(w, off, s->ser_bits, s->ser_bits / 7u, out->ser, &out->ser_len, ser_name(s),
                     err);
        if (rc)
            return rc;
        break;
    case ST_TDS_ZERO:
        if (bits_get(w, off, s->ser_bits))
            return st_fail(err, ST_ERR_RANGE, (long)(off / 4), NULL,
                           "reserved bits %u-%u of %s must be zero", off, off + s->ser_bits - 1,
                           s->name);
        break;
    default:
        break;
    }
    out->scheme = s->epc;
    out->kind = ST_EPC_KIND_TAG;
    out->tag_bits = s->bits;
    out->filter = (int8_t)filter;
    return ST_OK;
}

/* ---- encoding ------------------------------------------------------------ */

/* The digits v[0..n) (already checked) as an integer. */
static uint64_t digits_value(const char *v, size_t n)
{
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x = x * 10 + (uint64_t)(v[i] - '0');
    return x;
}

/* Write the 7-bit characters v[0..n) from bit off on. */
static void put_str(uint64_t *w, unsigned off, const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bits_put(w, off + 7 * (unsigned)i, 7, (unsigned char)v[i] & 0x7Fu);
}

/* Encode e (only read) as hex into the caller's out[0..cap); see tds.h. */
st_rc st_tds_encode_hex(const st_epc *e, const char *scheme, int filter, char *out, size_t cap,
                        st_error *err)
{
    if (out && cap)
        out[0] = '\0';
    if (!e || !scheme || !out)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "no EPC, scheme or output buffer");
    const st_tds_scheme *s = st_tds_scheme_find(scheme, strlen(scheme));
    if (!s)
        return st_fail(err, ST_ERR_UNSUPPORTED, -1, NULL,
                       "unknown EPC binary scheme \"%s\"; supported: " ST_TDS_SUPPORTED, scheme);
    if (filter < -1 || filter > 7)
        return st_fail(err, ST_ERR_ARG, -1, NULL, "filter value %d: it must be 0 to 7", filter);
    if (filter == -1)
        filter = e->filter >= 0 && e->filter <= 7 ? e->filter : 0;
    st_rc rc = st_tds_check(e, s, err);
    if (rc)
        return rc;

    unsigned p = 12u - e->cp_len;
    const tds_part *pt = &tds_parts[s->part][p];
    uint64_t w[TDS_WORDS] = {0};
    bits_put(w, 0, 8, s->header);
    bits_put(w, 8, 3, (unsigned)filter);
    bits_put(w, 11, 3, p);
    unsigned off = 14;
    bits_put(w, off, pt->cp_bits, digits_value(e->cp, e->cp_len));
    off += pt->cp_bits;
    if (s->ref == ST_TDS_STR)
        put_str(w, off, e->ref, e->ref_len);
    else if (e->ref_len) /* a 0-digit reference stays all zero */
        bits_put(w, off, pt->ref_bits, digits_value(e->ref, e->ref_len));
    off += pt->ref_bits;
    if (s->ser == ST_TDS_INT)
        bits_put(w, off, s->ser_bits, digits_value(e->ser, e->ser_len));
    else if (s->ser == ST_TDS_STR)
        put_str(w, off, e->ser, e->ser_len);

    size_t nhex = (s->bits + 15u) / 16u * 4u;
    if (cap < nhex + 1)
        return st_fail(err, ST_ERR_BUFFER, -1, NULL,
                       "%s needs %zu bytes of output with the NUL; the buffer holds %zu", s->name,
                       nhex + 1, cap);
    static const char xdigits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < nhex; i++)
        out[i] = xdigits[(w[i >> 4] >> (60 - 4 * (i & 15))) & 15];
    out[nhex] = '\0';
    return ST_OK;
}
