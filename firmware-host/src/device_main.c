/* mote-device: the device SDK's sealing and reading signing from the command line, as a device runs them.
 *   mote-device seal --chain ID --contract HEX32 --device HEX32 --seq N --reader HEX32 [--reader ...]
 *                    [--random HEX88] PAYLOAD_HEX        prints the sealed payload as 0x-hex
 *   mote-device open --chain ID --contract HEX32 --device HEX32 --seq N --secret HEX32 SEALED_HEX
 *                                                       prints the payload as 0x-hex
 *   mote-device sign-reading --seed HEX32 --contract HEX32 --nonce N --value Q --timestamp N
 *                                                       prints the Ed25519 signature of the reading (the
 *                                                       76-byte device-domain message of mote_reading.h;
 *                                                       Q is the fixed Q47.16 value as a signed integer)
 *   mote-device --batch FILE|-                         one command per line (without the program
 *                                                       name), one result line each: "ok 0x..." or
 *                                                       "error CODE: reason" (conformance vectors)
 * --random fixes the ephemeral secret, nonce and content key (32 + 24 + 32 bytes) for vectors; without it
 * they come from getrandom(), as a device draws them from esp_fill_random. Exit: 0 ok, 1 refused, 2 usage. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "escape.h"
#include "mote_reading.h"
#include "mote_seal.h"

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2 };

static const char *const STATUS_NAMES[] = {"ok", "format", "context", "bad_reader_key", "not_a_reader",
                                           "key_unwrap_failed", "payload_auth_failed", "no_room"};

typedef struct {
    int code; /* 0 ok, EXIT_REFUSED, EXIT_USAGE */
    char line[2 * (MOTE_SEAL_SIZE(MOTE_SEAL_MAX_READERS, MOTE_SEAL_MAX_PAYLOAD)) + 600];
} result;

static int usage_error(result *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(r->line, sizeof r->line, "error usage: ");
    vsnprintf(r->line + n, sizeof r->line - (size_t)n, fmt, ap);
    va_end(ap);
    r->code = EXIT_USAGE;
    return EXIT_USAGE;
}

/* 0x-hex of exactly `want` bytes (want 0: any even length up to cap); returns the length or -1. */
static long parse_hex(const char *s, uint8_t *out, size_t cap, size_t want) {
    if (s[0] != '0' || s[1] != 'x') return -1;
    size_t n = strlen(s + 2);
    if (n % 2 || n / 2 > cap || (want && n / 2 != want)) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = s[2 + 2 * i + (size_t)k];
            unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                       : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
            if (d == 16) return -1;
            v = v * 16 + d;
        }
        out[i] = (uint8_t)v;
    }
    return (long)(n / 2);
}

static void put_hex(result *r, const char *prefix, const uint8_t *b, size_t n) {
    size_t at = (size_t)snprintf(r->line, sizeof r->line, "%s0x", prefix);
    for (size_t i = 0; i < n && at + 3 < sizeof r->line; i++) at += (size_t)snprintf(r->line + at, 3, "%02x", b[i]);
}

static int parse_u64(const char *v, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long s = strtoull(v, &end, 10);
    if (!*v || *end || v[0] == '-' || errno) return -1;
    *out = (uint64_t)s;
    return 0;
}

