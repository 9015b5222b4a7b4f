/*
 * The ISO code tables behind iso_codes.h. Data only: to update a list, edit
 * its table and keep it sorted; the unit test counts every code each lookup
 * accepts, which also catches a table left out of order.
 */
#include "gs1/iso_codes.h"

#include <stdlib.h>
#include <string.h>

/* One code of a numeric list, with its letters for the reader and the tests. */
typedef struct st_iso_code {
    unsigned short num; /* the numeric code (276) */
    char alpha[4];      /* the alphabetic code ("DE", "EUR") */
} st_iso_code;

/*
 * ISO 3166-1 countries, sorted by numeric code: the 249 entries of the list
 * maintained by the ISO 3166 Maintenance Agency as of 2024-2025 (unchanged
 * since South Sudan, 728 / SS, was added in 2011; the withdrawn 530 AN,
 * 736 (former Sudan) and 891 CS are absent). The GS1 reference linters
 * accept the same set.
 */
/* clang-format off */
static const st_iso_code st_iso3166[] = {
    {4, "AF"}, {8, "AL"}, {10, "AQ"}, {12, "DZ"}, {16, "AS"}, {20, "AD"}, {24, "AO"}, {28, "AG"},
    {31, "AZ"}, {32, "AR"}, {36, "AU"}, {40, "AT"}, {44, "BS"}, {48, "BH"}, {50, "BD"}, {51, "AM"},
    {52, "BB"}, {56, "BE"}, {60, "BM"}, {64, "BT"}, {68, "BO"}, {70, "BA"}, {72, "BW"}, {74, "BV"},
    {76, "BR"}, {84, "BZ"}, {86, "IO"}, {90, "SB"}, {92, "VG"}, {96, "BN"}, {100, "BG"},
    {104, "MM"}, {108, "BI"}, {112, "BY"}, {116, "KH"}, {120, "CM"}, {124, "CA"}, {132, "CV"},
    {136, "KY"}, {140, "CF"}, {144, "LK"}, {148, "TD"}, {152, "CL"}, {156, "CN"}, {158, "TW"},
    {162, "CX"}, {166, "CC"}, {170, "CO"}, {174, "KM"}, {175, "YT"}, {178, "CG"}, {180, "CD"},
    {184, "CK"}, {188, "CR"}, {191, "HR"}, {192, "CU"}, {196, "CY"}, {203, "CZ"}, {204, "BJ"},
    {208, "DK"}, {212, "DM"}, {214, "DO"}, {218, "EC"}, {222, "SV"}, {226, "GQ"}, {231, "ET"},
    {232, "ER"}, {233, "EE"}, {234, "FO"}, {238, "FK"}, {239, "GS"}, {242, "FJ"}, {246, "FI"},
    {248, "AX"}, {250, "FR"}, {254, "GF"}, {258, "PF"}, {260, "TF"}, {262, "DJ"}, {266, "GA"},
    {268, "GE"}, {270, "GM"}, {275, "PS"}, {276, "DE"}, {288, "GH"}, {292, "GI"}, {296, "KI"},
    {300, "GR"}, {304, "GL"}, {308, "GD"}, {312, "GP"}, {316, "GU"}, {320, "GT"}, {324, "GN"},
    {328, "GY"}, {332, "HT"}, {334, "HM"}, {336, "VA"}, {340, "HN"}, {344, "HK"}, {348, "HU"},
    {352, "IS"}, {356, "IN"}, {360, "ID"}, {364, "IR"}, {368, "IQ"}, {372, "IE"}, {376, "IL"},
    {380, "IT"}, {384, "CI"}, {388, "JM"}, {392, "JP"}, {398, "KZ"}, {400, "JO"}, {404, "KE"},
    {408, "KP"}, {410, "KR"}, {414, "KW"}, {417, "KG"}, {418, "LA"}, {422, "LB"}, {426, "LS"},
    {428, "LV"}, {430, "LR"}, {434, "LY"}, {438, "LI"}, {440, "LT"}, {442, "LU"}, {446, "MO"},
    {450, "MG"}, {454, "MW"}, {458, "MY"}, {462, "MV"}, {466, "ML"}, {470, "MT"}, {474, "MQ"},
    {478, "MR"}, {480, "MU"}, {484, "MX"}, {492, "MC"}, {496, "MN"}, {498, "MD"}, {499, "ME"},
    {500, "MS"}, {504, "MA"}, {508, "MZ"}, {512, "OM"}, {516, "NA"}, {520, "NR"}, {524, "NP"},
    {528, "NL"}, {531, "CW"}, {533, "AW"}, {534, "SX"}, {535, "BQ"}, {540, "NC"}, {548, "VU"},
    {554, "NZ"}, {558, "NI"}, {562, "NE"}, {566, "NG"}, {570, "NU"}, {574, "NF"}, {578, "NO"},
    {580, "MP"}, {581, "UM"}, {583, "FM"}, {584, "MH"}, {585, "PW"}, {586, "PK"}, {591, "PA"},
    {598, "PG"}, {600, "PY"}, {604, "PE"}, {608, "PH"}, {612, "PN"}, {616, "PL"}, {620, "PT"},
    {624, "GW"}, {626, "TL"}, {630, "PR"}, {634, "QA"}, {638, "RE"}, {642, "RO"}, {643, "RU"},
    {646, "RW"}, {652, "BL"}, {654, "SH"}, {659, "KN"}, {660, "AI"}, {662, "LC"}, {663, "MF"},
    {666, "PM"}, {670, "VC"}, {674, "SM"}, {678, "ST"}, {682, "SA"}, {686, "SN"}, {688, "RS"},
    {690, "SC"}, {694, "SL"}, {702, "SG"}, {703, "SK"}, {704, "VN"}, {705, "SI"}, {706, "SO"},
    {710, "ZA"}, {716, "ZW"}, {724, "ES"}, {728, "SS"}, {729, "SD"}, {732, "EH"}, {740, "SR"},
    {744, "SJ"}, {748, "SZ"}, {752, "SE"}, {756, "CH"}, {760, "SY"}, {762, "TJ"}, {764, "TH"},
    {768, "TG"}, {772, "TK"}, {776, "TO"}, {780, "TT"}, {784, "AE"}, {788, "TN"}, {792, "TR"},
    {795, "TM"}, {796, "TC"}, {798, "TV"}, {800, "UG"}, {804, "UA"}, {807, "MK"}, {818, "EG"},
    {826, "GB"}, {831, "GG"}, {832, "JE"}, {833, "IM"}, {834, "TZ"}, {840, "US"}, {850, "VI"},
    {854, "BF"}, {858, "UY"}, {860, "UZ"}, {862, "VE"}, {876, "WF"}, {882, "WS"}, {887, "YE"},
    {894, "ZM"},
};
/* clang-format on */

