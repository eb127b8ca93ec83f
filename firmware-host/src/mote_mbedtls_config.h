/* Mbed TLS configuration of every Mote C build but ESP-IDF's (which uses its own `mbedtls` component and
 * menuconfig): SHA-256 alone, the small variant (one loop over the 64 rounds instead of the unrolled one),
 * the same choice as ESP-IDF's CONFIG_MBEDTLS_SHA256_SMALLER. Selected with
 * -DMBEDTLS_CONFIG_FILE="mote_mbedtls_config.h" (firmware-host/Makefile, MBEDTLS_DEFS). */
#ifndef MOTE_MBEDTLS_CONFIG_H
#define MOTE_MBEDTLS_CONFIG_H

#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER

#endif
