/* Signed readings on the device: the message a device signs for contracts/sensor_attestation.mote's
 * `submit`, in the device domain every device-signed message carries (docs/ledger.md, "Chain binding"):
 *   "mote/device/v1" 00 00 (16)  ||  instance id (32, chain-bound)  ||  selector of submit (4)
 *   ||  nonce u64 LE  ||  value (fixed Q47.16) i64 LE  ||  timestamp u64 LE           = 76 bytes
 * and its Ed25519 signature (Monocypher, RFC 8032), byte-identical to ledger/device-message.ts's. */
#ifndef MOTE_READING_H
#define MOTE_READING_H

#include <stddef.h>
#include <stdint.h>

#define MOTE_DEVICE_TAG_BYTES 16
#define MOTE_DEVICE_PREFIX_BYTES (MOTE_DEVICE_TAG_BYTES + 32 + 4)
#define MOTE_READING_MESSAGE_BYTES (MOTE_DEVICE_PREFIX_BYTES + 24)

/* "mote/device/v1" and two zero bytes. */
extern const uint8_t MOTE_DEVICE_TAG[MOTE_DEVICE_TAG_BYTES];
/* The selector of `submit` as it appears in the message: the first 4 bytes of SHA-256("submit"). */
extern const uint8_t MOTE_SELECTOR_SUBMIT[4];

/* Writes the 76-byte reading message for `instance` (the attestation instance on the device's chain). */
void mote_reading_message(uint8_t out[MOTE_READING_MESSAGE_BYTES], const uint8_t instance[32], uint64_t nonce, int64_t value,
                          uint64_t timestamp);

/* Signs a reading with the device's 32-byte Ed25519 seed; writes the device's public key too (pub may be NULL). */
void mote_reading_sign(uint8_t signature[64], uint8_t pub[32], const uint8_t seed[32], const uint8_t instance[32], uint64_t nonce,
                       int64_t value, uint64_t timestamp);

#endif
