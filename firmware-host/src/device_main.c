/* mote-device: the device SDK from the command line, every function as a device runs it (mote_sdk.h,
 * mote_seal.h), so a shell and the tests can drive each one.
 *   mote-device keygen --key FILE                      a new key from getrandom(), stored 0600 (the ledger's
 *                                                       key-file format); prints the public key
 *   mote-device pubkey --key FILE                      prints the public key, for registration
 *   mote-device nonce --key FILE                       prints "TX_NONCE LAST_READING_NONCE" as stored
 *   mote-device sign-reading KEY --contract HEX32 --value RAW --timestamp N [--nonce N] [--sealed HEX]
 *                                                       the device-domain reading message signed (RAW: fixed
 *                                                       Q47.16 as an integer, 65536 = 1.0); prints 0xSIGNATURE
 *                                                       with --nonce, else the device takes and stores its next
 *                                                       reading nonce and prints "NONCE 0xSIGNATURE"
 *   mote-device sign-message KEY --contract HEX32 (--function NAME | --selector N) PAYLOAD_HEX
 *                                                       the device domain (tag, instance, selector) over a payload
 *                                                       (a supply-chain handoff, ...); prints 0xSIGNATURE
 *   mote-device submit-reading --key FILE --genesis-hash HEX32 --gas N [--gas-price N] --contract HEX32 --value RAW --timestamp N
 *                                                       signs the next reading and the call of the attestation's
 *                                                       submit carrying it; prints "READING_NONCE 0xTX"
 *   mote-device tx deploy KEY --genesis-hash HEX32 --gas N [--gas-price N] [--value N] [--nonce N] --module HEX [ARG...]
 *   mote-device tx call KEY --genesis-hash HEX32 --gas N [...] --contract HEX32 (--function NAME | --selector N) [ARG...]
 *                                                       prints the signed transaction as 0x-hex (its id is its
 *                                                       SHA-256); ARG is an integer or 0x-hex bytes; without
 *                                                       --nonce the device's tracked nonce is used and advanced
 *   mote-device verify-proof --root HEX32 --state-key HEX PROOF_HEX
 *                                                       prints "value 0x..." or "absent"
 *   mote-device sync-nonce --key FILE --root HEX32 PROOF_HEX
 *                                                       the transaction nonce from a proof of the account entry
 *   KEY is --key FILE, or --seed HEX32 (tests and vectors only: nothing is stored).
 *   mote-device seal --chain ID --contract HEX32 --device HEX32 --seq N --reader HEX32 [--reader ...]
 *                    [--random HEX88] PAYLOAD_HEX        prints the sealed payload as 0x-hex
 *   mote-device open --chain ID --contract HEX32 --device HEX32 --seq N --secret HEX32 SEALED_HEX
 *                                                       prints the payload as 0x-hex
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
#include "mote_platform_host.h"
#include "mote_sdk.h"
#include "mote_seal.h"

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2 };

static const char *const STATUS_NAMES[] = {"ok", "format", "context", "bad_reader_key", "not_a_reader",
                                           "key_unwrap_failed", "payload_auth_failed", "no_room"};

/* the largest signed transaction: a full module and eight full byte arguments, with the signing prefix */
#define TX_CAP MOTE_TX_SIGN_CAP(128 + MOTE_TX_MAX_MODULE + MOTE_TX_MAX_ARGS * (3 + MOTE_TX_MAX_BYTES_ARG))

