/* mote_light: CometBFT commit verification on the device, step for step as ledger/lightclient.ts: strict
 * nanopb decoding, header hash, validator set hash, canonical precommit bytes, Ed25519, > 2/3 of power. */
#include "mote_light.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <pb_decode.h>
#include <pb_encode.h>

#include "mote_crypto.h"

/* The names in code order (ledger/lightclient.ts's LIGHT_ERRORS), each ended by its NUL: one string rather than a
 * table of pointers (flash). */
static const char ERROR_NAMES[] =
    "ok\0malformed\0non_canonical\0chain_id\0header_hash\0commit_height\0validators_hash\0"
    "commit_size\0validator_address\0signature\0insufficient_power\0bad_validator\0bad_commit_sig\0"
    "proof_key\0proof_root\0proof_malformed";

const char *mote_light_error_name(int code) {
    if (code < 0 || code >= MOTE_LIGHT_E_COUNT) return "unknown";
    const char *p = ERROR_NAMES;
    for (int i = 0; i < code; i++) p += strlen(p) + 1;
    return p;
}

/* One function formats every refusal's detail: a call per refusal instead of snprintf's arguments inlined at
 * each of them (flash, docs/device.md). */
__attribute__((format(printf, 3, 4))) static int fail(mote_light_verified *out, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->detail, sizeof out->detail, fmt, ap);
    va_end(ap);
    return code;
}
#define FAIL(code, ...) return fail(out, (code), __VA_ARGS__)

/* ---- strict decoding: decode, then re-encode into a stream that compares with the input ----
 * nanopb is built with PB_NO_ERRMSG (firmware-host/Makefile, NANOPB_DEFS: 1 KB less flash): a refusal names
 * the message and the byte where decoding stopped, not nanopb's reason. */

typedef struct {
    const uint8_t *in;
    size_t len, pos, diff_at;
    int differs;
} compare_state;

static bool compare_write(pb_ostream_t *s, const pb_byte_t *buf, size_t count) {
    compare_state *c = (compare_state *)s->state;
    for (size_t i = 0; i < count; i++, c->pos++) {
        if (!c->differs && (c->pos >= c->len || c->in[c->pos] != buf[i])) {
            c->differs = 1;
            c->diff_at = c->pos;
        }
    }
    return true;
}

/* gogoproto's non-nullable message fields are always written, even empty, and cosmjs-types re-encodes them
 * so: an encoding that leaves one out is not canonical on either side. */
static void normalize_block_id(mote_light_BlockID *b) { b->has_part_set_header = true; }

static void normalize_signed_header(void *msg) {
    mote_light_SignedHeader *sh = (mote_light_SignedHeader *)msg;
    if (sh->has_header) {
        sh->header.has_version = sh->header.has_time = sh->header.has_last_block_id = true;
        normalize_block_id(&sh->header.last_block_id);
    }
    if (sh->has_commit) {
        sh->commit.has_block_id = true;
        normalize_block_id(&sh->commit.block_id);
        for (pb_size_t i = 0; i < sh->commit.signatures_count; i++) sh->commit.signatures[i].has_timestamp = true;
    }
}

static void normalize_validator_set(void *msg) {
    mote_light_ValidatorSet *vs = (mote_light_ValidatorSet *)msg;
    for (pb_size_t i = 0; i < vs->validators_count; i++) vs->validators[i].has_pub_key = true;
    if (vs->has_proposer) vs->proposer.has_pub_key = true;
}

static int strict_decode(const char *what, const pb_msgdesc_t *fields, void *msg, void (*normalize)(void *),
                         const uint8_t *b, size_t len, mote_light_verified *out) {
    pb_istream_t is = pb_istream_from_buffer(b, len);
    if (!pb_decode(&is, fields, msg))
        FAIL(MOTE_LIGHT_E_MALFORMED, "%s (%zu bytes) does not decode at byte %zu", what, len, len - is.bytes_left);
    normalize(msg);
    compare_state c = {b, len, 0, 0, 0};
    pb_ostream_t os = {.callback = compare_write, .state = &c, .max_size = SIZE_MAX, .bytes_written = 0};
    if (!pb_encode(&os, fields, msg)) FAIL(MOTE_LIGHT_E_MALFORMED, "%s does not re-encode", what);
    if (c.differs || c.pos != len) {
        size_t at = c.differs ? c.diff_at : (c.pos < len ? c.pos : len);
        FAIL(MOTE_LIGHT_E_NON_CANONICAL, "%s is not canonically encoded: differs at byte %zu (%zu bytes, canonical %zu)",
             what, at, len, c.pos);
    }
    return MOTE_LIGHT_OK;
}

/* ---- hashes ---- */

