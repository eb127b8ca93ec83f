/* bench/rv32/sdk_main.c: the device SDK alone (mote_sdk.h: no VM, no sealing) on RV32IMC under QEMU
 * -icount shift=0, driven the way a firmware drives it, through platform hooks (here RAM stands in for
 * NVS and the case's seed for esp_fill_random): keygen, recovering the transaction nonce from a proof
 * of the account entry, signing the next reading, signing the call transaction that submits it, and
 * verifying a state proof, and the light client's check of a 4-validator CometBFT commit (mote_light.h: nanopb
 * decoding, header and validator-set hashes, canonical votes, Ed25519, > 2/3 of the power). It prints the retired instructions of each, the native stack reached
 * (painted before and read right after each operation, so printf never counts) and the heap (none),
 * and every answer, which bench/rv32/sdk.ts checks against ledger/ before it reports any figure. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "memprof.h"
#include "mote_light.h"
#include "mote_sdk.h"
#include "rv32_instret.h"
#include "sdk_case.h"

#define STACK_PAINT_BYTES (16 * 1024)

/* -- the platform: RAM items, and the case's seed as the RNG's output (a bench only!) ---------------- */
typedef struct {
    const char *name;
    uint8_t bytes[32];
    long len; /* MOTE_STORE_ABSENT until written */
} ram_item;
static ram_item items[] = {{MOTE_ITEM_KEY, {0}, MOTE_STORE_ABSENT}, {MOTE_ITEM_TX_NONCE, {0}, MOTE_STORE_ABSENT}, {MOTE_ITEM_READING_NONCE, {0}, MOTE_STORE_ABSENT}};

static ram_item *item(const char *name) {
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        if (strcmp(items[i].name, name) == 0) return &items[i];
    return NULL;
}
static int ram_random(void *ctx, uint8_t *buf, size_t n) {
    (void)ctx;
    if (n > 32) return -1;
    memcpy(buf, sdk_seed, n);
    return 0;
}
static long ram_load(void *ctx, const char *name, uint8_t *buf, size_t cap) {
    (void)ctx;
    ram_item *it = item(name);
    if (!it) return MOTE_STORE_FAILED;
    if (it->len < 0) return MOTE_STORE_ABSENT;
    if ((size_t)it->len > cap) return MOTE_STORE_FAILED;
    memcpy(buf, it->bytes, (size_t)it->len);
    return it->len;
}
static long ram_save(void *ctx, const char *name, const uint8_t *buf, size_t len, int create_only) {
    (void)ctx;
    ram_item *it = item(name);
    if (!it || len > sizeof it->bytes) return MOTE_STORE_FAILED;
    if (create_only && it->len >= 0) return MOTE_STORE_EXISTS;
    memcpy(it->bytes, buf, len);
    it->len = (long)len;
    return 0;
}
static const mote_platform platform = {NULL, ram_random, ram_load, ram_save};

static uint8_t tx_out[MOTE_TX_SIGN_CAP(512)];
/* the decoded validator set and signed header: static, as a device places them (counted as RAM) */
static mote_light_work light_work;

static void print_hex(const uint8_t *b, size_t n) {
    printf("0x");
    for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
}

static size_t stack_peak;
#define MEASURED(t0, t1, call)                      \
    do {                                            \
        memprof_stack_paint(STACK_PAINT_BYTES);     \
        t0 = rv32_instret();                        \
        call;                                       \
        t1 = rv32_instret();                        \
        size_t used_ = memprof_stack_used();        \
        if (used_ > stack_peak) stack_peak = used_; \
    } while (0)

static int failed(const char *what, mote_err e) {
    printf("error %s: %s at %u\n", what, mote_status_name(e.code), (unsigned)e.at);
    return 1;
}