typedef struct {
    int code; /* 0 ok, EXIT_REFUSED, EXIT_USAGE */
    char line[2 * TX_CAP + 600];
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

static int run_seal(int argc, char **argv, result *r) {
    static uint8_t readers[2 * MOTE_SEAL_MAX_READERS][32], data[MOTE_SEAL_SIZE(MOTE_SEAL_MAX_READERS, MOTE_SEAL_MAX_PAYLOAD)],
        out[MOTE_SEAL_SIZE(MOTE_SEAL_MAX_READERS, MOTE_SEAL_MAX_PAYLOAD)];
    if (argc < 1) return usage_error(r, "a command: seal or open");
    int sealing = strcmp(argv[0], "seal") == 0;
    if (!sealing && strcmp(argv[0], "open") != 0) return usage_error(r, "unknown command '%s' (seal, open)", mote_quote(argv[0]));
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

/* -- the SDK's commands ---------------------------------------------------------------------------- */

static const char *field_name(uint32_t f) {
    switch (f) {
    case MOTE_FIELD_GAS_LIMIT: return "gas limit: 1..2000000000";
    case MOTE_FIELD_KIND: return "transaction kind";
    case MOTE_FIELD_MODULE: return "module: 1..6144 bytes";
    case MOTE_FIELD_ARGS: return "arguments: at most 8";
    case MOTE_FIELD_ARG_TAG: return "argument tag";
    case MOTE_FIELD_ARG_LENGTH: return "byte argument: at most 1024 bytes";
    case MOTE_FIELD_SEALED: return "sealed payload: at most 896 bytes (the attestation's MAX_SEALED)";
    case MOTE_FIELD_PAYLOAD: return "device message payload: at most 96 bytes";
    default: return "field";
    }
}

/* One line for an SDK failure: the stable code, what it means and where. */
static int sdk_error(result *r, mote_err e, const mote_host_storage *store) {
    const char *name = mote_status_name(e.code);
    switch (e.code) {
    case MOTE_E_ARGUMENT: snprintf(r->line, sizeof r->line, "error %s: %s", name, field_name(e.at)); break;
    case MOTE_E_STORAGE: snprintf(r->line, sizeof r->line, "error %s: %s", name, store && store->why[0] ? store->why : "the storage failed"); break;
    case MOTE_E_NO_KEY: snprintf(r->line, sizeof r->line, "error %s: %s: no key; run mote-device keygen --key FILE", name, store ? store->key_path : "-"); break;
    case MOTE_E_KEY_EXISTS: snprintf(r->line, sizeof r->line, "error %s: %s: already exists; refusing to overwrite a key", name, store ? store->key_path : "-"); break;
    case MOTE_E_KEY_FORMAT: snprintf(r->line, sizeof r->line, "error %s: the stored key is %u bytes, not 32", name, (unsigned)e.at); break;
    case MOTE_E_NONCE_FORMAT: snprintf(r->line, sizeof r->line, "error %s: a nonce is 8 bytes (u64 LE), got %u", name, (unsigned)e.at); break;
    case MOTE_E_PROOF_TRUNCATED: snprintf(r->line, sizeof r->line, "error %s: state proof truncated at byte %u", name, (unsigned)e.at); break;
    case MOTE_E_PROOF_TRAILING: snprintf(r->line, sizeof r->line, "error %s: state proof has trailing bytes from byte %u", name, (unsigned)e.at); break;
    case MOTE_E_PROOF_VERSION: snprintf(r->line, sizeof r->line, "error %s: state proof version at byte 0 is not 2", name); break;
    case MOTE_E_PROOF_END_KIND: snprintf(r->line, sizeof r->line, "error %s: state proof end kind at byte %u is not 0, 1 or 2", name, (unsigned)e.at); break;
    case MOTE_E_PROOF_DEPTH: snprintf(r->line, sizeof r->line, "error %s: state proof depth at byte %u exceeds 256", name, (unsigned)e.at); break;
    case MOTE_E_PROOF_BITMAP: snprintf(r->line, sizeof r->line, "error %s: state proof bitmap at byte %u sets bits past the depth", name, (unsigned)e.at); break;
    case MOTE_E_PROOF_EMPTY_VALUE: snprintf(r->line, sizeof r->line, "error %s: the leaf value at byte %u is empty (a stored value never is)", name, (unsigned)e.at); break;
    case MOTE_E_PROOF_OTHER_IS_OWN: snprintf(r->line, sizeof r->line, "error %s: the other leaf at byte %u is the key's own: that proves presence, not absence", name, (unsigned)e.at); break;
    case MOTE_E_PROOF_OTHER_DIVERGES: snprintf(r->line, sizeof r->line, "error %s: the other leaf's path (byte %u) leaves the key's above the proof's depth", name, (unsigned)e.at); break;
    case MOTE_E_PROOF_WRONG_KEY: snprintf(r->line, sizeof r->line, "error %s: the proof at byte %u is about another state key", name, (unsigned)e.at); break;
    case MOTE_E_PROOF_ROOT_MISMATCH: snprintf(r->line, sizeof r->line, "error %s: the proof's path does not lead to the trusted state root", name); break;
    default: snprintf(r->line, sizeof r->line, "error %s: refused", name); break;
    }
    r->code = EXIT_REFUSED;
    return EXIT_REFUSED;
}

static int parse_u64(const char *v, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (!*v || *end || v[0] == '-' || v[0] == '+' || v[0] == ' ' || errno) return 0;
    *out = (uint64_t)x;
    return 1;
}

/* an integer argument: u64, or a negative i64 as its two's-complement pattern (as the ledger's values) */
static int parse_int(const char *v, uint64_t *out) {
    if (v[0] != '-') return parse_u64(v, out);
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (!v[1] || *end || errno) return 0;
    *out = (uint64_t)x;
    return 1;
}

/* The options every SDK command shares; each command says which it takes. */
typedef struct {
    const char *key_path, *function, *value_text;
    uint8_t seed[32], contract[32], root[32], genesis[32];
    int have_genesis, have_seed, have_contract, have_root, have_nonce, have_gas, have_value, have_timestamp, have_selector;
    uint64_t nonce, gas, gas_price, value, timestamp, selector;
    uint8_t *module, *sealed, *state_key;
    long module_len, sealed_len, state_key_len;
    const char *positional[MOTE_TX_MAX_ARGS + 1];
    int n_positional;
} sdk_opts;

enum { OPT_KEY = 1, OPT_SEED = 2, OPT_CONTRACT = 4, OPT_CHAIN = 8, OPT_NONCE = 16, OPT_GAS = 32, OPT_VALUE = 64,
       OPT_TIMESTAMP = 128, OPT_MODULE = 256, OPT_SEALED = 512, OPT_ROOT = 1024, OPT_STATE_KEY = 2048, OPT_FUNCTION = 4096,
       OPT_GAS_PRICE = 8192, OPT_SELECTOR = 16384 };

static int parse_sdk_opts(int argc, char **argv, int first, unsigned allowed, int max_positional, sdk_opts *o, result *r) {
    static uint8_t module[MOTE_TX_MAX_MODULE], sealed[1024], state_key[255];
    memset(o, 0, sizeof *o);
    const char *cmd = argv[0];
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            if (o->n_positional >= max_positional) return usage_error(r, "%s: unexpected argument '%s'", cmd, mote_quote(a));
            o->positional[o->n_positional++] = a;
            continue;
        }
        if (i + 1 >= argc) return usage_error(r, "%s needs a value", mote_quote(a));
        const char *v = argv[++i];
        unsigned opt = strcmp(a, "--key") == 0 ? OPT_KEY : strcmp(a, "--seed") == 0 ? OPT_SEED : strcmp(a, "--contract") == 0 ? OPT_CONTRACT
                     : strcmp(a, "--genesis-hash") == 0 ? OPT_CHAIN : strcmp(a, "--nonce") == 0 ? OPT_NONCE : strcmp(a, "--gas") == 0 ? OPT_GAS
                     : strcmp(a, "--gas-price") == 0 ? OPT_GAS_PRICE : strcmp(a, "--value") == 0 ? OPT_VALUE
                     : strcmp(a, "--timestamp") == 0 ? OPT_TIMESTAMP : strcmp(a, "--module") == 0 ? OPT_MODULE
                     : strcmp(a, "--sealed") == 0 ? OPT_SEALED : strcmp(a, "--root") == 0 ? OPT_ROOT
                     : strcmp(a, "--state-key") == 0 ? OPT_STATE_KEY : strcmp(a, "--function") == 0 ? OPT_FUNCTION
                     : strcmp(a, "--selector") == 0 ? OPT_SELECTOR : 0;
        if (!(opt & allowed)) return usage_error(r, "%s: unknown option '%s'", cmd, mote_quote(a));
        switch (opt) {
        case OPT_KEY: o->key_path = v; break;
        case OPT_SEED:
            if (parse_hex(v, o->seed, 32, 32) < 0) return usage_error(r, "--seed: expected 32 bytes of 0x-hex, got '%s'", mote_quote(v));
            o->have_seed = 1;
            break;
        case OPT_CONTRACT:
            if (parse_hex(v, o->contract, 32, 32) < 0) return usage_error(r, "--contract: expected 32 bytes of 0x-hex, got '%s'", mote_quote(v));
            o->have_contract = 1;
            break;
        case OPT_ROOT:
            if (parse_hex(v, o->root, 32, 32) < 0) return usage_error(r, "--root: expected 32 bytes of 0x-hex, got '%s'", mote_quote(v));
            o->have_root = 1;
            break;
        case OPT_CHAIN:
            if (parse_hex(v, o->genesis, 32, 32) < 0) return usage_error(r, "--genesis-hash: expected 32 bytes of 0x-hex, got '%s'", mote_quote(v));
            o->have_genesis = 1;
            break;
        case OPT_FUNCTION: o->function = v; break;
        case OPT_NONCE:
            if (!parse_u64(v, &o->nonce)) return usage_error(r, "--nonce: expected a u64, got '%s'", mote_quote(v));
            o->have_nonce = 1;
            break;
        case OPT_GAS:
            if (!parse_u64(v, &o->gas) || o->gas > UINT32_MAX) return usage_error(r, "--gas: expected a u32, got '%s'", mote_quote(v));
            o->have_gas = 1;
            break;
        case OPT_GAS_PRICE:
            if (!parse_u64(v, &o->gas_price)) return usage_error(r, "--gas-price: expected a u64, got '%s'", mote_quote(v));
            break;
        case OPT_SELECTOR:
            if (!parse_u64(v, &o->selector) || o->selector > UINT32_MAX) return usage_error(r, "--selector: expected a u32, got '%s'", mote_quote(v));
            o->have_selector = 1;
            break;
        case OPT_VALUE: /* a reading's value is a Q47.16 i64, a transaction's a u64: each command parses it */
            o->value_text = v;
            o->have_value = 1;
            break;
        case OPT_TIMESTAMP:
            if (!parse_u64(v, &o->timestamp)) return usage_error(r, "--timestamp: expected a u64, got '%s'", mote_quote(v));
            o->have_timestamp = 1;
            break;
        case OPT_MODULE:
            if ((o->module_len = parse_hex(v, module, sizeof module, 0)) < 0) return usage_error(r, "--module: expected 0x-hex of at most %u bytes, got '%s'", (unsigned)sizeof module, mote_quote(v));
            o->module = module;
            break;
        case OPT_SEALED:
            if ((o->sealed_len = parse_hex(v, sealed, sizeof sealed, 0)) < 0) return usage_error(r, "--sealed: expected 0x-hex of at most %u bytes, got '%s'", (unsigned)sizeof sealed, mote_quote(v));
            o->sealed = sealed;
            break;
        case OPT_STATE_KEY:
            if ((o->state_key_len = parse_hex(v, state_key, sizeof state_key, 0)) < 0) return usage_error(r, "--state-key: expected 0x-hex of at most 255 bytes, got '%s'", mote_quote(v));
            o->state_key = state_key;
            break;
        }
    }
    return 0;
}