/* RFC 6962 Merkle root of n leaf hashes, in place (an odd last node moves up unchanged), as CometBFT's
 * merkle.HashFromByteSlices and ledger/merkle.ts. */
static void merkle_root(uint8_t (*nodes)[32], size_t n, uint8_t root[32]) {
    if (n == 0) {
        mote_sha256(NULL, 0, root);
        return;
    }
    while (n > 1) {
        size_t m = 0;
        for (size_t i = 0; i < n; i += 2, m++) {
            if (i + 1 < n) {
                mote_sha256_pair(0x01, nodes[i], nodes[i + 1], nodes[m]);
            } else {
                memmove(nodes[m], nodes[i], 32);
            }
        }
        n = m;
    }
    memcpy(root, nodes[0], 32);
}

/* Leaf hash SHA-256(0x00 || encoding of msg); false if the encoding does not fit (never for decoded input). */
static bool leaf_of(const pb_msgdesc_t *fields, const void *msg, uint8_t leaf[32]) {
    uint8_t buf[1 + 96];
    buf[0] = 0x00;
    pb_ostream_t os = pb_ostream_from_buffer(buf + 1, sizeof buf - 1);
    if (!pb_encode(&os, fields, msg)) return false;
    mote_sha256(buf, 1 + os.bytes_written, leaf);
    return true;
}

/* The header's nine bytes fields (leaves 5 to 13), each a nanopb PB_BYTES_ARRAY_T: its size, then its bytes. One
 * loop over their offsets instead of nine calls (flash); read through unsigned char, as any object may be. */
static const uint16_t HEADER_BYTES_FIELDS[9] = {
    offsetof(mote_light_Header, last_commit_hash), offsetof(mote_light_Header, data_hash),
    offsetof(mote_light_Header, validators_hash),  offsetof(mote_light_Header, next_validators_hash),
    offsetof(mote_light_Header, consensus_hash),   offsetof(mote_light_Header, app_hash),
    offsetof(mote_light_Header, last_results_hash), offsetof(mote_light_Header, evidence_hash),
    offsetof(mote_light_Header, proposer_address),
};
_Static_assert(offsetof(mote_light_Header_app_hash_t, bytes) == offsetof(mote_light_Header_proposer_address_t, bytes) &&
                   sizeof(mote_light_Header_app_hash_t) - offsetof(mote_light_Header_app_hash_t, bytes) == 32 &&
                   sizeof(((mote_light_BytesValue *)0)->value.bytes) == 32,
               "the header's bytes fields are a pb_size_t then at most 32 bytes, as BytesValue holds");

static bool bytes_leaf(const unsigned char *field, uint8_t leaf[32]) {
    mote_light_BytesValue v = mote_light_BytesValue_init_zero;
    memcpy(&v.value.size, field + offsetof(mote_light_Header_app_hash_t, size), sizeof v.value.size);
    if (v.value.size > sizeof v.value.bytes) return false; /* never for decoded input: nanopb bounds it */
    memcpy(v.value.bytes, field + offsetof(mote_light_Header_app_hash_t, bytes), v.value.size);
    return leaf_of(mote_light_BytesValue_fields, &v, leaf);
}

/* CometBFT's Header.Hash(): the Merkle root of its 14 fields, each wrapped as cdcEncode does. */
static bool header_hash(const mote_light_Header *h, uint8_t out[32]) {
    uint8_t leaves[14][32];
    mote_light_StringValue chain = mote_light_StringValue_init_zero;
    memcpy(chain.value, h->chain_id, sizeof chain.value);
    mote_light_Int64Value height = {h->height};
    /* version, time and last_block_id are present: normalize_signed_header set them */
    bool ok = leaf_of(mote_light_Consensus_fields, &h->version, leaves[0]) &&
              leaf_of(mote_light_StringValue_fields, &chain, leaves[1]) &&
              leaf_of(mote_light_Int64Value_fields, &height, leaves[2]) &&
              leaf_of(mote_light_Timestamp_fields, &h->time, leaves[3]) &&
              leaf_of(mote_light_BlockID_fields, &h->last_block_id, leaves[4]);
    for (size_t i = 0; ok && i < 9; i++) ok = bytes_leaf((const unsigned char *)h + HEADER_BYTES_FIELDS[i], leaves[5 + i]);
    if (ok) merkle_root(leaves, 14, out);
    return ok;
}

/* CometBFT's ValidatorSet.Hash(): the Merkle root of each validator's SimpleValidator encoding. */
static bool validator_set_hash(const mote_light_ValidatorSet *vs, uint8_t out[32]) {
    uint8_t leaves[MOTE_LIGHT_MAX_VALIDATORS][32];
    for (pb_size_t i = 0; i < vs->validators_count; i++) {
        mote_light_SimpleValidator sv = {true, vs->validators[i].pub_key, vs->validators[i].voting_power};
        if (!leaf_of(mote_light_SimpleValidator_fields, &sv, leaves[i])) return false;
    }
    merkle_root(leaves, vs->validators_count, out);
    return true;
}

