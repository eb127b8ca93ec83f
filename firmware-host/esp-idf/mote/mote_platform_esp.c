/* The device SDK's platform hooks on ESP-IDF (mote_platform_esp.h): esp_fill_random, and each item one
 * NVS blob committed before the hook returns, so a nonce is durable before the SDK hands out a signature. */
#ifdef ESP_PLATFORM
#include "mote_platform_esp.h"

#include "esp_random.h"
#include "nvs.h"

static int esp_rng(void *ctx, uint8_t *buf, size_t n) {
    (void)ctx;
    esp_fill_random(buf, n);
    return 0;
}

static long esp_load(void *ctx, const char *name, uint8_t *buf, size_t cap) {
    nvs_handle_t h;
    esp_err_t err = nvs_open((const char *)ctx, NVS_READONLY, &h);
    if (err == ESP_ERR_NVS_NOT_FOUND) return MOTE_STORE_ABSENT; /* namespace not created yet */
    if (err != ESP_OK) return MOTE_STORE_FAILED;
    size_t len = cap;
    err = nvs_get_blob(h, name, buf, &len);
    nvs_close(h);
    if (err == ESP_ERR_NVS_NOT_FOUND) return MOTE_STORE_ABSENT;
    return err == ESP_OK ? (long)len : MOTE_STORE_FAILED; /* ESP_ERR_NVS_INVALID_LENGTH: larger than cap */
}

static long esp_save(void *ctx, const char *name, const uint8_t *buf, size_t len, int create_only) {
    nvs_handle_t h;
    if (nvs_open((const char *)ctx, NVS_READWRITE, &h) != ESP_OK) return MOTE_STORE_FAILED;
    size_t have = 0;
    if (create_only && nvs_get_blob(h, name, NULL, &have) == ESP_OK) {
        nvs_close(h);
        return MOTE_STORE_EXISTS;
    }
    esp_err_t err = nvs_set_blob(h, name, buf, len);
    if (err == ESP_OK) err = nvs_commit(h);
    nvs_close(h);
    return err == ESP_OK ? 0 : MOTE_STORE_FAILED;
}

mote_platform mote_esp_platform(const char *ns) {
    return (mote_platform){.ctx = (void *)ns, .random = esp_rng, .load = esp_load, .save = esp_save};
}
#endif