/* The device a command acts as: the key file's (nonces tracked), or a seed's (tests: nothing stored). */
static int open_device(sdk_opts *o, mote_device *d, mote_host_storage *store, mote_platform *plat, result *r) {
    if (!!o->key_path == o->have_seed) return usage_error(r, "%s: one of --key FILE or --seed HEX", "key");
    if (o->have_seed) {
        mote_device_from_seed(d, o->seed);
        return 0;
    }
    store->key_path = o->key_path;
    *plat = mote_host_platform(store);
    mote_err e;
    if (mote_device_open(d, plat, &e) != MOTE_OK) return sdk_error(r, e, store);
    return 0;
}

static int cmd_identity(int argc, char **argv, result *r) {
    sdk_opts o;
    int pub = strcmp(argv[0], "pubkey") == 0;
    if (parse_sdk_opts(argc, argv, 1, OPT_KEY | (pub ? OPT_SEED : 0), 0, &o, r)) return r->code;
    if (pub && o.have_seed && !o.key_path) { /* the public key of a seed: vectors */
        mote_device d;
        mote_device_from_seed(&d, o.seed);
        put_hex(r, "ok ", d.public_key, 32);
        mote_device_close(&d);
        r->code = 0;
        return 0;
    }
    if (!o.key_path || o.have_seed) return usage_error(r, "%s: --key FILE is required", argv[0]);
    mote_host_storage store = {.key_path = o.key_path};
    mote_platform plat = mote_host_platform(&store);
    mote_device d;
    mote_err e;
    mote_status st = strcmp(argv[0], "keygen") == 0 ? mote_device_keygen(&d, &plat, &e) : mote_device_open(&d, &plat, &e);
    if (st != MOTE_OK) return sdk_error(r, e, &store);
    if (strcmp(argv[0], "nonce") == 0) snprintf(r->line, sizeof r->line, "ok %llu %llu", (unsigned long long)d.tx_nonce, (unsigned long long)d.reading_nonce);
    else put_hex(r, "ok ", d.public_key, 32);
    mote_device_close(&d);
    r->code = 0;
    return 0;
}

