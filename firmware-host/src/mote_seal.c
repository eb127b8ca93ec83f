/* Sealing on the device: see mote_seal.h; the format is described in ledger/seal.ts. */
#include "mote_seal.h"

#include <stdio.h>
#include <string.h>

#include "monocypher.h"

static const char DOMAIN[] = "mote/seal/v1";
static const char KEK_LABEL[] = "mote/seal/v1/kek";
static const char ID_LABEL[] = "mote/seal/v1/id";

#define FAIL(code, ...)                                   \
    do {                                                  \
        if (err && err_cap) snprintf(err, err_cap, __VA_ARGS__); \
        return code;                                      \
    } while (0)

/* The associated data: "mote/seal/v1" ‖ u8 len ‖ chain id ‖ contract ‖ device ‖ seq (u64 LE) ‖ header. */
static size_t assoc_data(uint8_t ad[12 + 1 + 255 + 32 + 32 + 8 + MOTE_SEAL_HEADER_BYTES], const mote_seal_ctx *ctx,
                         size_t chain_len, const uint8_t header[MOTE_SEAL_HEADER_BYTES]) {
    size_t at = 0;
    memcpy(ad, DOMAIN, 12), at += 12;
    ad[at++] = (uint8_t)chain_len;
    memcpy(ad + at, ctx->chain_id, chain_len), at += chain_len;
    memcpy(ad + at, ctx->contract, 32), at += 32;
    memcpy(ad + at, ctx->device, 32), at += 32;
    for (int i = 0; i < 8; i++) ad[at++] = (uint8_t)(ctx->seq >> (8 * i));
    memcpy(ad + at, header, MOTE_SEAL_HEADER_BYTES), at += MOTE_SEAL_HEADER_BYTES;
    return at;
}

static void key_id(uint8_t id[8], const uint8_t pub[32]) {
    uint8_t msg[sizeof ID_LABEL - 1 + 32];
    memcpy(msg, ID_LABEL, sizeof ID_LABEL - 1);
    memcpy(msg + sizeof ID_LABEL - 1, pub, 32);
    crypto_blake2b(id, 8, msg, sizeof msg);
}

static void kek_of(uint8_t kek[32], const uint8_t shared[32], const uint8_t eph_pub[32], const uint8_t reader_pub[32]) {
    uint8_t msg[sizeof KEK_LABEL - 1 + 64];
    memcpy(msg, KEK_LABEL, sizeof KEK_LABEL - 1);
    memcpy(msg + sizeof KEK_LABEL - 1, eph_pub, 32);
    memcpy(msg + sizeof KEK_LABEL - 1 + 32, reader_pub, 32);
    crypto_blake2b_keyed(kek, 32, shared, 32, msg, sizeof msg);
}

static int all_zero(const uint8_t *b, size_t n) {
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= b[i];
    return acc == 0;
}

static mote_seal_status check_ctx(const mote_seal_ctx *ctx, size_t *chain_len, char *err, size_t err_cap) {
    size_t n = ctx->chain_id ? strlen(ctx->chain_id) : 0;
    if (n < 1 || n > 255) FAIL(MOTE_SEAL_CONTEXT, "chain id: 1..255 bytes of UTF-8, got %u", (unsigned)n);
    *chain_len = n;
    return MOTE_SEAL_OK;
}

mote_seal_status mote_seal(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *payload, size_t len,
                           const uint8_t readers[][32], unsigned n, const mote_seal_ctx *ctx, mote_seal_random *rnd,
                           char *err, size_t err_cap) {
    size_t chain_len;
    mote_seal_status st = check_ctx(ctx, &chain_len, err, err_cap);
    if (st) return st;
    if (len > MOTE_SEAL_MAX_PAYLOAD) FAIL(MOTE_SEAL_FORMAT, "payload: at most %d bytes, got %u", MOTE_SEAL_MAX_PAYLOAD, (unsigned)len);
    if (n < 1 || n > MOTE_SEAL_MAX_READERS) FAIL(MOTE_SEAL_FORMAT, "readers: 1..%d, got %u", MOTE_SEAL_MAX_READERS, n);
    if (cap < MOTE_SEAL_SIZE(n, len)) FAIL(MOTE_SEAL_NO_ROOM, "output: needs %u bytes, has %u", (unsigned)MOTE_SEAL_SIZE(n, len), (unsigned)cap);
    uint8_t shared[32], kek[32], ids[MOTE_SEAL_MAX_READERS][8];
    for (unsigned i = 0; i < n; i++) {
        key_id(ids[i], readers[i]);
        for (unsigned j = 0; j < i; j++)
            if (memcmp(ids[i], ids[j], 8) == 0) FAIL(MOTE_SEAL_FORMAT, "readers: the same key is listed twice");
    }
    uint8_t *header = out;
    header[0] = MOTE_SEAL_VERSION;
    header[1] = (uint8_t)n;
    crypto_x25519_public_key(header + 2, rnd->ephemeral_secret);
    memcpy(header + 34, rnd->nonce, 24);
    uint8_t ad[12 + 1 + 255 + 32 + 32 + 8 + MOTE_SEAL_HEADER_BYTES];
    size_t ad_len = assoc_data(ad, ctx, chain_len, header);
    size_t at = MOTE_SEAL_HEADER_BYTES;
    for (unsigned i = 0; i < n; i++, at += MOTE_SEAL_ENTRY_BYTES) {
        crypto_x25519(shared, rnd->ephemeral_secret, readers[i]);
        /* zero iff the reader key has small order (the scalar is clamped): its "secret" would be public */
        if (all_zero(shared, 32)) {
            crypto_wipe(rnd, sizeof *rnd);
            FAIL(MOTE_SEAL_BAD_READER_KEY, "reader %u: a point of small order; no secret can be shared with it", i + 1);
        }
        kek_of(kek, shared, header + 2, readers[i]);
        memcpy(out + at, ids[i], 8);
        crypto_aead_lock(out + at + 8, out + at + 40, kek, rnd->nonce, ad, ad_len, rnd->content_key, 32);
    }
    out[at] = (uint8_t)len;
    out[at + 1] = (uint8_t)(len >> 8);
    at += 2;
    crypto_aead_lock(out + at, out + at + len, rnd->content_key, rnd->nonce, ad, ad_len, payload, len);
    *out_len = at + len + MOTE_SEAL_TAG_BYTES;
    crypto_wipe(shared, sizeof shared);
    crypto_wipe(kek, sizeof kek);
    crypto_wipe(rnd, sizeof *rnd);
    return MOTE_SEAL_OK;
}

