/* The device SDK's platform on a host (mote-device, tests): getrandom() for the RNG and files for the
 * storage. The key is kept in the ledger's key-file format (mode 0600, never overwritten, refused when
 * others can read it), so `mote` and mote-device share a device's key file; nonces sit beside it. */
#ifndef MOTE_PLATFORM_HOST_H
#define MOTE_PLATFORM_HOST_H

#include "mote_sdk.h"

typedef struct {
    const char *key_path; /* the key file; items other than the key are KEY_PATH.<item> */
    char why[512];        /* after a storage failure: the path and the reason, one line */
} mote_host_storage;

/* A platform whose ctx is `s`. */
mote_platform mote_host_platform(mote_host_storage *s);

#endif