static int cmd_sign_reading(int argc, char **argv, result *r) {
    sdk_opts o;
    if (parse_sdk_opts(argc, argv, 1, OPT_KEY | OPT_SEED | OPT_CONTRACT | OPT_VALUE | OPT_TIMESTAMP | OPT_NONCE | OPT_SEALED, 0, &o, r)) return r->code;
    if (o.have_value && !parse_int(o.value_text, &o.value)) return usage_error(r, "--value: expected a fixed Q47.16 value as an i64, got '%s'", mote_quote(o.value_text));
    if (!o.have_contract || !o.have_value || !o.have_timestamp) return usage_error(r, "sign-reading: --contract, --value and --timestamp are required");
    if (o.have_seed && !o.have_nonce) return usage_error(r, "sign-reading: --seed needs --nonce (nothing is stored)");
    mote_device d;
    mote_host_storage store = {0};
    mote_platform plat;
    if (open_device(&o, &d, &store, &plat, r)) return r->code;
    mote_reading rd = {.value = (int64_t)o.value, .timestamp = o.timestamp, .nonce = o.nonce, .sealed = o.sealed, .sealed_len = (size_t)o.sealed_len};
    memcpy(rd.contract, o.contract, 32);
    uint8_t sig[64];
    mote_err e;
    mote_status st = o.have_nonce ? mote_reading_sign(&d, &rd, sig, &e) : mote_device_sign_reading(&d, &rd, sig, &e);
    mote_device_close(&d);
    if (st != MOTE_OK) return sdk_error(r, e, &store);
    /* the nonce is printed when the device chose it; a caller who gave --nonce gets the signature alone */
    char prefix[40];
    if (o.have_nonce) snprintf(prefix, sizeof prefix, "ok ");
    else snprintf(prefix, sizeof prefix, "ok %llu ", (unsigned long long)rd.nonce);
    put_hex(r, prefix, sig, 64);
    r->code = 0;
    return 0;
}