/* The bytes validator i signed for its precommit: CanonicalVote, length-delimited. */
static bool vote_sign_bytes(const char *chain_id, const mote_light_Commit *c, pb_size_t i, uint8_t *buf, size_t cap,
                            size_t *len) {
    const mote_light_CommitSig *s = &c->signatures[i];
    mote_light_CanonicalVote v;
    memset(&v, 0, sizeof v); /* = mote_light_CanonicalVote_init_zero, without its 224-byte constant in flash */
    v.type = mote_light_SignedMsgType_SIGNED_MSG_TYPE_PRECOMMIT;
    v.height = c->height;
    v.round = c->round;
    v.has_block_id = true;
    v.block_id.hash.size = c->block_id.hash.size;
    memcpy(v.block_id.hash.bytes, c->block_id.hash.bytes, c->block_id.hash.size);
    v.block_id.has_part_set_header = true;
    v.block_id.part_set_header.total = c->block_id.part_set_header.total;
    v.block_id.part_set_header.hash.size = c->block_id.part_set_header.hash.size;
    memcpy(v.block_id.part_set_header.hash.bytes, c->block_id.part_set_header.hash.bytes, c->block_id.part_set_header.hash.size);
    v.has_timestamp = true; /* non-nullable: written even when zero */
    v.timestamp = s->timestamp;
    strncpy(v.chain_id, chain_id, sizeof v.chain_id - 1);
    pb_ostream_t os = pb_ostream_from_buffer(buf, cap);
    if (!pb_encode_ex(&os, mote_light_CanonicalVote_fields, &v, PB_ENCODE_DELIMITED)) return false;
    *len = os.bytes_written;
    return true;
}

static void hex_of(const uint8_t *b, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = 0;
}

/* ---- the check ---- */

#define MAX_TOTAL_POWER (INT64_MAX / 8) /* CometBFT's MaxTotalVotingPower */

