/* mote_store: the sorted RAM table behind host_sload/host_sstore/host_xload and the state-file codec.
 * Binary search keeps lookups O(log n) for the fuzzer's thousands of calls; a firmware holds a few dozen. */
#include "mote_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mote_crypto.h"
#include "mote_spec.h"

void mote_table_init(mote_table *t, uint32_t max_entries) {
    t->e = NULL;
    t->n = t->cap = 0;
    t->max_entries = max_entries;
}

void mote_table_clear(mote_table *t) {
    for (uint32_t i = 0; i < t->n; i++) free(t->e[i].bytes);
    free(t->e);
    t->e = NULL;
    t->n = t->cap = 0;
}

/* Order: id bytes, then key bytes, a proper prefix first. The state file and the TS codec use it too. */
static int cmp(const uint8_t id[32], const uint8_t *key, uint32_t key_len, const mote_entry *e) {
    int c = memcmp(id, e->id, 32);
    if (c) return c;
    uint32_t m = key_len < e->key_len ? key_len : e->key_len;
    c = memcmp(key, e->bytes, m);
    if (c) return c;
    return (int)key_len - (int)e->key_len;
}

static uint32_t lower_bound(const mote_table *t, const uint8_t id[32], const uint8_t *key, uint32_t key_len, int *found) {
    uint32_t lo = 0, hi = t->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (cmp(id, key, key_len, &t->e[mid]) > 0) lo = mid + 1;
        else hi = mid;
    }
    *found = lo < t->n && cmp(id, key, key_len, &t->e[lo]) == 0;
    return lo;
}

const mote_entry *mote_table_get(const mote_table *t, const uint8_t id[32], const uint8_t *key, uint32_t key_len) {
    int found;
    uint32_t i = lower_bound(t, id, key, key_len, &found);
    return found ? &t->e[i] : NULL;
}

int mote_table_put(mote_table *t, const uint8_t id[32], const uint8_t *key, uint32_t key_len,
                   const uint8_t *val, uint32_t val_len, int keep_empty) {
    if (key_len > MOTE_MAX_KEY_BYTES || val_len > MOTE_MAX_BYTES_LEN || (key_len == 0 && val_len != 0 && val_len != 8)) return -1;
    int found;
    uint32_t i = lower_bound(t, id, key, key_len, &found);
    if (val_len == 0 && !keep_empty) {
        if (found) {
            free(t->e[i].bytes);
            memmove(&t->e[i], &t->e[i + 1], (t->n - i - 1) * sizeof *t->e);
            t->n--;
        }
        return 0;
    }
    uint8_t *b = malloc(key_len + val_len ? key_len + val_len : 1);
    if (!b) return -1;
    memcpy(b, key, key_len);
    if (val_len) memcpy(b + key_len, val, val_len);
    if (found) {
        free(t->e[i].bytes);
        t->e[i].bytes = b;
        t->e[i].val_len = (uint16_t)val_len;
        return 0;
    }
    if (t->max_entries && t->n >= t->max_entries) {
        free(b);
        return -1;
    }
    if (t->n == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 8;
        mote_entry *ne = realloc(t->e, cap * sizeof *ne);
        if (!ne) {
            free(b);
            return -1;
        }
        t->e = ne;
        t->cap = cap;
    }
    memmove(&t->e[i + 1], &t->e[i], (t->n - i) * sizeof *t->e);
    memcpy(t->e[i].id, id, 32);
    t->e[i].key_len = (uint8_t)key_len;
    t->e[i].val_len = (uint16_t)val_len;
    t->e[i].bytes = b;
    t->n++;
    return 0;
}

int mote_table_commit(mote_table *committed, mote_table *overlay) {
    int rc = 0;
    for (uint32_t i = 0; i < overlay->n; i++) {
        const mote_entry *e = &overlay->e[i];
        if (mote_table_put(committed, e->id, e->bytes, e->key_len, e->bytes + e->key_len, e->val_len, 0) != 0) rc = -1;
    }
    mote_table_clear(overlay);
    return rc;
}