static int cmd_tx(int argc, char **argv, result *r) {
    /* one argument and one byte more than the limits, so the SDK (not the CLI) refuses them */
    static uint8_t out[TX_CAP], argbuf[MOTE_TX_MAX_ARGS + 1][MOTE_TX_MAX_BYTES_ARG + 1];
    if (argc < 2 || (strcmp(argv[1], "deploy") != 0 && strcmp(argv[1], "call") != 0)) return usage_error(r, "tx: deploy or call");
    int deploy = strcmp(argv[1], "deploy") == 0;
    sdk_opts o;
    unsigned allowed = OPT_KEY | OPT_SEED | OPT_CHAIN | OPT_GAS | OPT_GAS_PRICE | OPT_VALUE | OPT_NONCE | (deploy ? OPT_MODULE : OPT_CONTRACT | OPT_FUNCTION | OPT_SELECTOR);
    if (parse_sdk_opts(argc, argv, 2, allowed, MOTE_TX_MAX_ARGS + 1, &o, r)) return r->code;
    if (!o.have_genesis || !o.have_gas) return usage_error(r, "tx %s: --genesis-hash and --gas are required", argv[1]);
    if (deploy && !o.module) return usage_error(r, "tx deploy: --module HEX is required");
    if (!deploy && (!o.have_contract || !o.function == !o.have_selector)) return usage_error(r, "tx call: --contract and one of --function or --selector are required");
    if (o.have_seed && !o.have_nonce) return usage_error(r, "tx: --seed needs --nonce (nothing is stored)");
    mote_value args[MOTE_TX_MAX_ARGS + 1];
    for (int i = 0; i < o.n_positional; i++) {
        const char *a = o.positional[i];
        memset(&args[i], 0, sizeof args[i]);
        if (a[0] == '0' && a[1] == 'x') {
            long n = parse_hex(a, argbuf[i], sizeof argbuf[i], 0);
            if (n < 0) return usage_error(r, "argument %d: expected 0x-hex of at most %u bytes, got '%s'", i, MOTE_TX_MAX_BYTES_ARG + 1, mote_quote(a));
            args[i] = (mote_value){.tag = MOTE_VALUE_BYTES, .bytes = argbuf[i], .len = (uint16_t)n};
        } else {
            uint64_t v;
            if (!parse_int(a, &v)) return usage_error(r, "argument %d: expected an integer or 0x-hex bytes, got '%s'", i, mote_quote(a));
            args[i] = (mote_value){.tag = MOTE_VALUE_INT, .i = v};
        }
    }
    if (o.have_value && !parse_u64(o.value_text, &o.value)) return usage_error(r, "--value: a transaction's value is a u64, got '%s'", mote_quote(o.value_text));
    mote_tx tx = {.kind = deploy ? MOTE_TX_DEPLOY : MOTE_TX_CALL, .gas_limit = (uint32_t)o.gas, .gas_price = o.gas_price,
                  .value = o.value, .module = o.module, .module_len = (uint16_t)o.module_len, .args = args, .n_args = (uint8_t)o.n_positional};
    memcpy(tx.genesis_hash, o.genesis, 32);
    if (!deploy) {
        memcpy(tx.contract, o.contract, 32);
        tx.selector = o.function ? mote_selector(o.function) : (uint32_t)o.selector;
    }
    mote_device d;
    mote_host_storage store = {0};
    mote_platform plat;
    if (open_device(&o, &d, &store, &plat, r)) return r->code;
    size_t len;
    mote_err e;
    mote_status st = o.have_nonce ? mote_tx_sign(&d, &tx, o.nonce, out, sizeof out, &len, NULL, &e) : mote_device_sign_tx(&d, &tx, out, sizeof out, &len, NULL, &e);
    mote_device_close(&d);
    if (st != MOTE_OK) return sdk_error(r, e, &store);
    put_hex(r, "ok ", out, len);
    r->code = 0;
    return 0;
}

