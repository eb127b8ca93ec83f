/* The device SDK's state-proof verifier: ledger/proof.ts's v2 sparse Merkle proof, decoded in place
 * (no allocation, no copy of the siblings) and checked against a trusted state root with SHA-256 only.
 * Every malformation and every forgery has its own status and byte offset (mote_sdk.h). */
#include <string.h>

#include "mote_crypto.h"
#include "mote_sdk.h"

#define PROOF_VERSION 2
#define STATE_VERSION 2

static mote_status fail(mote_err *err, mote_status code, size_t at) {
    if (err) {
        err->code = code;
        err->at = (uint32_t)at;
    }
    return code;
}

static int bit_at(const uint8_t path[32], unsigned i) {
    return (path[i >> 3] >> (7 - (i & 7))) & 1;
}

/* SHA-256(tag || a || b) for a leaf (0x00 path valueHash) or an internal node (0x01 left right). */
#define hash_pair mote_sha256_pair

mote_status mote_proof_verify(const uint8_t root[32], const uint8_t *key, size_t key_len, const uint8_t *p,
                              size_t n, const uint8_t **value, size_t *value_len, mote_err *err) {
    *value = NULL;
    *value_len = 0;
    size_t o = 0;
#define NEED(k) \
    if ((k) > n - o) return fail(err, MOTE_E_PROOF_TRUNCATED, o)
    /* -- decode, as decodeStateProof does, field by field ------------------------------------------- */
    if (n < 1) return fail(err, MOTE_E_PROOF_TRUNCATED, 0);
    if (p[0] != PROOF_VERSION) return fail(err, MOTE_E_PROOF_VERSION, 0);
    o = 1;
    NEED(1);
    size_t kl = p[o++];
    NEED(kl);
    const uint8_t *pkey = p + o;
    size_t key_at = o;
    o += kl;
    NEED(1);
    size_t kind_at = o;
    uint8_t kind = p[o++];
    const uint8_t *leaf_value = NULL, *other = NULL;
    size_t vl = 0;
    if (kind == 1) {
        NEED(2);
        vl = (size_t)p[o] | (size_t)p[o + 1] << 8;
        o += 2;
        NEED(vl);
        leaf_value = p + o;
        o += vl;
    } else if (kind == 2) {
        NEED(64);
        other = p + o;
        o += 64;
    } else if (kind != 0) return fail(err, MOTE_E_PROOF_END_KIND, kind_at);
    NEED(2);
    size_t depth_at = o;
    unsigned depth = (unsigned)p[o] | (unsigned)p[o + 1] << 8;
    o += 2;
    if (depth > 256) return fail(err, MOTE_E_PROOF_DEPTH, depth_at);
    size_t map_len = (depth + 7) >> 3;
    NEED(map_len);
    const uint8_t *map = p + o;
    o += map_len;
    size_t present = 0;
    for (unsigned i = 0; i < depth; i++) present += (map[i >> 3] >> (i & 7)) & 1;
    const uint8_t *sibs = p + o;
    if (32 * present > n - o) return fail(err, MOTE_E_PROOF_TRUNCATED, o + 32 * ((n - o) / 32)); /* the first missing sibling */
    o += 32 * present;
    if (depth % 8 && map[map_len - 1] >> (depth % 8)) return fail(err, MOTE_E_PROOF_BITMAP, depth_at + 2 + map_len - 1);
    if (o != n) return fail(err, MOTE_E_PROOF_TRAILING, o);
#undef NEED
    /* -- the key asked about, then the tree ------------------------------------------------------- */
    if (kl != key_len || (kl && memcmp(pkey, key, kl) != 0)) return fail(err, MOTE_E_PROOF_WRONG_KEY, key_at);
    uint8_t path[32], node[32];
    mote_sha256(key, key_len, path);
    if (kind == 0) {
        memset(node, 0, 32);
    } else if (kind == 1) {
        if (vl == 0) return fail(err, MOTE_E_PROOF_EMPTY_VALUE, kind_at + 1);
        uint8_t vh[32];
        mote_sha256(leaf_value, vl, vh);
        hash_pair(0x00, path, vh, node);
    } else {
        if (memcmp(other, path, 32) == 0) return fail(err, MOTE_E_PROOF_OTHER_IS_OWN, kind_at + 1);
        for (unsigned i = 0; i < depth; i++)
            if (bit_at(other, i) != bit_at(path, i)) return fail(err, MOTE_E_PROOF_OTHER_DIVERGES, kind_at + 1 + (i >> 3));
        hash_pair(0x00, other, other + 32, node);
    }
    static const uint8_t EMPTY[32] = {0};
    const uint8_t *s = sibs + 32 * present; /* walk up from the deepest sibling */
    for (unsigned i = depth; i-- > 0;) {
        const uint8_t *sib = EMPTY;
        if ((map[i >> 3] >> (i & 7)) & 1) sib = s -= 32;
        if (bit_at(path, i) == 0) hash_pair(0x01, node, sib, node);
        else hash_pair(0x01, sib, node, node);
    }
    uint8_t rec[34];
    rec[0] = 0x02;
    rec[1] = STATE_VERSION;
    memcpy(rec + 2, node, 32);
    mote_sha256(rec, sizeof rec, node);
    uint8_t diff = 0;
    for (int i = 0; i < 32; i++) diff |= node[i] ^ root[i];
    if (diff) return fail(err, MOTE_E_PROOF_ROOT_MISMATCH, 0);
    if (kind == 1) {
        *value = leaf_value;
        *value_len = vl;
    }
    return MOTE_OK;
}