static void put_u16(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void put_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

uint8_t *mote_state_encode(const mote_table *t, size_t *out_len) {
    size_t len = 12 + 32;
    for (uint32_t i = 0; i < t->n; i++) len += 32 + 1 + t->e[i].key_len + 2 + t->e[i].val_len;
    uint8_t *b = malloc(len), *p = b;
    if (!b) return NULL;
    memcpy(p, "MOTS", 4);
    p[4] = MOTE_STATE_VERSION;
    p[5] = p[6] = p[7] = 0;
    put_u32(p + 8, t->n);
    p += 12;
    for (uint32_t i = 0; i < t->n; i++) {
        const mote_entry *e = &t->e[i];
        memcpy(p, e->id, 32);
        p[32] = e->key_len;
        memcpy(p + 33, e->bytes, e->key_len);
        p += 33 + e->key_len;
        put_u16(p, e->val_len);
        memcpy(p + 2, e->bytes + e->key_len, e->val_len);
        p += 2 + e->val_len;
    }
    mote_sha256(b, (size_t)(p - b), p);
    *out_len = len;
    return b;
}

int mote_state_decode(mote_table *t, const uint8_t *buf, size_t len, char *err, size_t cap) {
#define FAIL(...) do { snprintf(err, cap, __VA_ARGS__); mote_table_clear(t); return -1; } while (0)
    if (len < 12 + 32) FAIL("byte 0: file is %zu bytes, shorter than the 44-byte empty state", len);
    if (memcmp(buf, "MOTS", 4) != 0) FAIL("byte 0: magic is not \"MOTS\"");
    if (buf[4] != MOTE_STATE_VERSION) FAIL("byte 4: version %u is not %u", (unsigned)buf[4], (unsigned)MOTE_STATE_VERSION);
    if (buf[5] | buf[6] | buf[7]) FAIL("byte 5: reserved bytes are not zero");
    uint8_t digest[32];
    mote_sha256(buf, len - 32, digest);
    if (memcmp(digest, buf + len - 32, 32) != 0) FAIL("byte %zu: SHA-256 trailer does not match the contents (torn or corrupted write)", len - 32);
    uint32_t count = (uint32_t)buf[8] | (uint32_t)buf[9] << 8 | (uint32_t)buf[10] << 16 | (uint32_t)buf[11] << 24;
    size_t p = 12, end = len - 32;
    const mote_entry *prev = NULL;
    for (uint32_t i = 0; i < count; i++) {
        size_t at = p;
        if (end - p < 33) FAIL("byte %zu: entry %u is truncated (id and key length)", at, (unsigned)i);
        uint32_t kl = buf[p + 32];
        if (kl > MOTE_MAX_KEY_BYTES) FAIL("byte %zu: entry %u key length %u is outside 0..%u", p + 32, (unsigned)i, (unsigned)kl, MOTE_MAX_KEY_BYTES);
        if (end - p - 33 < kl + 2) FAIL("byte %zu: entry %u is truncated (key and value length)", p + 33, (unsigned)i);
        const uint8_t *id = buf + p, *key = buf + p + 33;
        p += 33 + kl;
        uint32_t vl = (uint32_t)buf[p] | (uint32_t)buf[p + 1] << 8;
        if (vl == 0 || vl > MOTE_MAX_BYTES_LEN) FAIL("byte %zu: entry %u value length %u is outside 1..%u", p, (unsigned)i, (unsigned)vl, MOTE_MAX_BYTES_LEN);
        if (end - p - 2 < vl) FAIL("byte %zu: entry %u value is truncated", p + 2, (unsigned)i);
        if (kl == 0 && vl != 8) FAIL("byte %zu: entry %u is a balance (empty key) but its value is %u bytes, not 8", p, (unsigned)i, (unsigned)vl);
        if (prev && cmp(id, key, kl, prev) <= 0) FAIL("byte %zu: entry %u is not in (id, key) order after the previous one", at, (unsigned)i);
        if (mote_table_put(t, id, key, kl, buf + p + 2, vl, 0) != 0) FAIL("byte %zu: entry %u does not fit in memory", at, (unsigned)i);
        prev = &t->e[t->n - 1];
        p += 2 + vl;
    }
    if (p != end) FAIL("byte %zu: %zu bytes after the last of %u entries", p, end - p, (unsigned)count);
    return 0;
#undef FAIL
}