int main(void) {
    memprof_reset_peak();
    /* a device that has signed readings before: its last reading nonce survives in storage */
    uint8_t last[8];
    for (int i = 0; i < 8; i++) last[i] = (uint8_t)((sdk_reading_nonce - 1) >> (8 * i));
    ram_save(NULL, MOTE_ITEM_READING_NONCE, last, 8, 0);

    mote_device d;
    mote_err e;
    mote_status st;
    uint64_t t0, t1;
    MEASURED(t0, t1, st = mote_device_keygen(&d, &platform, &e));
    if (st != MOTE_OK) return failed("keygen", e);
    printf("keygen instret=%" PRIu64 " public=", t1 - t0);
    print_hex(d.public_key, 32);
    printf("\n");

    MEASURED(t0, t1, st = mote_device_sync_nonce(&d, sdk_root, sdk_account_proof, sdk_account_proof_len, &e));
    if (st != MOTE_OK) return failed("sync", e);
    printf("sync instret=%" PRIu64 " nonce=%" PRIu64 "\n", t1 - t0, d.tx_nonce);

    mote_reading rd = {.value = sdk_reading_value, .timestamp = sdk_reading_timestamp};
    memcpy(rd.contract, sdk_contract, 32);
    uint8_t sig[64];
    MEASURED(t0, t1, st = mote_device_sign_reading(&d, &rd, sig, &e));
    if (st != MOTE_OK) return failed("reading", e);
    printf("reading instret=%" PRIu64 " nonce=%" PRIu64 " signature=", t1 - t0, rd.nonce);
    print_hex(sig, 64);
    printf("\n");

    mote_value args[5];
    mote_reading_args(&d, &rd, sig, args);
    mote_tx tx = {.kind = MOTE_TX_CALL, .gas_limit = sdk_gas, .selector = sdk_selector, .args = args, .n_args = 5};
    memcpy(tx.contract, sdk_contract, 32);
    memcpy(tx.genesis_hash, sdk_genesis, 32);
    size_t len;
    uint8_t id[32];
    MEASURED(t0, t1, st = mote_device_sign_tx(&d, &tx, tx_out, sizeof tx_out, &len, id, &e));
    if (st != MOTE_OK) return failed("tx", e);
    printf("tx instret=%" PRIu64 " bytes=", t1 - t0);
    print_hex(tx_out, len);
    printf("\n");

    const uint8_t *value;
    size_t vl;
    MEASURED(t0, t1, st = mote_proof_verify(sdk_root, sdk_key, sdk_key_len, sdk_proof, sdk_proof_len, &value, &vl, &e));
    if (st != MOTE_OK) return failed("proof", e);
    printf("proof instret=%" PRIu64 " depth=%u value=", t1 - t0, (unsigned)sdk_proof_depth);
    print_hex(value, vl);
    printf("\n");
    mote_light_verified lv;
    int lrc;
    MEASURED(t0, t1, lrc = mote_light_verify_commit(&light_work, sdk_valset, sdk_valset_len, sdk_signed_header, sdk_signed_header_len, sdk_chain_id, &lv));
    if (lrc != MOTE_LIGHT_OK) {
        printf("error commit: %s: %s\n", mote_light_error_name(lrc), lv.detail);
        return 1;
    }
    printf("commit instret=%" PRIu64 " height=%lld signers=%u validators=%u power=%llu/%llu block_hash=", t1 - t0, (long long)lv.height, (unsigned)lv.signers,
           (unsigned)lv.validators, (unsigned long long)lv.signed_power, (unsigned long long)lv.total_power);
    print_hex(lv.block_hash, 32);
    printf("\n");
    /* what a device calls to believe a value (mote_light_verify_state): the commit check, then a state proof
     * against the verified app hash. The recorded chain's state is not the bench's, so the bench's proof must
     * be refused as one for another root: the wrapper's code is linked and counted, and its answer checked. */
    MEASURED(t0, t1, lrc = mote_light_verify_state(&light_work, sdk_valset, sdk_valset_len, sdk_signed_header, sdk_signed_header_len, sdk_chain_id,
                                                   sdk_key, sdk_key_len, sdk_proof, sdk_proof_len, &value, &vl, &lv));
    printf("state instret=%" PRIu64 " rc=%s\n", t1 - t0, mote_light_error_name(lrc));
    printf("light work=%u\n", (unsigned)sizeof light_work);
    mote_device_close(&d);
    printf("mem stack=%u heap=%u\n", (unsigned)stack_peak, (unsigned)memprof.peak);
    printf("done\n");
    return 0;
}
