/* The device SDK's identity and nonces: an Ed25519 key (Monocypher) drawn from the platform RNG and kept
 * in the platform storage, and the transaction and reading nonces stored before each use. */
#include "mote_sdk.h"

#include <string.h>

#include "monocypher.h"
#include "monocypher-ed25519.h"

/* The names in status order, each ended by its NUL: one string rather than a table of pointers (flash). */
static const char STATUS_NAMES[] =
    "ok\0argument\0no_room\0random\0storage\0no_key\0key_exists\0key_format\0nonce_format\0"
    "nonce_exhausted\0proof_truncated\0proof_trailing\0proof_version\0proof_end_kind\0proof_depth\0"
    "proof_bitmap\0proof_empty_value\0proof_other_is_own\0proof_other_diverges\0proof_wrong_key\0"
    "proof_root_mismatch";

const char *mote_status_name(mote_status s) {
    if ((unsigned)s >= MOTE_STATUS_COUNT) return "unknown";
    const char *p = STATUS_NAMES;
    for (unsigned i = 0; i < (unsigned)s; i++) p += strlen(p) + 1;
    return p;
}

static mote_status fail(mote_err *err, mote_status code, uint32_t at) {
    if (err) {
        err->code = code;
        err->at = at;
    }
    return code;
}

static void put_u64(uint8_t b[8], uint64_t v) {
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t b[8]) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | b[i];
    return v;
}

void mote_device_from_seed(mote_device *d, const uint8_t seed[32]) {
    uint8_t s[32];
    memcpy(s, seed, 32);
    memset(d, 0, sizeof *d);
    crypto_ed25519_key_pair(d->secret, d->public_key, s); /* wipes s */
}

void mote_device_close(mote_device *d) {
    crypto_wipe(d, sizeof *d);
}

/* A stored nonce: absent is 0, anything but 8 bytes is refused rather than guessed. */
static mote_status load_nonce(const mote_platform *p, const char *name, uint64_t *out, mote_err *err) {
    uint8_t b[8];
    long n = p->load(p->ctx, name, b, sizeof b);
    if (n == MOTE_STORE_ABSENT) {
        *out = 0;
        return MOTE_OK;
    }
    if (n < 0) return fail(err, MOTE_E_STORAGE, 0);
    if (n != 8) return fail(err, MOTE_E_NONCE_FORMAT, (uint32_t)n);
    *out = get_u64(b);
    return MOTE_OK;
}

static mote_status save_nonce(const mote_platform *p, const char *name, uint64_t v, mote_err *err) {
    uint8_t b[8];
    put_u64(b, v);
    return p->save(p->ctx, name, b, 8, 0) == 0 ? MOTE_OK : fail(err, MOTE_E_STORAGE, 0);
}

mote_status mote_device_open(mote_device *d, const mote_platform *p, mote_err *err) {
    uint8_t seed[32];
    memset(d, 0, sizeof *d);
    long n = p->load(p->ctx, MOTE_ITEM_KEY, seed, sizeof seed);
    if (n == MOTE_STORE_ABSENT) return fail(err, MOTE_E_NO_KEY, 0);
    if (n == MOTE_STORE_FAILED) return fail(err, MOTE_E_STORAGE, 0);
    if (n != 32) {
        crypto_wipe(seed, sizeof seed);
        return fail(err, MOTE_E_KEY_FORMAT, n < 0 ? 0 : (uint32_t)n);
    }
    mote_device_from_seed(d, seed);
    crypto_wipe(seed, sizeof seed);
    d->platform = p;
    mote_status st = load_nonce(p, MOTE_ITEM_TX_NONCE, &d->tx_nonce, err);
    if (st == MOTE_OK) st = load_nonce(p, MOTE_ITEM_READING_NONCE, &d->reading_nonce, err);
    if (st != MOTE_OK) mote_device_close(d);
    return st;
}

mote_status mote_device_keygen(mote_device *d, const mote_platform *p, mote_err *err) {
    uint8_t seed[32];
    if (p->random(p->ctx, seed, sizeof seed) != 0) return fail(err, MOTE_E_RANDOM, 0);
    long r = p->save(p->ctx, MOTE_ITEM_KEY, seed, sizeof seed, 1);
    crypto_wipe(seed, sizeof seed);
    if (r == MOTE_STORE_EXISTS) return fail(err, MOTE_E_KEY_EXISTS, 0);
    if (r != 0) return fail(err, MOTE_E_STORAGE, 0);
    return mote_device_open(d, p, err);
}

mote_status mote_device_sign_tx(mote_device *d, const mote_tx *tx, uint8_t *out, size_t cap, size_t *out_len,
                                uint8_t id[32], mote_err *err) {
    if (d->tx_nonce == UINT64_MAX) return fail(err, MOTE_E_NONCE_EXHAUSTED, 0);
    /* encode first (a refused transaction uses no nonce), then store the next nonce, then hand it out */
    mote_status st = mote_tx_sign(d, tx, d->tx_nonce, out, cap, out_len, id, err);
    if (st != MOTE_OK) return st;
    if (d->platform && (st = save_nonce(d->platform, MOTE_ITEM_TX_NONCE, d->tx_nonce + 1, err)) != MOTE_OK) {
        crypto_wipe(out, cap);
        *out_len = 0;
        return st;
    }
    d->tx_nonce++;
    return MOTE_OK;
}

mote_status mote_device_sign_reading(mote_device *d, mote_reading *r, uint8_t sig[64], mote_err *err) {
    if (d->reading_nonce == UINT64_MAX) return fail(err, MOTE_E_NONCE_EXHAUSTED, 0);
    uint64_t next = d->reading_nonce + 1; /* the attestation wants nonces > the last; gaps are allowed */
    if (d->platform) {
        mote_status st = save_nonce(d->platform, MOTE_ITEM_READING_NONCE, next, err);
        if (st != MOTE_OK) return st;
    }
    d->reading_nonce = next;
    r->nonce = next;
    return mote_reading_sign(d, r, sig, err);
}

void mote_account_key(const uint8_t public_key[32], uint8_t out[MOTE_ACCOUNT_KEY_BYTES]) {
    out[0] = 0x01;
    memcpy(out + 1, public_key, 32);
}

mote_status mote_device_sync_nonce(mote_device *d, const uint8_t root[32], const uint8_t *proof, size_t proof_len,
                                   mote_err *err) {
    uint8_t key[MOTE_ACCOUNT_KEY_BYTES];
    mote_account_key(d->public_key, key);
    const uint8_t *value;
    size_t len;
    mote_status st = mote_proof_verify(root, key, sizeof key, proof, proof_len, &value, &len, err);
    if (st != MOTE_OK) return st;
    uint64_t chain = 0;
    if (value) {
        if (len != 8) return fail(err, MOTE_E_NONCE_FORMAT, (uint32_t)len);
        chain = get_u64(value);
    }
    if (d->platform && (st = save_nonce(d->platform, MOTE_ITEM_TX_NONCE, chain, err)) != MOTE_OK) return st;
    d->tx_nonce = chain;
    return MOTE_OK;
}
