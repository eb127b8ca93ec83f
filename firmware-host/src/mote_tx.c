/* The device SDK's transactions and readings: ledger/tx.ts's canonical encoding, signed over the domain
 * tag and every other byte, and the reading message contracts/sensor_attestation.mote verifies.
 * test/vectors/device.json proves both byte-identical to the TypeScript side. */
#include <string.h>

#include "monocypher.h"
#include "monocypher-ed25519.h"
#include "mote_crypto.h"
#include "mote_sdk.h"
#include "mote_spec.h"

/* The header's copies of the spec's limits must be the spec's. */
_Static_assert(MOTE_TX_MAX_GAS == MOTE_MAX_GAS, "MOTE_TX_MAX_GAS differs from vm/spec/limits.ts");
_Static_assert(MOTE_TX_MAX_MODULE == MOTE_MODULE_MAX_BYTES, "MOTE_TX_MAX_MODULE differs from vm/spec/limits.ts");
_Static_assert(MOTE_TX_MAX_ARGS == MOTE_MAX_PARAMS, "MOTE_TX_MAX_ARGS differs from vm/spec/limits.ts");
_Static_assert(MOTE_TX_MAX_BYTES_ARG == MOTE_MAX_BYTES_LEN, "MOTE_TX_MAX_BYTES_ARG differs from vm/spec/limits.ts");
_Static_assert(MOTE_VALUE_INT == MOTE_TAG_INT && MOTE_VALUE_BYTES == MOTE_TAG_BYTES, "value tags differ from vm/spec/format.ts");

static mote_status fail(mote_err *err, mote_status code, uint32_t at) {
    if (err) {
        err->code = code;
        err->at = at;
    }
    return code;
}

/* A bounded little-endian writer: past cap it only counts, and the caller reports MOTE_E_NO_ROOM. */
typedef struct {
    uint8_t *b;
    size_t cap, n;
} writer;

static void w_bytes(writer *w, const void *p, size_t n) {
    if (w->n + n <= w->cap && n) memcpy(w->b + w->n, p, n);
    w->n += n;
}
static void w_le(writer *w, uint64_t v, int bytes) {
    uint8_t b[8];
    for (int i = 0; i < bytes; i++) b[i] = (uint8_t)(v >> (8 * i));
    w_bytes(w, b, (size_t)bytes);
}

/* ledger/tx.ts TX_SIGN_DOMAIN: the bytes signed before the unsigned transaction. The one place that
 * says what a transaction signature is bound to. */
static const char TX_SIGN_DOMAIN[] = "mote/tx/v3"; /* with its NUL: 11 bytes */
static size_t tx_sign_prefix(uint8_t *out) {
    memcpy(out, TX_SIGN_DOMAIN, sizeof TX_SIGN_DOMAIN);
    return sizeof TX_SIGN_DOMAIN;
}
_Static_assert(sizeof TX_SIGN_DOMAIN <= MOTE_TX_SIGN_PREFIX_MAX, "the signing prefix outgrew MOTE_TX_SIGN_PREFIX_MAX");

static mote_status encode_unsigned(const mote_tx *tx, const uint8_t sender[32], uint64_t nonce, writer *w, mote_err *err) {
    if (tx->kind != MOTE_TX_DEPLOY && tx->kind != MOTE_TX_CALL) return fail(err, MOTE_E_ARGUMENT, MOTE_FIELD_KIND);
    if (tx->gas_limit < 1 || tx->gas_limit > MOTE_TX_MAX_GAS) return fail(err, MOTE_E_ARGUMENT, MOTE_FIELD_GAS_LIMIT);
    if (tx->n_args > MOTE_TX_MAX_ARGS || (tx->n_args && !tx->args)) return fail(err, MOTE_E_ARGUMENT, MOTE_FIELD_ARGS);
    w_le(w, MOTE_TX_VERSION, 1);
    w_le(w, tx->kind, 1);
    w_bytes(w, tx->genesis_hash, 32);
    w_bytes(w, sender, 32);
    w_le(w, nonce, 8);
    w_le(w, tx->gas_limit, 4);
    w_le(w, tx->gas_price, 8);
    w_le(w, tx->value, 8);
    if (tx->kind == MOTE_TX_DEPLOY) {
        if (!tx->module || tx->module_len < 1 || tx->module_len > MOTE_TX_MAX_MODULE) return fail(err, MOTE_E_ARGUMENT, MOTE_FIELD_MODULE);
        w_le(w, tx->module_len, 2);
        w_bytes(w, tx->module, tx->module_len);
    } else {
        w_bytes(w, tx->contract, 32);
        w_le(w, tx->selector, 4);
    }
    w_le(w, tx->n_args, 1);
    for (unsigned i = 0; i < tx->n_args; i++) {
        const mote_value *v = &tx->args[i];
        if (v->tag == MOTE_VALUE_INT) {
            w_le(w, MOTE_VALUE_INT, 1);
            w_le(w, v->i, 8);
        } else if (v->tag == MOTE_VALUE_BYTES) {
            if (v->len > MOTE_TX_MAX_BYTES_ARG || (v->len && !v->bytes)) return fail(err, MOTE_E_ARGUMENT, MOTE_FIELD_ARG_LENGTH);
            w_le(w, MOTE_VALUE_BYTES, 1);
            w_le(w, v->len, 2);
            w_bytes(w, v->bytes, v->len);
        } else return fail(err, MOTE_E_ARGUMENT, MOTE_FIELD_ARG_TAG);
    }
    return MOTE_OK;
}