int mote_light_verify_commit(mote_light_work *w, const uint8_t *valset, size_t valset_len, const uint8_t *signed_header,
                             size_t signed_header_len, const char *chain_id, mote_light_verified *out) {
    memset(out, 0, sizeof *out);
    memset(w, 0, sizeof *w);
    int rc = strict_decode("validator set", mote_light_ValidatorSet_fields, &w->vals, normalize_validator_set, valset, valset_len, out);
    if (rc) return rc;
    const mote_light_ValidatorSet *vs = &w->vals;
    if (vs->validators_count == 0) FAIL(MOTE_LIGHT_E_MALFORMED, "validator set has no validators");
    /* A set cut between two validators still decodes; its total no longer adds up. Powers are summed in
     * unsigned arithmetic (a hostile power may be negative or huge) and compared as the encoding has them. */
    uint64_t sum = 0;
    for (pb_size_t i = 0; i < vs->validators_count; i++) sum += (uint64_t)vs->validators[i].voting_power;
    if (sum != (uint64_t)vs->total_voting_power)
        FAIL(MOTE_LIGHT_E_MALFORMED, "validator set total_voting_power %lld is not its validators' sum",
             (long long)vs->total_voting_power);
    rc = strict_decode("signed header", mote_light_SignedHeader_fields, &w->sh, normalize_signed_header, signed_header, signed_header_len, out);
    if (rc) return rc;
    if (!w->sh.has_header) FAIL(MOTE_LIGHT_E_MALFORMED, "signed header has no header");
    if (!w->sh.has_commit) FAIL(MOTE_LIGHT_E_MALFORMED, "signed header has no commit");
    const mote_light_Header *h = &w->sh.header;
    const mote_light_Commit *c = &w->sh.commit;

    if (strcmp(h->chain_id, chain_id) != 0)
        FAIL(MOTE_LIGHT_E_CHAIN_ID, "header is on chain \"%s\", expected \"%s\"", h->chain_id, chain_id);
    if (c->height != h->height)
        FAIL(MOTE_LIGHT_E_COMMIT_HEIGHT, "commit is for height %lld, header is %lld", (long long)c->height, (long long)h->height);
    if (!header_hash(h, out->block_hash)) FAIL(MOTE_LIGHT_E_MALFORMED, "header field does not re-encode");
    if (c->block_id.hash.size != 32 || memcmp(c->block_id.hash.bytes, out->block_hash, 32) != 0) {
        char want[65];
        hex_of(out->block_hash, 32, want);
        FAIL(MOTE_LIGHT_E_HEADER_HASH, "commit signs another block than the header, which hashes to %s", want);
    }
    uint64_t total = 0;
    for (pb_size_t i = 0; i < vs->validators_count; i++) {
        const mote_light_Validator *v = &vs->validators[i];
        if (!v->has_pub_key || v->pub_key.which_sum != mote_light_PublicKey_ed25519_tag)
            FAIL(MOTE_LIGHT_E_BAD_VALIDATOR, "validator %u has no Ed25519 key", (unsigned)i);
        if (v->pub_key.sum.ed25519.size != 32)
            FAIL(MOTE_LIGHT_E_BAD_VALIDATOR, "validator %u's key is %u bytes, not 32", (unsigned)i, (unsigned)v->pub_key.sum.ed25519.size);
        if (v->voting_power <= 0)
            FAIL(MOTE_LIGHT_E_BAD_VALIDATOR, "validator %u has voting power %lld", (unsigned)i, (long long)v->voting_power);
        if ((uint64_t)v->voting_power > MAX_TOTAL_POWER - total)
            FAIL(MOTE_LIGHT_E_BAD_VALIDATOR, "total voting power exceeds CometBFT's maximum at validator %u", (unsigned)i);
        total += (uint64_t)v->voting_power;
    }
    uint8_t set_hash[32];
    if (!validator_set_hash(vs, set_hash)) FAIL(MOTE_LIGHT_E_MALFORMED, "validator does not re-encode");
    if (h->validators_hash.size != 32 || memcmp(h->validators_hash.bytes, set_hash, 32) != 0) {
        char got[65];
        hex_of(set_hash, 32, got);
        FAIL(MOTE_LIGHT_E_VALIDATORS_HASH, "trusted validator set hashes to %s, not the header's validators_hash", got);
    }
    if (c->signatures_count != vs->validators_count)
        FAIL(MOTE_LIGHT_E_COMMIT_SIZE, "commit has %u signatures for %u validators", (unsigned)c->signatures_count,
             (unsigned)vs->validators_count);

    uint64_t signed_power = 0;
    uint32_t signers = 0;
    for (pb_size_t i = 0; i < c->signatures_count; i++) {
        const mote_light_CommitSig *s = &c->signatures[i];
        int flag = (int)s->block_id_flag;
        if (flag == mote_light_BlockIDFlag_BLOCK_ID_FLAG_ABSENT || flag == mote_light_BlockIDFlag_BLOCK_ID_FLAG_NIL) continue;
        if (flag != mote_light_BlockIDFlag_BLOCK_ID_FLAG_COMMIT)
            FAIL(MOTE_LIGHT_E_BAD_COMMIT_SIG, "signature %u has block id flag %d", (unsigned)i, flag);
        const uint8_t *pk = vs->validators[i].pub_key.sum.ed25519.bytes;
        uint8_t digest[32];
        mote_sha256(pk, 32, digest);
        if (s->validator_address.size != 20 || memcmp(s->validator_address.bytes, digest, 20) != 0)
            FAIL(MOTE_LIGHT_E_VALIDATOR_ADDRESS, "signature %u is not from validator %u", (unsigned)i, (unsigned)i);
        if (s->signature.size != 64)
            FAIL(MOTE_LIGHT_E_BAD_COMMIT_SIG, "signature %u is %u bytes, not 64", (unsigned)i, (unsigned)s->signature.size);
        uint8_t msg[mote_light_CanonicalVote_size + 2]; /* + its length as a varint */
        size_t msg_len = 0;
        if (!vote_sign_bytes(chain_id, c, i, msg, sizeof msg, &msg_len))
            FAIL(MOTE_LIGHT_E_MALFORMED, "vote %u does not encode", (unsigned)i);
        if (!mote_ed25519_verify(pk, msg, msg_len, s->signature.bytes))
            FAIL(MOTE_LIGHT_E_SIGNATURE, "signature %u does not verify", (unsigned)i);
        signed_power += (uint64_t)vs->validators[i].voting_power;
        signers++;
    }
    out->height = h->height;
    out->app_hash_len = h->app_hash.size;
    memcpy(out->app_hash, h->app_hash.bytes, h->app_hash.size);
    out->signers = signers;
    out->validators = vs->validators_count;
    out->signed_power = signed_power;
    out->total_power = total;
    /* total <= 2^60, so 3 * signed_power cannot overflow */
    if (signed_power * 3 <= total * 2)
        FAIL(MOTE_LIGHT_E_INSUFFICIENT_POWER, "signatures hold %llu of %llu voting power, need more than 2/3",
             (unsigned long long)signed_power, (unsigned long long)total);
    return MOTE_LIGHT_OK;
}
