/* The device SDK's platform on ESP-IDF: esp_fill_random for the RNG and one NVS namespace for the key
 * and nonces (see docs/device.md for what makes esp_fill_random a true RNG, and NVS encryption). */
#ifndef MOTE_PLATFORM_ESP_H
#define MOTE_PLATFORM_ESP_H

#include "mote_sdk.h"

/* A platform keeping the SDK's items as blobs in NVS namespace `ns` (at most 15 characters; the string
 * must outlive the platform). nvs_flash_init() must have run. */
mote_platform mote_esp_platform(const char *ns);

#endif
