/* mote_nvs: contract storage persisted in NVS — the RAM table loaded at boot and written back after every
 * committed call, as one blob holding the same image as mote-host's state file (src/mote_store.h). */
#ifndef MOTE_NVS_H
#define MOTE_NVS_H

#include "esp_err.h"
#include "mote_store.h"

/* Loads the committed state from NVS into an empty table; an absent blob is an empty state. */
esp_err_t mote_nvs_load(mote_table *table, const char *ns);

/* Writes the whole table as one blob and commits: NVS replaces a blob atomically, so a power cut leaves
 * the state of the previous call or of this one, never a mix. */
esp_err_t mote_nvs_save(const mote_table *table, const char *ns);

#endif
