/* mote_store: contract storage in RAM, a sorted table of (contract id, key) -> value, used both as the
 * committed state and as a call's overlay; plus the state file that stands in for NVS flash. */
#ifndef MOTE_STORE_H
#define MOTE_STORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t id[32];     /* contract (module) id */
    uint8_t key_len;    /* 1..MAX_KEY_BYTES; 0 is the id's native balance (value: u64 LE, 8 bytes) */
    uint16_t val_len;   /* 0 only in an overlay, where it records a deletion */
    uint8_t *bytes;     /* key_len bytes of key, then val_len bytes of value (one allocation) */
} mote_entry;

typedef struct {
    mote_entry *e;
    uint32_t n, cap;
    uint32_t max_entries; /* 0 = unbounded; a firmware sets its NVS budget here */
} mote_table;

void mote_table_init(mote_table *t, uint32_t max_entries);
void mote_table_clear(mote_table *t);

/* The entry for (id, key), or NULL. */
const mote_entry *mote_table_get(const mote_table *t, const uint8_t id[32], const uint8_t *key, uint32_t key_len);

/* Sets (id, key) to the value. keep_empty = 0: an empty value deletes (committed state);
 * keep_empty = 1: an empty value is stored as a tombstone (overlay). 0, or -1 when out of memory or full. */
int mote_table_put(mote_table *t, const uint8_t id[32], const uint8_t *key, uint32_t key_len,
                   const uint8_t *val, uint32_t val_len, int keep_empty);

/* Applies every overlay entry to the committed table (tombstones delete) and empties the overlay. */
int mote_table_commit(mote_table *committed, mote_table *overlay);

/*
 * State file (little-endian), see docs/embedding.md:
 *   "MOTS" version:u8 (1) reserved:3B (0) count:u32
 *   count x { id:32B key_len:u8 key[key_len] val_len:u16 val[val_len] }   sorted by (id, key), val_len >= 1
 *   (key_len 0: the id's native balance, val_len 8)
 *   sha256:32B of every byte before it
 */
#define MOTE_STATE_VERSION 1

/* Serializes the table into a malloc'd buffer; NULL when out of memory. */
uint8_t *mote_state_encode(const mote_table *t, size_t *out_len);

/* Parses a state file image into an empty table. 0, or -1 with a one-line reason in err
 * (naming the byte offset and field). */
int mote_state_decode(mote_table *t, const uint8_t *buf, size_t len, char *err, size_t err_cap);

#endif