static int run_sign_reading(int argc, char **argv, result *r) {
    uint8_t seed[32], instance[32], sig[64];
    uint64_t nonce = 0, timestamp = 0;
    int64_t value = 0;
    int have = 0; /* bits: seed, contract, nonce, value, timestamp */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) return usage_error(r, "%s needs a value", mote_quote(a));
        const char *v = argv[++i];
        if (strcmp(a, "--seed") == 0) {
            if (parse_hex(v, seed, 32, 32) < 0) return usage_error(r, "--seed: expected 32 bytes of 0x-hex, got '%s'", mote_quote(v));
            have |= 1;
        } else if (strcmp(a, "--contract") == 0) {
            if (parse_hex(v, instance, 32, 32) < 0) return usage_error(r, "--contract: expected 32 bytes of 0x-hex, got '%s'", mote_quote(v));
            have |= 2;
        } else if (strcmp(a, "--nonce") == 0) {
            if (parse_u64(v, &nonce) < 0) return usage_error(r, "--nonce: expected a u64, got '%s'", mote_quote(v));
            have |= 4;
        } else if (strcmp(a, "--value") == 0) {
            char *end;
            errno = 0;
            long long q = strtoll(v, &end, 10);
            if (!*v || *end || errno) return usage_error(r, "--value: expected a fixed Q47.16 value as an i64, got '%s'", mote_quote(v));
            value = (int64_t)q;
            have |= 8;
        } else if (strcmp(a, "--timestamp") == 0) {
            if (parse_u64(v, &timestamp) < 0) return usage_error(r, "--timestamp: expected a u64, got '%s'", mote_quote(v));
            have |= 16;
        } else return usage_error(r, "sign-reading: unknown option '%s'", mote_quote(a));
    }
    if (have != 31) return usage_error(r, "sign-reading: --seed, --contract, --nonce, --value and --timestamp are required");
    mote_reading_sign(sig, NULL, seed, instance, nonce, value, timestamp);
    put_hex(r, "ok ", sig, sizeof sig);
    r->code = 0;
    return 0;
}

static int run(int argc, char **argv, result *r) {
    static uint8_t readers[2 * MOTE_SEAL_MAX_READERS][32], data[MOTE_SEAL_SIZE(MOTE_SEAL_MAX_READERS, MOTE_SEAL_MAX_PAYLOAD)],
        out[MOTE_SEAL_SIZE(MOTE_SEAL_MAX_READERS, MOTE_SEAL_MAX_PAYLOAD)];
    if (argc < 1) return usage_error(r, "a command: seal, open or sign-reading");
    if (strcmp(argv[0], "sign-reading") == 0) return run_sign_reading(argc, argv, r);
    int sealing = strcmp(argv[0], "seal") == 0;
    if (!sealing && strcmp(argv[0], "open") != 0) return usage_error(r, "unknown command '%s' (seal, open, sign-reading)", mote_quote(argv[0]));
    mote_seal_ctx ctx = {0};
    mote_seal_random rnd;
    uint8_t secret[32];
    int have_random = 0, have_secret = 0, have_seq = 0, have_contract = 0, have_device = 0;
    unsigned n_readers = 0;
    const char *input = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            if (input) return usage_error(r, "one %s argument, got another: '%s'", sealing ? "PAYLOAD_HEX" : "SEALED_HEX", mote_quote(a));
            input = a;
            continue;
        }
        if (i + 1 >= argc) return usage_error(r, "%s needs a value", mote_quote(a));
        const char *v = argv[++i];
        if (strcmp(a, "--chain") == 0) ctx.chain_id = v;
        else if (strcmp(a, "--contract") == 0) {
            if (parse_hex(v, ctx.contract, 32, 32) < 0) return usage_error(r, "--contract: expected 32 bytes of 0x-hex, got '%s'", mote_quote(v));
            have_contract = 1;
        } else if (strcmp(a, "--device") == 0) {
            if (parse_hex(v, ctx.device, 32, 32) < 0) return usage_error(r, "--device: expected 32 bytes of 0x-hex, got '%s'", mote_quote(v));
            have_device = 1;
        } else if (strcmp(a, "--seq") == 0) {
            char *end;
            errno = 0;
            unsigned long long s = strtoull(v, &end, 10);
            if (!*v || *end || v[0] == '-' || errno) return usage_error(r, "--seq: expected a u64, got '%s'", mote_quote(v));
            ctx.seq = (uint64_t)s;
            have_seq = 1;
        } else if (strcmp(a, "--reader") == 0 && sealing) {
            if (n_readers == 2 * MOTE_SEAL_MAX_READERS) return usage_error(r, "--reader: at most %d", 2 * MOTE_SEAL_MAX_READERS);
            if (parse_hex(v, readers[n_readers], 32, 32) < 0) return usage_error(r, "--reader: expected 32 bytes of 0x-hex, got '%s'", mote_quote(v));
            n_readers++;
        } else if (strcmp(a, "--random") == 0 && sealing) {
            uint8_t buf[88];
            if (parse_hex(v, buf, 88, 88) < 0) return usage_error(r, "--random: expected 88 bytes of 0x-hex, got '%s'", mote_quote(v));
            memcpy(rnd.ephemeral_secret, buf, 32);
            memcpy(rnd.nonce, buf + 32, 24);
            memcpy(rnd.content_key, buf + 56, 32);
            have_random = 1;
        } else if (strcmp(a, "--secret") == 0 && !sealing) {
            if (parse_hex(v, secret, 32, 32) < 0) return usage_error(r, "--secret: expected 32 bytes of 0x-hex, got '%s'", mote_quote(v));
            have_secret = 1;
        } else return usage_error(r, "%s: unknown option '%s'", argv[0], mote_quote(a));
    }
    if (!ctx.chain_id || !have_contract || !have_device || !have_seq) return usage_error(r, "--chain, --contract, --device and --seq are required");
    if (!input) return usage_error(r, "missing %s", sealing ? "PAYLOAD_HEX" : "SEALED_HEX");
    long len = parse_hex(input, data, sizeof data, 0);
    if (len < 0) return usage_error(r, "expected 0x-hex of at most %u bytes, got '%s'", (unsigned)sizeof data, mote_quote(input));
    char err[300];
    size_t out_len = 0;
    mote_seal_status st;
    if (sealing) {
        if (!have_random && getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) return usage_error(r, "getrandom failed");
        st = mote_seal(out, sizeof out, &out_len, data, (size_t)len, (const uint8_t(*)[32])readers, n_readers, &ctx, &rnd, err, sizeof err);
    } else {
        if (!have_secret) return usage_error(r, "open: --secret is required");
        st = mote_seal_open(out, sizeof out, &out_len, data, (size_t)len, secret, &ctx, err, sizeof err);
    }
    if (st != MOTE_SEAL_OK) {
        snprintf(r->line, sizeof r->line, "error %s: %s", STATUS_NAMES[st], err);
        r->code = EXIT_REFUSED;
        return EXIT_REFUSED;
    }
    put_hex(r, "ok ", out, out_len);
    r->code = 0;
    return 0;
}

