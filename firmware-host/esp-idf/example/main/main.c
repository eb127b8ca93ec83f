/* mote example: loads the committed state from NVS, runs `increment` of the counter contract embedded in
 * flash on the Mote VM, prints the result exactly as mote-host and `mote run --json` print it, saves on ok. */
#include <stdio.h>
#include <string.h>

#include "esp_log.h"
#include "mote_host.h"
#include "mote_nvs.h"
#include "mote_spec.h"
#include "mote_wasm.h"
#include "nvs_flash.h"
#include "sdkconfig.h"

static const char *TAG = "mote_example";

/* counter.mbc, placed in flash by EMBED_FILES */
extern const uint8_t counter_mbc_start[] asm("_binary_counter_mbc_start");
extern const uint8_t counter_mbc_end[] asm("_binary_counter_mbc_end");

static char json[2048];

void app_main(void) {
    esp_err_t err = nvs_flash_init();
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        ESP_ERROR_CHECK(nvs_flash_erase());
        err = nvs_flash_init();
    }
    ESP_ERROR_CHECK(err);

    static mote_table store;
    mote_table_init(&store, 0);
    ESP_ERROR_CHECK(mote_nvs_load(&store, CONFIG_MOTE_NVS_NAMESPACE));

    /* linear memory clamped to what the VM reports it can touch, read from mote.wasm at build time */
    mote_engine_config cfg = {mote_wasm, mote_wasm_len, mote_wasm_memory_used, CONFIG_MOTE_WASM_STACK_BYTES, &store};
    char why[160];
    mote_engine *vm = mote_engine_new(&cfg, why, sizeof why);
    if (!vm) {
        ESP_LOGE(TAG, "%s", why);
        return;
    }

    const uint8_t *module = counter_mbc_start;
    uint32_t module_len = (uint32_t)(counter_mbc_end - counter_mbc_start);
    mote_call_ctx ctx = {.gas = MOTE_DEFAULT_GAS}; /* caller all zeros, timestamp and height 0 */
    mote_result r;
    if (mote_engine_call(vm, module, module_len, mote_selector("increment"), NULL, 0, &ctx, &r, why, sizeof why) != 0) {
        ESP_LOGE(TAG, "%s", why);
    } else {
        mote_result_json(&r, json, sizeof json);
        printf("%s\n", json);
        if (r.status == MOTE_ST_OK) ESP_ERROR_CHECK(mote_nvs_save(&store, CONFIG_MOTE_NVS_NAMESPACE));
    }
    mote_engine_free(vm);
}