/* The same countries' alpha-2 codes, sorted. */
/* clang-format off */
static const char st_iso3166_alpha2[][3] = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
};
/* clang-format on */

/*
 * ISO 4217 List One numeric codes (currencies, funds, precious metals and the
 * X-codes for testing and "no currency"), sorted, as published by SIX in 2025:
 * includes XAD 396 and ZWG 924 (added 2024) and XCG 532 (the Caribbean
 * guilder, which took over ANG's number in 2025); HRK 191, SLL 694, ZWL 932
 * and CUC 931 are withdrawn and absent. BGN 975 is still listed: Bulgaria's
 * change to the euro on 2026-01-01 leaves lev-denominated data in circulation.
 */
/* clang-format off */
static const st_iso_code st_iso4217[] = {
    {8, "ALL"}, {12, "DZD"}, {32, "ARS"}, {36, "AUD"}, {44, "BSD"}, {48, "BHD"}, {50, "BDT"},
    {51, "AMD"}, {52, "BBD"}, {60, "BMD"}, {64, "BTN"}, {68, "BOB"}, {72, "BWP"}, {84, "BZD"},
    {90, "SBD"}, {96, "BND"}, {104, "MMK"}, {108, "BIF"}, {116, "KHR"}, {124, "CAD"}, {132, "CVE"},
    {136, "KYD"}, {144, "LKR"}, {152, "CLP"}, {156, "CNY"}, {170, "COP"}, {174, "KMF"},
    {188, "CRC"}, {192, "CUP"}, {203, "CZK"}, {208, "DKK"}, {214, "DOP"}, {222, "SVC"},
    {230, "ETB"}, {232, "ERN"}, {238, "FKP"}, {242, "FJD"}, {262, "DJF"}, {270, "GMD"},
    {292, "GIP"}, {320, "GTQ"}, {324, "GNF"}, {328, "GYD"}, {332, "HTG"}, {340, "HNL"},
    {344, "HKD"}, {348, "HUF"}, {352, "ISK"}, {356, "INR"}, {360, "IDR"}, {364, "IRR"},
    {368, "IQD"}, {376, "ILS"}, {388, "JMD"}, {392, "JPY"}, {396, "XAD"}, {398, "KZT"},
    {400, "JOD"}, {404, "KES"}, {408, "KPW"}, {410, "KRW"}, {414, "KWD"}, {417, "KGS"},
    {418, "LAK"}, {422, "LBP"}, {426, "LSL"}, {430, "LRD"}, {434, "LYD"}, {446, "MOP"},
    {454, "MWK"}, {458, "MYR"}, {462, "MVR"}, {480, "MUR"}, {484, "MXN"}, {496, "MNT"},
    {498, "MDL"}, {504, "MAD"}, {512, "OMR"}, {516, "NAD"}, {524, "NPR"}, {532, "XCG"},
    {533, "AWG"}, {548, "VUV"}, {554, "NZD"}, {558, "NIO"}, {566, "NGN"}, {578, "NOK"},
    {586, "PKR"}, {590, "PAB"}, {598, "PGK"}, {600, "PYG"}, {604, "PEN"}, {608, "PHP"},
    {634, "QAR"}, {643, "RUB"}, {646, "RWF"}, {654, "SHP"}, {682, "SAR"}, {690, "SCR"},
    {702, "SGD"}, {704, "VND"}, {706, "SOS"}, {710, "ZAR"}, {728, "SSP"}, {748, "SZL"},
    {752, "SEK"}, {756, "CHF"}, {760, "SYP"}, {764, "THB"}, {776, "TOP"}, {780, "TTD"},
    {784, "AED"}, {788, "TND"}, {800, "UGX"}, {807, "MKD"}, {818, "EGP"}, {826, "GBP"},
    {834, "TZS"}, {840, "USD"}, {858, "UYU"}, {860, "UZS"}, {882, "WST"}, {886, "YER"},
    {901, "TWD"}, {924, "ZWG"}, {925, "SLE"}, {926, "VED"}, {927, "UYW"}, {928, "VES"},
    {929, "MRU"}, {930, "STN"}, {933, "BYN"}, {934, "TMT"}, {936, "GHS"}, {938, "SDG"},
    {940, "UYI"}, {941, "RSD"}, {943, "MZN"}, {944, "AZN"}, {946, "RON"}, {947, "CHE"},
    {948, "CHW"}, {949, "TRY"}, {950, "XAF"}, {951, "XCD"}, {952, "XOF"}, {953, "XPF"},
    {955, "XBA"}, {956, "XBB"}, {957, "XBC"}, {958, "XBD"}, {959, "XAU"}, {960, "XDR"},
    {961, "XAG"}, {962, "XPT"}, {963, "XTS"}, {964, "XPD"}, {965, "XUA"}, {967, "ZMW"},
    {968, "SRD"}, {969, "MGA"}, {970, "COU"}, {971, "AFN"}, {972, "TJS"}, {973, "AOA"},
    {975, "BGN"}, {976, "CDF"}, {977, "BAM"}, {978, "EUR"}, {979, "MXV"}, {980, "UAH"},
    {981, "GEL"}, {984, "BOV"}, {985, "PLN"}, {986, "BRL"}, {990, "CLF"}, {994, "XSU"},
    {997, "USN"}, {999, "XXX"},
};
/* clang-format on */