/* Any device message (a supply-chain handoff, a contract's own payload): the device domain over it. */
static int cmd_sign_message(int argc, char **argv, result *r) {
    sdk_opts o;
    if (parse_sdk_opts(argc, argv, 1, OPT_KEY | OPT_SEED | OPT_CONTRACT | OPT_FUNCTION | OPT_SELECTOR, 1, &o, r)) return r->code;
    if (!o.have_contract || !o.function == !o.have_selector || o.n_positional != 1)
        return usage_error(r, "sign-message: --contract, one of --function or --selector, and PAYLOAD_HEX are required");
    uint8_t payload[MOTE_DEVICE_MSG_MAX_PAYLOAD + 1]; /* one byte more than the SDK takes, so the SDK refuses it */
    long n = parse_hex(o.positional[0], payload, sizeof payload, 0);
    if (n < 0) return usage_error(r, "PAYLOAD_HEX: expected 0x-hex of at most %u bytes, got '%s'", (unsigned)sizeof payload, mote_quote(o.positional[0]));
    mote_device d;
    mote_host_storage store = {0};
    mote_platform plat;
    if (open_device(&o, &d, &store, &plat, r)) return r->code;
    uint8_t sig[64];
    mote_err e;
    mote_status st = mote_device_message_sign(&d, o.contract, o.function ? mote_selector(o.function) : (uint32_t)o.selector, payload, (size_t)n, sig, &e);
    mote_device_close(&d);
    if (st != MOTE_OK) return sdk_error(r, e, &store);
    put_hex(r, "ok ", sig, 64);
    r->code = 0;
    return 0;
}

