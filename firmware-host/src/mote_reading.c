/* The device's reading signer (see mote_reading.h): message layout and Ed25519 signing with Monocypher. */
#include "mote_reading.h"

#include <string.h>

#include "monocypher-ed25519.h"
#include "monocypher.h"

const uint8_t MOTE_DEVICE_TAG[MOTE_DEVICE_TAG_BYTES] = {'m', 'o', 't', 'e', '/', 'd', 'e', 'v', 'i', 'c', 'e', '/', 'v', '1', 0, 0};
/* SHA-256("submit") starts 75 49 0b d7; the selector is that u32 read little-endian and written back
 * little-endian, so these bytes. test/firmware/device-reading.test.ts checks them against the compiler's. */
const uint8_t MOTE_SELECTOR_SUBMIT[4] = {0x75, 0x49, 0x0b, 0xd7};

static void put_u64le(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

void mote_reading_message(uint8_t out[MOTE_READING_MESSAGE_BYTES], const uint8_t instance[32], uint64_t nonce, int64_t value,
                          uint64_t timestamp) {
    memcpy(out, MOTE_DEVICE_TAG, MOTE_DEVICE_TAG_BYTES);
    memcpy(out + MOTE_DEVICE_TAG_BYTES, instance, 32);
    memcpy(out + MOTE_DEVICE_TAG_BYTES + 32, MOTE_SELECTOR_SUBMIT, 4);
    put_u64le(out + MOTE_DEVICE_PREFIX_BYTES, nonce);
    put_u64le(out + MOTE_DEVICE_PREFIX_BYTES + 8, (uint64_t)value);
    put_u64le(out + MOTE_DEVICE_PREFIX_BYTES + 16, timestamp);
}

void mote_reading_sign(uint8_t signature[64], uint8_t pub[32], const uint8_t seed[32], const uint8_t instance[32], uint64_t nonce,
                       int64_t value, uint64_t timestamp) {
    uint8_t msg[MOTE_READING_MESSAGE_BYTES], secret[64], public_key[32], seed_copy[32];
    mote_reading_message(msg, instance, nonce, value, timestamp);
    memcpy(seed_copy, seed, 32); /* crypto_ed25519_key_pair wipes the seed it is given */
    crypto_ed25519_key_pair(secret, public_key, seed_copy);
    crypto_ed25519_sign(signature, secret, msg, sizeof msg);
    if (pub) memcpy(pub, public_key, 32);
    crypto_wipe(secret, sizeof secret);
}
