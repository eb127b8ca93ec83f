/* The Mote device SDK: what a device needs to take part in a chain, in C11 with no allocation and no
 * transport. Same sources on x86 (mote-device), RV32 (the bench under QEMU) and ESP-IDF (esp-idf/mote).
 *   identity      an Ed25519 key drawn from the platform's RNG, kept in the platform's storage
 *   transactions  ledger/tx.ts's canonical encoding, signed with the device's key and nonce
 *   readings      the message contracts/sensor_attestation.mote verifies, signed
 *   state proofs  ledger/proof.ts's v2 sparse Merkle proof, verified against a trusted state root
 * The platform is a small table of function pointers (RNG, storage): the SDK never includes an OS
 * header. Bytes go out and come in through the caller; how they travel (HTTP, BLE, a gateway) is the
 * application's. Conformance with the TypeScript side is proven by test/vectors/device.json. */
#ifndef MOTE_SDK_H
#define MOTE_SDK_H

#include <stddef.h>
#include <stdint.h>

/* -- status codes: defined once; mote_status_name gives the stable name tests and CLIs print ---------- */
typedef enum {
    MOTE_OK = 0,
    MOTE_E_ARGUMENT,      /* a field out of range (mote_err.at names which: see mote_field) */
    MOTE_E_NO_ROOM,       /* the output buffer is too small */
    MOTE_E_RANDOM,        /* the platform RNG failed */
    MOTE_E_STORAGE,       /* the platform storage failed */
    MOTE_E_NO_KEY,        /* no key stored: run keygen first */
    MOTE_E_KEY_EXISTS,    /* keygen refuses to replace a stored key */
    MOTE_E_KEY_FORMAT,    /* the stored key is not 32 bytes */
    MOTE_E_NONCE_FORMAT,  /* a stored or proven nonce is not 8 bytes */
    MOTE_E_NONCE_EXHAUSTED, /* the nonce reached 2^64 - 1 */
    /* state proofs: each forgery or malformation its own code; mote_err.at is the byte offset */
    MOTE_E_PROOF_TRUNCATED,      /* the proof ends inside a field */
    MOTE_E_PROOF_TRAILING,       /* bytes after the last sibling (a padded proof) */
    MOTE_E_PROOF_VERSION,        /* version byte is not 2 */
    MOTE_E_PROOF_END_KIND,       /* end kind is not 0 (empty), 1 (leaf) or 2 (other leaf) */
    MOTE_E_PROOF_DEPTH,          /* more than 256 siblings */
    MOTE_E_PROOF_BITMAP,         /* the sibling bitmap sets bits past the depth */
    MOTE_E_PROOF_EMPTY_VALUE,    /* a leaf with an empty value (a stored value is never empty) */
    MOTE_E_PROOF_OTHER_IS_OWN,   /* the "other" leaf is the key's own path: not an absence proof */
    MOTE_E_PROOF_OTHER_DIVERGES, /* the other leaf's path leaves the key's before the proof's depth (at = bit) */
    MOTE_E_PROOF_WRONG_KEY,      /* the proof is about another key than the one asked */
    MOTE_E_PROOF_ROOT_MISMATCH,  /* the path does not lead to the trusted root (another root, a changed byte) */
    MOTE_STATUS_COUNT
} mote_status;

/* Where a failure is: a byte offset into the input for proofs, a field for arguments. */
typedef struct {
    mote_status code;
    uint32_t at;
} mote_err;

/* The fields MOTE_E_ARGUMENT names in mote_err.at. */
typedef enum {
    MOTE_FIELD_GAS_LIMIT = 1, MOTE_FIELD_KIND, MOTE_FIELD_MODULE, MOTE_FIELD_ARGS,
    MOTE_FIELD_ARG_TAG, MOTE_FIELD_ARG_LENGTH, MOTE_FIELD_KEY, MOTE_FIELD_SEALED, MOTE_FIELD_PAYLOAD,
} mote_field;

const char *mote_status_name(mote_status s);

/* -- the platform: RNG and storage, supplied by the application -------------------------------------- */
#define MOTE_STORE_ABSENT (-1L)
#define MOTE_STORE_FAILED (-2L)
#define MOTE_STORE_EXISTS (-3L)