/* A reading and the call transaction that submits it (Attestation.submit), signed in one step as a device
 * does: the reading nonce and then the transaction nonce are each stored before they are used. */
static int cmd_submit_reading(int argc, char **argv, result *r) {
    static uint8_t out[MOTE_TX_SIGN_CAP(512)];
    sdk_opts o;
    if (parse_sdk_opts(argc, argv, 1, OPT_KEY | OPT_CHAIN | OPT_GAS | OPT_GAS_PRICE | OPT_CONTRACT | OPT_VALUE | OPT_TIMESTAMP, 0, &o, r)) return r->code;
    if (!o.key_path || !o.have_genesis || !o.have_gas || !o.have_contract || !o.have_value || !o.have_timestamp)
        return usage_error(r, "submit-reading: --key, --genesis-hash, --gas, --contract, --value and --timestamp are required");
    if (!parse_int(o.value_text, &o.value)) return usage_error(r, "--value: expected a fixed Q47.16 value as an i64, got '%s'", mote_quote(o.value_text));
    mote_device d;
    mote_host_storage store = {0};
    mote_platform plat;
    if (open_device(&o, &d, &store, &plat, r)) return r->code;
    mote_reading rd = {.value = (int64_t)o.value, .timestamp = o.timestamp};
    memcpy(rd.contract, o.contract, 32);
    uint8_t sig[64];
    mote_value args[5];
    mote_err e;
    size_t len = 0;
    mote_status st = mote_device_sign_reading(&d, &rd, sig, &e);
    if (st == MOTE_OK) {
        mote_reading_args(&d, &rd, sig, args);
        mote_tx tx = {.kind = MOTE_TX_CALL, .gas_limit = (uint32_t)o.gas, .gas_price = o.gas_price,
                      .selector = mote_selector("submit"), .args = args, .n_args = 5};
        memcpy(tx.contract, o.contract, 32);
        memcpy(tx.genesis_hash, o.genesis, 32);
        st = mote_device_sign_tx(&d, &tx, out, sizeof out, &len, NULL, &e);
    }
    mote_device_close(&d);
    if (st != MOTE_OK) return sdk_error(r, e, &store);
    char prefix[40];
    snprintf(prefix, sizeof prefix, "ok %llu ", (unsigned long long)rd.nonce);
    put_hex(r, prefix, out, len);
    r->code = 0;
    return 0;
}

