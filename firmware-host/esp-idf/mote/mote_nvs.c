/* mote_nvs: NVS as the committed store. One blob ("state") with the state-file image: a SHA-256 trailer
 * catches corruption, and a single nvs_set_blob per call gives the all-or-nothing commit the ABI requires. */
#include "mote_nvs.h"

#include <stdlib.h>

#include "esp_log.h"
#include "nvs.h"

static const char *TAG = "mote_nvs";
#define STATE_KEY "state"

esp_err_t mote_nvs_load(mote_table *table, const char *ns) {
    nvs_handle_t h;
    esp_err_t err = nvs_open(ns, NVS_READONLY, &h);
    if (err == ESP_ERR_NVS_NOT_FOUND) return ESP_OK; /* namespace not created yet: empty state */
    if (err != ESP_OK) return err;
    size_t len = 0;
    err = nvs_get_blob(h, STATE_KEY, NULL, &len);
    if (err == ESP_ERR_NVS_NOT_FOUND) {
        nvs_close(h);
        return ESP_OK;
    }
    uint8_t *buf = err == ESP_OK ? malloc(len) : NULL;
    if (err == ESP_OK && !buf) err = ESP_ERR_NO_MEM;
    if (err == ESP_OK) err = nvs_get_blob(h, STATE_KEY, buf, &len);
    nvs_close(h);
    if (err == ESP_OK) {
        char why[160];
        if (mote_state_decode(table, buf, len, why, sizeof why) != 0) {
            ESP_LOGE(TAG, "NVS %s/%s: %s", ns, STATE_KEY, why);
            err = ESP_ERR_INVALID_STATE;
        }
    }
    free(buf);
    return err;
}

esp_err_t mote_nvs_save(const mote_table *table, const char *ns) {
    size_t len;
    uint8_t *buf = mote_state_encode(table, &len);
    if (!buf) return ESP_ERR_NO_MEM;
    nvs_handle_t h;
    esp_err_t err = nvs_open(ns, NVS_READWRITE, &h);
    if (err == ESP_OK) {
        err = nvs_set_blob(h, STATE_KEY, buf, len);
        if (err == ESP_OK) err = nvs_commit(h);
        nvs_close(h);
    }
    free(buf);
    return err;
}