typedef struct {
    void *ctx;
    /* Fills buf with n bytes from a cryptographic RNG (esp_fill_random, getrandom). 0 on success. */
    int (*random)(void *ctx, uint8_t *buf, size_t n);
    /* Reads item `name` into buf: its length, MOTE_STORE_ABSENT, or MOTE_STORE_FAILED (also when it
     * does not fit cap). */
    long (*load)(void *ctx, const char *name, uint8_t *buf, size_t cap);
    /* Writes item `name` durably before returning: 0, MOTE_STORE_FAILED, or with create_only set and
     * the item present, MOTE_STORE_EXISTS (the key is never overwritten). */
    long (*save)(void *ctx, const char *name, const uint8_t *buf, size_t len, int create_only);
} mote_platform;

/* Storage items the SDK keeps: the key's 32-byte seed, and the next transaction and reading nonces
 * (u64 little-endian). */
#define MOTE_ITEM_KEY "key"
#define MOTE_ITEM_TX_NONCE "txnonce"
#define MOTE_ITEM_READING_NONCE "rdnonce"

/* -- identity ---------------------------------------------------------------------------------------- */
typedef struct {
    const mote_platform *platform;
    uint8_t secret[64]; /* Monocypher's Ed25519 secret key: seed || public key. Wiped by mote_device_close. */
    uint8_t public_key[32];
    uint64_t tx_nonce;      /* the next transaction's nonce (the chain's account nonce) */
    uint64_t reading_nonce; /* the last reading nonce used (readings take the next one) */
} mote_device;

/* Draws a seed from the RNG and stores it (create_only: an existing key is kept and MOTE_E_KEY_EXISTS
 * returned). Then opens the device as mote_device_open does. */
mote_status mote_device_keygen(mote_device *d, const mote_platform *p, mote_err *err);
/* Loads the key and both nonces (absent nonces are 0). */
mote_status mote_device_open(mote_device *d, const mote_platform *p, mote_err *err);
/* The key from a given seed, for tests and vectors only (nothing stored; nonces 0). */
void mote_device_from_seed(mote_device *d, const uint8_t seed[32]);
void mote_device_close(mote_device *d);

/* -- transactions (ledger/tx.ts) --------------------------------------------------------------------- */
#define MOTE_TX_VERSION 3
#define MOTE_TX_DEPLOY 1
#define MOTE_TX_CALL 2
#define MOTE_VALUE_INT 0   /* vm/spec/format.ts TAG_INT */
#define MOTE_VALUE_BYTES 1 /* TAG_BYTES */
/* vm/spec/limits.ts, checked against the generated mote_spec.h where the encoder is compiled */
#define MOTE_TX_MAX_GAS 2000000000u /* MAX_GAS */
#define MOTE_TX_MAX_MODULE 6144u    /* MODULE_MAX_BYTES */
#define MOTE_TX_MAX_ARGS 8u         /* MAX_PARAMS */
#define MOTE_TX_MAX_BYTES_ARG 1024u /* MAX_BYTES_LEN */

typedef struct {
    uint8_t tag; /* MOTE_VALUE_INT or MOTE_VALUE_BYTES */
    uint64_t i;  /* an int's 64-bit pattern (two's complement for negative values) */
    const uint8_t *bytes;
    uint16_t len;
} mote_value;

typedef struct {
    uint8_t genesis_hash[32]; /* the hash of the genesis block of the one chain this is for */
    uint8_t kind;         /* MOTE_TX_DEPLOY or MOTE_TX_CALL */
    uint32_t gas_limit;   /* 1..MOTE_TX_MAX_GAS */
    uint64_t gas_price;
    uint64_t value;
    const uint8_t *module; /* deploy: the module bytes */
    uint16_t module_len;
    uint8_t contract[32]; /* call: the instance id */
    uint32_t selector;    /* call: first 4 bytes of SHA-256(function name), little-endian */
    const mote_value *args;
    uint8_t n_args;
} mote_tx;

/* Encodes and signs `tx` from `d` with nonce `nonce` into out: the canonical signed transaction
 * (unsigned bytes || 64-byte signature); id gets its SHA-256 (may be NULL). cap must also hold the
 * signed message while signing: MOTE_TX_SIGN_CAP(unsigned length) bytes. */
mote_status mote_tx_sign(const mote_device *d, const mote_tx *tx, uint64_t nonce, uint8_t *out, size_t cap,
                         size_t *out_len, uint8_t id[32], mote_err *err);
/* As mote_tx_sign with the device's tracked nonce; the next nonce is stored before the transaction is
 * returned, so a reboot can never sign two transactions with one nonce. */
