/* mote-light: the device SDK's light-client commit check (src/mote_light.c) from the command line.
 *   mote-light verify-commit CHAIN_ID VALSET_HEX SIGNED_HEADER_HEX
 *       VALSET_HEX: a tendermint.types.ValidatorSet (the trusted set), SIGNED_HEADER_HEX: a
 *       tendermint.types.SignedHeader (header H and the commit for it), both protobuf as hex.
 *   mote-light --batch FILE|-     one "CHAIN_ID VALSET_HEX SIGNED_HEADER_HEX" per line, one result line each
 * Result: "ok height=H signers=N validators=M power=S/T block_hash=HEX app_hash=HEX" or
 * "error CODE NAME: detail" (CODE and NAME as MOTE_LIGHT_E_* and ledger/lightclient.ts).
 * Exit: 0 ok, 1 refused, 2 usage. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mote_light.h"

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2 };
#define MAX_MESSAGE 8192

static mote_light_work work; /* static, as a device would place it */
static uint8_t valset[MAX_MESSAGE], header[MAX_MESSAGE];

static int unhex(const char *s, size_t n, uint8_t *out, size_t cap, size_t *len) {
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2, n -= 2;
    if (n % 2 != 0 || n / 2 > cap) return 0;
    for (size_t i = 0; i < n / 2; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = s[2 * i + (size_t)k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) return 0;
            v = v * 16 + d;
        }
        out[i] = (uint8_t)v;
    }
    *len = n / 2;
    return 1;
}

static void print_hex(const uint8_t *b, size_t n) {
    for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
}

/* Verifies one case and prints its result line; returns the exit code. */
static int run(const char *chain_id, const char *vs_hex, size_t vs_n, const char *sh_hex, size_t sh_n) {
    size_t vs_len = 0, sh_len = 0;
    if (!unhex(vs_hex, vs_n, valset, sizeof valset, &vs_len) || !unhex(sh_hex, sh_n, header, sizeof header, &sh_len)) {
        printf("error usage: VALSET_HEX and SIGNED_HEADER_HEX must be even-length hex of at most %d bytes\n", MAX_MESSAGE);
        return EXIT_USAGE;
    }
    mote_light_verified v;
    int rc = mote_light_verify_commit(&work, valset, vs_len, header, sh_len, chain_id, &v);
    if (rc != MOTE_LIGHT_OK) {
        printf("error %d %s: %s\n", rc, mote_light_error_name(rc), v.detail);
        return EXIT_REFUSED;
    }
    printf("ok height=%lld signers=%u validators=%u power=%llu/%llu block_hash=", (long long)v.height, v.signers,
           v.validators, (unsigned long long)v.signed_power, (unsigned long long)v.total_power);
    print_hex(v.block_hash, 32);
    printf(" app_hash=");
    print_hex(v.app_hash, v.app_hash_len);
    printf("\n");
    return 0;
}

static int batch(FILE *f) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int worst = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (n == 0) continue;
        /* the last two words are hex; the chain id is everything before them */
        char *sp2 = strrchr(line, ' ');
        char *sp1 = NULL;
        if (sp2) {
            *sp2 = 0;
            sp1 = strrchr(line, ' ');
        }
        int rc;
        if (!sp1) {
            printf("error usage: a batch line is CHAIN_ID VALSET_HEX SIGNED_HEADER_HEX\n");
            rc = EXIT_USAGE;
        } else {
            *sp1 = 0;
            rc = run(line, sp1 + 1, strlen(sp1 + 1), sp2 + 1, strlen(sp2 + 1));
        }
        if (rc > worst) worst = rc;
        fflush(stdout);
    }
    free(line);
    return worst;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "verify-commit") == 0) return run(argv[2], argv[3], strlen(argv[3]), argv[4], strlen(argv[4]));
    if (argc == 3 && strcmp(argv[1], "--batch") == 0) {
        if (strcmp(argv[2], "-") == 0) return batch(stdin);
        FILE *f = fopen(argv[2], "r");
        if (!f) {
            printf("error usage: cannot open %s\n", argv[2]);
            return EXIT_USAGE;
        }
        int rc = batch(f);
        fclose(f);
        return rc;
    }
    printf("error usage: mote-light verify-commit CHAIN_ID VALSET_HEX SIGNED_HEADER_HEX | mote-light --batch FILE|-\n");
    return EXIT_USAGE;
}
