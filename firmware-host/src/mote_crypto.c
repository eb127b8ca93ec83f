/* mote_crypto: SHA-256 from Mbed TLS, Ed25519 from Monocypher, and the encoding checks that make
 * Monocypher's verdict identical to @noble/ed25519's strict mode (see docs/embedding.md, "Ed25519"). */
#include "mote_crypto.h"

#include <string.h>

#include "mbedtls/sha256.h" /* Mbed TLS 3.x, as ESP-IDF's mbedtls component exposes it (hardware SHA there) */
#include "monocypher.h"
#include "monocypher-ed25519.h"

void mote_sha256(const uint8_t *data, size_t len, uint8_t out[32]) {
    /* Mbed TLS's software SHA-256 cannot fail; a hardware one (ESP-IDF) that did would leave its output
     * unset, so the digest goes through a cleared local: a failure never hands back stale bytes, and data
     * may alias out. */
    uint8_t h[32] = {0};
    if (mbedtls_sha256(data, len, h, 0) != 0) memset(h, 0, sizeof h);
    memcpy(out, h, sizeof h);
}

void mote_sha256_pair(uint8_t tag, const uint8_t a[32], const uint8_t b[32], uint8_t out[32]) {
    uint8_t buf[65];
    buf[0] = tag;
    memcpy(buf + 1, a, 32);
    memcpy(buf + 33, b, 32);
    mote_sha256(buf, sizeof buf, out);
}

/* Defined once here for the VM host (mote_host.h) and the device SDK (mote_sdk.h), which both declare it. */
uint32_t mote_selector(const char *name) {
    uint8_t h[32];
    mote_sha256((const uint8_t *)name, strlen(name), h);
    return (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
}

/*
 * Monocypher accepts what RFC 8032's strict decoding (and noble with zip215: false) rejects:
 *   - a y coordinate >= p = 2^255 - 19 (non-canonical field element);
 *   - x = 0 with the sign bit set (y = 1 or y = p - 1 with bit 255 set).
 * Both are byte patterns of the encoding, checked here before the library sees the point.
 */
static int strict_point_encoding(const uint8_t e[32]) {
    /* y >= p  <=>  bytes 31..1 are 0x7f ff .. ff (ignoring the sign bit) and byte 0 >= 0xed */
    int all_ones = (e[31] & 0x7f) == 0x7f;
    for (int i = 30; i >= 1 && all_ones; i--) all_ones = e[i] == 0xff;
    if (all_ones && e[0] >= 0xed) return 0;
    if (e[31] & 0x80) {
        /* y = 1: 01 00 .. 00 | 0x80;  y = p - 1: ec ff .. ff | 0xff (0x7f with the sign bit) */
        int is_one = e[0] == 0x01, is_pm1 = e[0] == 0xec;
        for (int i = 1; i < 31; i++) {
            is_one &= e[i] == 0x00;
            is_pm1 &= e[i] == 0xff;
        }
        is_one &= e[31] == 0x80;
        is_pm1 &= e[31] == 0xff;
        if (is_one || is_pm1) return 0;
    }
    return 1;
}

/*
 * noble (strict) rejects public keys of small order, as libsodium does. Monocypher computes
 * [8](sB - hA - R) == 0; with R = identity, S = 0 and h = 1 that is [8]A == 0, i.e. "A has small
 * order", decided by the library's own group arithmetic rather than a table of encodings.
 */
static int small_order(const uint8_t pub[32]) {
    /* on the stack, not static const: 96 bytes of zeros cost flash, clearing them costs a memset */
    uint8_t probe_sig[64] = {1}; /* R = (0, 1), the identity; S = 0 */
    uint8_t one[32] = {1};
    return crypto_eddsa_check_equation(probe_sig, pub, one) == 0;
}

int mote_ed25519_verify(const uint8_t pub[32], const uint8_t *msg, size_t msg_len, const uint8_t sig[64]) {
    if (!strict_point_encoding(pub) || !strict_point_encoding(sig)) return 0;
    if (small_order(pub)) return 0;
    /* S < L, the curve checks and the cofactored equation [8][S]B = [8]R + [8][k]A are Monocypher's,
     * the same equation noble evaluates. */
    return crypto_ed25519_check(sig, pub, msg, msg_len) == 0;
}