static void print_escaped(FILE *f, const char *prefix, const char *s) {
    size_t need = mote_escape(s, strlen(s), MOTE_ESCAPE_ALL, NULL, 0);
    char *buf = malloc(need + 1);
    if (!buf) return;
    mote_escape(s, strlen(s), MOTE_ESCAPE_ALL, buf, need + 1);
    fprintf(f, "%s%s\n", prefix, buf);
    free(buf);
}

int main(int argc, char **argv) {
    static result r;
    if (argc == 3 && strcmp(argv[1], "--batch") == 0) {
        FILE *f = strcmp(argv[2], "-") == 0 ? stdin : fopen(argv[2], "rb");
        if (!f) {
            fprintf(stderr, "mote-device: %s: %s\n", mote_quote_path(argv[2]), strerror(errno));
            return EXIT_USAGE;
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, f)) > 0) {
            char *tok[64];
            int nt = 0;
            for (char *save = NULL, *t = strtok_r(line, " \t\r\n\f\v", &save); t && nt < 64; t = strtok_r(NULL, " \t\r\n\f\v", &save)) tok[nt++] = t;
            if (nt == 0) continue;
            run(nt, tok, &r);
            print_escaped(stdout, "", r.line);
            fflush(stdout);
        }
        free(line);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs("usage: mote-device seal --chain ID --contract HEX --device HEX --seq N --reader HEX [--reader HEX...] [--random HEX] PAYLOAD_HEX\n"
              "       mote-device open --chain ID --contract HEX --device HEX --seq N --secret HEX SEALED_HEX\n"
              "       mote-device sign-reading --seed HEX --contract HEX --nonce N --value Q --timestamp N\n"
              "       mote-device --batch FILE|-\n",
              argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    int code = run(argc - 1, argv + 1, &r);
    if (code == 0) puts(r.line + 3); /* without "ok " */
    else print_escaped(stderr, "mote-device: ", r.line + 6); /* without "error " */
    return code;
}