static int cmd_verify_proof(int argc, char **argv, result *r) {
    static uint8_t proof[MOTE_TX_MAX_BYTES_ARG * 16];
    int sync = strcmp(argv[0], "sync-nonce") == 0;
    sdk_opts o;
    if (parse_sdk_opts(argc, argv, 1, OPT_ROOT | (sync ? OPT_KEY : OPT_STATE_KEY), 1, &o, r)) return r->code;
    if (!o.have_root || o.n_positional != 1 || (sync ? !o.key_path : !o.state_key))
        return usage_error(r, sync ? "sync-nonce: --key, --root and PROOF_HEX are required" : "verify-proof: --root, --state-key and PROOF_HEX are required");
    long n = parse_hex(o.positional[0], proof, sizeof proof, 0);
    if (n < 0) return usage_error(r, "PROOF_HEX: expected 0x-hex of at most %u bytes, got '%s'", (unsigned)sizeof proof, mote_quote(o.positional[0]));
    mote_err e;
    if (sync) {
        mote_device d;
        mote_host_storage store = {0};
        mote_platform plat;
        if (open_device(&o, &d, &store, &plat, r)) return r->code;
        mote_status st = mote_device_sync_nonce(&d, o.root, proof, (size_t)n, &e);
        uint64_t nonce = d.tx_nonce;
        mote_device_close(&d);
        if (st != MOTE_OK) return sdk_error(r, e, &store);
        snprintf(r->line, sizeof r->line, "ok %llu", (unsigned long long)nonce);
    } else {
        const uint8_t *value;
        size_t vl;
        if (mote_proof_verify(o.root, o.state_key, (size_t)o.state_key_len, proof, (size_t)n, &value, &vl, &e) != MOTE_OK) return sdk_error(r, e, NULL);
        if (value) put_hex(r, "ok value ", value, vl);
        else snprintf(r->line, sizeof r->line, "ok absent");
    }
    r->code = 0;
    return 0;
}

static int run(int argc, char **argv, result *r) {
    if (argc < 1) return usage_error(r, "a command: keygen, pubkey, nonce, sign-reading, submit-reading, sign-message, tx, verify-proof, sync-nonce, seal or open");
    const char *c = argv[0];
    if (strcmp(c, "seal") == 0 || strcmp(c, "open") == 0) return run_seal(argc, argv, r);
    if (strcmp(c, "keygen") == 0 || strcmp(c, "pubkey") == 0 || strcmp(c, "nonce") == 0) return cmd_identity(argc, argv, r);
    if (strcmp(c, "sign-reading") == 0) return cmd_sign_reading(argc, argv, r);
    if (strcmp(c, "submit-reading") == 0) return cmd_submit_reading(argc, argv, r);
    if (strcmp(c, "sign-message") == 0) return cmd_sign_message(argc, argv, r);
    if (strcmp(c, "tx") == 0) return cmd_tx(argc, argv, r);
    if (strcmp(c, "verify-proof") == 0 || strcmp(c, "sync-nonce") == 0) return cmd_verify_proof(argc, argv, r);
    return usage_error(r, "unknown command '%s' (keygen, pubkey, nonce, sign-reading, submit-reading, sign-message, tx, verify-proof, sync-nonce, seal, open)", mote_quote(c));
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
        fputs("usage: mote-device keygen --key FILE | pubkey --key FILE | nonce --key FILE\n"
              "       mote-device sign-reading KEY --contract HEX --value RAW --timestamp N [--nonce N] [--sealed HEX]\n"
              "       mote-device sign-message KEY --contract HEX (--function NAME | --selector N) PAYLOAD_HEX\n"
              "       mote-device submit-reading --key FILE --genesis-hash HEX32 --gas N [--gas-price N] --contract HEX --value RAW --timestamp N\n"
              "       mote-device tx deploy KEY --genesis-hash HEX32 --gas N [--gas-price N] [--value N] [--nonce N] --module HEX [ARG...]\n"
              "       mote-device tx call KEY --genesis-hash HEX32 --gas N [--gas-price N] [--value N] [--nonce N] --contract HEX (--function NAME | --selector N) [ARG...]\n"
              "       mote-device verify-proof --root HEX --state-key HEX PROOF_HEX\n"
              "       mote-device sync-nonce --key FILE --root HEX PROOF_HEX\n"
              "       (KEY: --key FILE, or --seed HEX for tests; ARG: an integer or 0x-hex bytes)\n"
              "       mote-device seal --chain ID --contract HEX --device HEX --seq N --reader HEX [--reader HEX...] [--random HEX] PAYLOAD_HEX\n"
              "       mote-device open --chain ID --contract HEX --device HEX --seq N --secret HEX SEALED_HEX\n"
              "       mote-device --batch FILE|-\n",
              argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    int code = run(argc - 1, argv + 1, &r);
    if (code == 0) puts(r.line + 3); /* without "ok " */
    else print_escaped(stderr, "mote-device: ", r.line + 6); /* without "error " */
    return code;
}