mote_status mote_tx_sign(const mote_device *d, const mote_tx *tx, uint64_t nonce, uint8_t *out, size_t cap,
                         size_t *out_len, uint8_t id[32], mote_err *err) {
    *out_len = 0;
    uint8_t prefix[MOTE_TX_SIGN_PREFIX_MAX];
    size_t pl = tx_sign_prefix(prefix);
    /* The signed message (prefix || unsigned) is built in place at the start of out, signed, then the
     * unsigned bytes slide down over the prefix and the signature follows them. */
    writer w = {out, cap, 0};
    w_bytes(&w, prefix, pl);
    mote_status st = encode_unsigned(tx, d->public_key, nonce, &w, err);
    if (st != MOTE_OK) return st;
    size_t ul = w.n - pl;
    if (w.n > cap || ul + 64 > cap) return fail(err, MOTE_E_NO_ROOM, (uint32_t)(w.n > ul + 64 ? w.n : ul + 64));
    uint8_t sig[64];
    crypto_ed25519_sign(sig, d->secret, out, w.n);
    memmove(out, out + pl, ul);
    memcpy(out + ul, sig, 64);
    *out_len = ul + 64;
    if (id) mote_sha256(out, *out_len, id);
    return MOTE_OK;
}

/* contracts/lib/device_message.mote DEVICE_TAG */
static const uint8_t DEVICE_TAG[MOTE_DEVICE_TAG_BYTES] = {'m', 'o', 't', 'e', '/', 'd', 'e', 'v', 'i', 'c', 'e', '/', 'v', '1', 0, 0};

mote_status mote_device_message_sign(const mote_device *d, const uint8_t instance[32], uint32_t selector, const uint8_t *payload,
                                     size_t len, uint8_t sig[64], mote_err *err) {
    if (len > MOTE_DEVICE_MSG_MAX_PAYLOAD || (len && !payload)) return fail(err, MOTE_E_ARGUMENT, MOTE_FIELD_PAYLOAD);
    uint8_t msg[MOTE_DEVICE_MSG_HEADER + MOTE_DEVICE_MSG_MAX_PAYLOAD];
    writer w = {msg, sizeof msg, 0};
    w_bytes(&w, DEVICE_TAG, sizeof DEVICE_TAG);
    w_bytes(&w, instance, 32);
    w_le(&w, selector, 4);
    w_bytes(&w, payload, len);
    crypto_ed25519_sign(sig, d->secret, msg, w.n);
    return MOTE_OK;
}

/* The selectors of the attestation's two reading functions: SHA-256 of the name, first 4 bytes LE (the
 * contract's SUBMIT and SUBMIT_SEALED constants; test/vectors/device.json checks them). */
#define SELECTOR_SUBMIT 0xd70b4975u
#define SELECTOR_SUBMIT_SEALED 0x0aa008a3u

mote_status mote_reading_sign(const mote_device *d, const mote_reading *r, uint8_t sig[64], mote_err *err) {
    if (r->sealed && r->sealed_len > 896) return fail(err, MOTE_E_ARGUMENT, MOTE_FIELD_SEALED); /* the attestation's MAX_SEALED */
    uint8_t payload[56];
    writer w = {payload, sizeof payload, 0};
    w_le(&w, r->nonce, 8);
    w_le(&w, (uint64_t)r->value, 8);
    w_le(&w, r->timestamp, 8);
    if (r->sealed) {
        uint8_t commitment[32];
        mote_sha256(r->sealed, r->sealed_len, commitment);
        w_bytes(&w, commitment, 32);
    }
    return mote_device_message_sign(d, r->contract, r->sealed ? SELECTOR_SUBMIT_SEALED : SELECTOR_SUBMIT, payload, w.n, sig, err);
}

void mote_reading_args(const mote_device *d, const mote_reading *r, const uint8_t sig[64], mote_value args[5]) {
    memset(args, 0, 5 * sizeof *args);
    args[0] = (mote_value){.tag = MOTE_VALUE_BYTES, .bytes = d->public_key, .len = 32};
    args[1] = (mote_value){.tag = MOTE_VALUE_INT, .i = r->nonce};
    args[2] = (mote_value){.tag = MOTE_VALUE_INT, .i = (uint64_t)r->value};
    args[3] = (mote_value){.tag = MOTE_VALUE_INT, .i = r->timestamp};
    args[4] = (mote_value){.tag = MOTE_VALUE_BYTES, .bytes = sig, .len = 64};
}
