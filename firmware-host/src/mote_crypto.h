/* mote_crypto: the two primitives the host ABI exposes, SHA-256 and Ed25519 verification, on top of
 * maintained libraries (Mbed TLS's SHA-256, Monocypher's Ed25519), with @noble/ed25519's strict rules. */
#ifndef MOTE_CRYPTO_H
#define MOTE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

void mote_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

/* SHA-256(tag || a || b) of two 32-byte hashes: a Merkle node (the state tree's leaves and nodes, mote_proof.c;
 * CometBFT's RFC 6962 inner nodes, mote_light.c). out may alias a or b. */
void mote_sha256_pair(uint8_t tag, const uint8_t a[32], const uint8_t b[32], uint8_t out[32]);

/* A function's selector: the first 4 bytes of SHA-256(name), little-endian (vm/spec/module.ts selectorOf). */
uint32_t mote_selector(const char *name);

/* 1 when sig is a valid RFC 8032 signature of msg by pub, exactly as
 * @noble/ed25519 verify(sig, msg, pub, { zip215: false }) decides; else 0. */
int mote_ed25519_verify(const uint8_t pub[32], const uint8_t *msg, size_t msg_len, const uint8_t sig[64]);

#endif