mote_status mote_device_sign_tx(mote_device *d, const mote_tx *tx, uint8_t *out, size_t cap, size_t *out_len,
                                uint8_t id[32], mote_err *err);

/* What a transaction signature covers (ledger/tx.ts TX_SIGN_DOMAIN, then every byte but the signature,
 * the genesis hash among them): kept in one function (mote_tx.c, tx_sign_prefix). */
#define MOTE_TX_SIGN_PREFIX_MAX 64
#define MOTE_TX_SIGN_CAP(unsigned_len) ((unsigned_len) + MOTE_TX_SIGN_PREFIX_MAX + 64)

/* -- device-signed messages (contracts/lib/device_message.mote, ledger/device-message.ts) -------------- */
/* tag (16 B: "mote/device/v1", two zero bytes) || instance id (32, chain-bound) || selector of the
 * function (u32 LE) || payload: a signature counts for one function of one instance on one chain, and is
 * never a transaction signature. */
#define MOTE_DEVICE_TAG_BYTES 16
#define MOTE_DEVICE_MSG_HEADER (MOTE_DEVICE_TAG_BYTES + 32 + 4)
#define MOTE_DEVICE_MSG_MAX_PAYLOAD 96 /* the longest payload the SDK signs: a handoff (item, to, seq: 72 B) */

/* Signs the device message for function `selector` of `instance` over payload[len]. */
mote_status mote_device_message_sign(const mote_device *d, const uint8_t instance[32], uint32_t selector, const uint8_t *payload,
                                     size_t len, uint8_t sig[64], mote_err *err);

/* -- signed readings (contracts/sensor_attestation.mote) ---------------------------------------------- */
/* submit: the device message over nonce u64 || value (Q47.16 fixed, i64) || timestamp u64, all LE;
 * submit_sealed: the same and SHA-256(sealed payload). */
#define MOTE_READING_MSG_BYTES (MOTE_DEVICE_MSG_HEADER + 24)        /* 76 */
#define MOTE_SEALED_READING_MSG_BYTES (MOTE_DEVICE_MSG_HEADER + 56) /* 108 */

typedef struct {
    uint8_t contract[32]; /* the attestation instance */
    uint64_t nonce;
    int64_t value; /* fixed Q47.16 */
    uint64_t timestamp;
    const uint8_t *sealed; /* NULL for submit; the sealed payload for submit_sealed */
    size_t sealed_len;
} mote_reading;

/* The message (submit's, or submit_sealed's when r->sealed is set) and its Ed25519 signature by d. */
mote_status mote_reading_sign(const mote_device *d, const mote_reading *r, uint8_t sig[64], mote_err *err);
/* Takes the next reading nonce (stored before signing), fills r->nonce and signs. */
mote_status mote_device_sign_reading(mote_device *d, mote_reading *r, uint8_t sig[64], mote_err *err);
/* The arguments of Attestation.submit(device, nonce, value, timestamp, signature) for a call transaction
 * (args[5]; they point into d, r and sig, which must outlive the transaction's encoding). */
void mote_reading_args(const mote_device *d, const mote_reading *r, const uint8_t sig[64], mote_value args[5]);
/* A function's selector: the first 4 bytes of SHA-256(name), little-endian (vm/spec/module.ts selectorOf). */
uint32_t mote_selector(const char *name);

/* -- state proofs (ledger/proof.ts, tree v2) --------------------------------------------------------- */
/* Verifies an encoded proof about state key `key` against a trusted state root. On MOTE_OK, *value
 * points into the proof at the proven value and *value_len is its length, or *value is NULL (absent). */
mote_status mote_proof_verify(const uint8_t root[32], const uint8_t *key, size_t key_len, const uint8_t *proof,
                              size_t proof_len, const uint8_t **value, size_t *value_len, mote_err *err);

/* The state key of an account's nonce: 0x01 || public key (ledger/state.ts accountKey). */
#define MOTE_ACCOUNT_KEY_BYTES 33
void mote_account_key(const uint8_t public_key[32], uint8_t out[MOTE_ACCOUNT_KEY_BYTES]);

/* Recovers the transaction nonce from the chain after a reboot: verifies a proof of the device's
 * account entry against a trusted state root and takes the chain's nonce (absent = 0), which is
 * authoritative: stored and used. */
mote_status mote_device_sync_nonce(mote_device *d, const uint8_t root[32], const uint8_t *proof, size_t proof_len,
                                   mote_err *err);

#endif
