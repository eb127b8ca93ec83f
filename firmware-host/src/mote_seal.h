/* Sealed device data on the device: a payload encrypted to a set of readers (ephemeral X25519 per
 * message, XChaCha20-Poly1305, BLAKE2b key derivation; Monocypher), bound to chain, contract instance,
 * device and sequence number. The format and every rule are ledger/seal.ts's; test/vectors/seal.json
 * proves the two byte-identical. No allocation: the caller owns every buffer. */
#ifndef MOTE_SEAL_H
#define MOTE_SEAL_H

#include <stddef.h>
#include <stdint.h>

#define MOTE_SEAL_VERSION 1
#define MOTE_SEAL_MAX_PAYLOAD 1024
#define MOTE_SEAL_MAX_READERS 8
#define MOTE_SEAL_HEADER_BYTES 58
#define MOTE_SEAL_ENTRY_BYTES 56
#define MOTE_SEAL_TAG_BYTES 16
/* Sealed size for n readers and an L-byte payload. */
#define MOTE_SEAL_SIZE(n, L) (MOTE_SEAL_HEADER_BYTES + MOTE_SEAL_ENTRY_BYTES * (n) + 2 + (L) + MOTE_SEAL_TAG_BYTES)

typedef struct {
    const char *chain_id; /* 1..255 bytes of UTF-8, NUL-terminated */
    uint8_t contract[32]; /* the contract instance the payload is submitted to */
    uint8_t device[32];   /* the device's Ed25519 public key */
    uint64_t seq;         /* the device's sequence number for this payload: never reused */
} mote_seal_ctx;

/* The randomness of one seal: from the platform RNG (esp_fill_random, getrandom), fixed only by tests. */
typedef struct {
    uint8_t ephemeral_secret[32];
    uint8_t nonce[24];
    uint8_t content_key[32];
} mote_seal_random;

typedef enum {
    MOTE_SEAL_OK = 0,
    MOTE_SEAL_FORMAT,            /* malformed input or sealed payload; the message names field and byte */
    MOTE_SEAL_CONTEXT,           /* chain id, contract or device out of range */
    MOTE_SEAL_BAD_READER_KEY,    /* a reader key of small order (no secret can be shared with it) */
    MOTE_SEAL_NOT_A_READER,      /* this key is not among the payload's readers */
    MOTE_SEAL_KEY_UNWRAP_FAILED, /* the wrapped key does not authenticate: changed bytes, nonce or context */
    MOTE_SEAL_PAYLOAD_AUTH_FAILED,
    MOTE_SEAL_NO_ROOM,           /* the output buffer is too small */
} mote_seal_status;

/* Seals payload[len] to n readers' X25519 public keys into out (MOTE_SEAL_SIZE(n, len) bytes); the
 * random parts are wiped before returning. err (may be NULL) gets a one-line reason on failure. */
mote_seal_status mote_seal(uint8_t *out, size_t cap, size_t *out_len, const uint8_t *payload, size_t len,
                           const uint8_t readers[][32], unsigned n, const mote_seal_ctx *ctx, mote_seal_random *rnd,
                           char *err, size_t err_cap);

/* Opens a sealed payload with a reader's X25519 secret; plain gets the payload (at most cap bytes). */
mote_seal_status mote_seal_open(uint8_t *plain, size_t cap, size_t *plain_len, const uint8_t *sealed, size_t sealed_len,
                                const uint8_t reader_secret[32], const mote_seal_ctx *ctx, char *err, size_t err_cap);

#endif
