/*
 * The EPC test vectors of gs1-facts §9.1 (hex <-> tag URI <-> pure identity
 * <-> element string), shared by tds_test.c and epc_test.c.
 */
#ifndef ST_TEST_EPC_VECTORS_H
#define ST_TEST_EPC_VECTORS_H

typedef struct epc_vector {
    const char *hex;    /* EPC binary, as published */
    const char *tag;    /* tag URI */
    const char *id;     /* pure identity URI */
    const char *hri;    /* element string, bracketed */
    const char *scheme; /* binary scheme */
    int filter;         /* filter value */
    int gcp_len;        /* company prefix length */
} epc_vector;

static const epc_vector epc_vectors[] = {
    {"3074257BF7194E4000001A85", "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
     "urn:epc:id:sgtin:0614141.812345.6789", "(01)80614141123458(21)6789", "sgtin-96", 3, 7},
    {"3674257BF6B7A659B2C2BF100000000000000000000000000000",
     "urn:epc:tag:sgtin-198:3.0614141.712345.32a%2Fb", "urn:epc:id:sgtin:0614141.712345.32a%2Fb",
     "(01)70614141123451(21)32a/b", "sgtin-198", 3, 7},
    {"30C579D5D4ADB60000000000", "urn:epc:tag:sgtin-96:6.50712192365.88.0",
     "urn:epc:id:sgtin:50712192365.88.0", "(01)85071219236581(21)0", "sgtin-96", 6, 11},
    {"362579D5D4ADB6172574B98B34C0000000000000000000000000",
     "urn:epc:tag:sgtin-198:1.50712192365.88..%25:.13%26",
     "urn:epc:id:sgtin:50712192365.88..%25:.13%26", "(01)85071219236581(21).%:.13&", "sgtin-198", 1,
     11},
    {"3154257BF4499602D2000000", "urn:epc:tag:sscc-96:2.0614141.1234567890",
     "urn:epc:id:sscc:0614141.1234567890", "(00)106141412345678908", "sscc-96", 2, 7},
    {"3234257BF460720000000190", "urn:epc:tag:sgln-96:1.0614141.12345.400",
     "urn:epc:id:sgln:0614141.12345.400", "(414)0614141123452(254)400", "sgln-96", 1, 7},
    {"3934257BF46072C0000000000000000000000000000000000000",
     "urn:epc:tag:sgln-195:1.0614141.12345.0", "urn:epc:id:sgln:0614141.12345.0",
     "(414)0614141123452", "sgln-195", 1, 7},
    {"33B4257BF40C0E4000000190", "urn:epc:tag:grai-96:5.0614141.12345.400",
     "urn:epc:id:grai:0614141.12345.400", "(8003)00614141123452400", "grai-96", 5, 7},
    {"3714257BF40C0E60C287118B266D1780000000000000",
     "urn:epc:tag:grai-170:0.0614141.12345.ABCD1234%2F",
     "urn:epc:id:grai:0614141.12345.ABCD1234%2F", "(8003)00614141123452ABCD1234/", "grai-170", 0,
     7},
    {"3434257BF400000000BC6038", "urn:epc:tag:giai-96:1.0614141.12345400",
     "urn:epc:id:giai:0614141.12345400", "(8004)061414112345400", "giai-96", 1, 7},
    {"3834257BF58B266D1AB460C00000000000000000000000000000",
     "urn:epc:tag:giai-202:1.0614141.12345400", "urn:epc:id:giai:0614141.12345400",
     "(8004)061414112345400", "giai-202", 1, 7},
    {"2C54257BF46073FFFFFFFFFF", "urn:epc:tag:gdti-96:2.0614141.12345.2199023255551",
     "urn:epc:id:gdti:0614141.12345.2199023255551", "(253)06141411234522199023255551", "gdti-96", 2,
     7},
    {"3E14257BF460730614388C593368BC00000000000000",
     "urn:epc:tag:gdti-174:0.0614141.12345.ABCD1234%2F",
     "urn:epc:id:gdti:0614141.12345.ABCD1234%2F", "(253)0614141123452ABCD1234/", "gdti-174", 0, 7},
};
#define EPC_NVECTORS (sizeof epc_vectors / sizeof epc_vectors[0])

#endif