#define ST_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* bsearch comparator over st_iso_code rows by numeric code. */
static int st_iso_cmp_num(const void *key, const void *row)
{
    unsigned k = *(const unsigned *)key;
    unsigned r = ((const st_iso_code *)row)->num;
    return (k > r) - (k < r);
}

/* bsearch comparator over two-letter codes. */
static int st_iso_cmp_alpha2(const void *key, const void *row)
{
    return memcmp(key, row, 2);
}

/* The value of three digits d[0..n), or -1 when d is not exactly that. */
static int st_iso_three_digits(const char *d, size_t n)
{
    if (n != 3)
        return -1;
    int x = 0;
    for (size_t i = 0; i < 3; i++) {
        if (d[i] < '0' || d[i] > '9')
            return -1;
        x = x * 10 + (d[i] - '0');
    }
    return x;
}

/* Look up three digits in one of the numeric tables. */
static int st_iso_num_listed(const st_iso_code *table, size_t len, const char *d, size_t n)
{
    int x = st_iso_three_digits(d, n);
    if (x < 0)
        return 0;
    unsigned key = (unsigned)x;
    return bsearch(&key, table, len, sizeof table[0], st_iso_cmp_num) != NULL;
}

int st_iso_country_num(const char *d, size_t n)
{
    return st_iso_num_listed(st_iso3166, ST_COUNT(st_iso3166), d, n);
}

int st_iso_country_alpha2(const char *a, size_t n)
{
    if (n != 2)
        return 0;
    return bsearch(a, st_iso3166_alpha2, ST_COUNT(st_iso3166_alpha2), sizeof st_iso3166_alpha2[0],
                   st_iso_cmp_alpha2) != NULL;
}

int st_iso_currency_num(const char *d, size_t n)
{
    return st_iso_num_listed(st_iso4217, ST_COUNT(st_iso4217), d, n);
}