mote_seal_status mote_seal_open(uint8_t *plain, size_t cap, size_t *plain_len, const uint8_t *b, size_t n_bytes,
                                const uint8_t reader_secret[32], const mote_seal_ctx *ctx, char *err, size_t err_cap) {
    size_t chain_len;
    mote_seal_status st = check_ctx(ctx, &chain_len, err, err_cap);
    if (st) return st;
#define NEED(k, field, at)                                                                                         \
    if (n_bytes < (size_t)(at) + (k))                                                                              \
    FAIL(MOTE_SEAL_FORMAT, "sealed payload: %s at byte %u: needs %u bytes, %u left", field, (unsigned)(at), (unsigned)(k), \
         (unsigned)(n_bytes > (size_t)(at) ? n_bytes - (size_t)(at) : 0))
    NEED(1, "version", 0);
    if (b[0] != MOTE_SEAL_VERSION) FAIL(MOTE_SEAL_FORMAT, "sealed payload: version at byte 0: %u is not a known version (%d)", b[0], MOTE_SEAL_VERSION);
    NEED(1, "reader count", 1);
    unsigned n = b[1];
    if (n < 1 || n > MOTE_SEAL_MAX_READERS) FAIL(MOTE_SEAL_FORMAT, "sealed payload: reader count at byte 1: %u is outside 1..%d", n, MOTE_SEAL_MAX_READERS);
    NEED(56, "ephemeral key and nonce", 2);
    size_t at = MOTE_SEAL_HEADER_BYTES;
    for (unsigned i = 0; i < n; i++, at += MOTE_SEAL_ENTRY_BYTES) {
        char field[24];
        snprintf(field, sizeof field, "reader entry %u", i + 1);
        NEED(MOTE_SEAL_ENTRY_BYTES, field, at);
    }
    NEED(2, "payload length", at);
    size_t len = (size_t)b[at] | (size_t)b[at + 1] << 8;
    if (len > MOTE_SEAL_MAX_PAYLOAD) FAIL(MOTE_SEAL_FORMAT, "sealed payload: payload length at byte %u: %u exceeds %d", (unsigned)at, (unsigned)len, MOTE_SEAL_MAX_PAYLOAD);
    at += 2;
    NEED(len + MOTE_SEAL_TAG_BYTES, "ciphertext", at);
    if (n_bytes != at + len + MOTE_SEAL_TAG_BYTES)
        FAIL(MOTE_SEAL_FORMAT, "sealed payload: %u trailing byte(s) at byte %u", (unsigned)(n_bytes - at - len - MOTE_SEAL_TAG_BYTES), (unsigned)(at + len + MOTE_SEAL_TAG_BYTES));
#undef NEED
    if (cap < len) FAIL(MOTE_SEAL_NO_ROOM, "output: needs %u bytes, has %u", (unsigned)len, (unsigned)cap);
    uint8_t pub[32], id[8], shared[32], kek[32], content_key[32];
    crypto_x25519_public_key(pub, reader_secret);
    key_id(id, pub);
    const uint8_t *entry = NULL;
    for (unsigned i = 0; i < n; i++)
        if (memcmp(b + MOTE_SEAL_HEADER_BYTES + MOTE_SEAL_ENTRY_BYTES * i, id, 8) == 0) entry = b + MOTE_SEAL_HEADER_BYTES + MOTE_SEAL_ENTRY_BYTES * i;
    if (!entry) FAIL(MOTE_SEAL_NOT_A_READER, "this reader is not among the payload's %u reader(s)", n);
    uint8_t ad[12 + 1 + 255 + 32 + 32 + 8 + MOTE_SEAL_HEADER_BYTES];
    size_t ad_len = assoc_data(ad, ctx, chain_len, b);
    crypto_x25519(shared, reader_secret, b + 2);
    kek_of(kek, shared, b + 2, pub);
    int bad = crypto_aead_unlock(content_key, entry + 40, kek, b + 34, ad, ad_len, entry + 8, 32);
    crypto_wipe(shared, sizeof shared);
    crypto_wipe(kek, sizeof kek);
    if (bad)
        FAIL(MOTE_SEAL_KEY_UNWRAP_FAILED, "the content key wrapped for this reader does not authenticate: the payload, its nonce or its context (chain, contract, device, sequence) was changed");
    bad = crypto_aead_unlock(plain, b + at + len, content_key, b + 34, ad, ad_len, b + at, len);
    crypto_wipe(content_key, sizeof content_key);
    if (bad) {
        crypto_wipe(plain, len);
        FAIL(MOTE_SEAL_PAYLOAD_AUTH_FAILED, "the ciphertext does not authenticate: the payload was changed after sealing");
    }
    *plain_len = len;
    return MOTE_SEAL_OK;
}
