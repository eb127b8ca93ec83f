/* mote_host: the engine around mote.wasm — the host imports of docs/host-abi.md, loading, calls, results and
 * the storage overlay — mirroring vm/host/index.ts decision for decision so every host prints the same bytes
 * for every call. The engine that runs mote.wasm is behind mote_vm.h: wasm3 (mote_vm_wasm3.c) or mote.wasm
 * translated ahead of time by wasm2c (mote_vm_aot.c); both bind the host-function cores below. */
#include "mote_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mote_crypto.h"
#include "mote_spec.h"
#include "mote_vm.h"

struct mote_engine {
    mote_vm *vm;
    mote_host_state h;
    uint32_t module_ptr, ctx_ptr, io_ptr, io_size;
    uint8_t *loaded;          /* copy of the last module handed to mote_load, to skip reloading it */
    uint32_t loaded_len;
    int loaded_code;
    uint32_t loaded_offset;
    uint8_t id[32];
    uint8_t results[MOTE_MAX_BYTES_LEN + 3];
    uint32_t results_len;
};

static void set_err(char *err, size_t cap, const char *what, const char *detail) {
    if (err && cap) snprintf(err, cap, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
}

/* Pointer and length as the VM passes them (i32), checked against the bytes the VM may use, exactly
 * as the Node host's range(): non-negative, and ptr + len within mote_memory_used(). */
static int range_ok(const mote_host_state *h, int32_t ptr, int32_t len) {
    return ptr >= 0 && len >= 0 && (uint64_t)(uint32_t)ptr + (uint32_t)len <= h->mem_used;
}

static void clear_events(mote_host_state *h) {
    for (uint32_t i = 0; i < h->n_events; i++) free(h->events[i].bytes);
    h->n_events = 0;
}

static int32_t put_value(uint8_t *m, const mote_entry *v, int32_t out, int32_t cap) {
    if (!v || v->val_len == 0) return 0;
    if (v->val_len > (uint32_t)cap) return -1;
    memcpy(m + out, v->bytes + v->key_len, v->val_len);
    return v->val_len;
}

/* -- imports (module "env"), bound by each engine in mote_vm_*.c ------------------------------------- */

int32_t mote_hf_sload(mote_host_state *h, uint8_t *m, int32_t key_ptr, int32_t key_len, int32_t out_ptr, int32_t out_cap) {
    if (!h->in_call || !range_ok(h, key_ptr, key_len) || !range_ok(h, out_ptr, out_cap)) return -1;
    const mote_entry *v = mote_table_get(&h->overlay, h->self, m + key_ptr, (uint32_t)key_len);
    if (!v) v = mote_table_get(h->store, h->self, m + key_ptr, (uint32_t)key_len);
    return put_value(m, v, out_ptr, out_cap);
}

int32_t mote_hf_sstore(mote_host_state *h, uint8_t *m, int32_t key_ptr, int32_t key_len, int32_t val_ptr, int32_t val_len) {
    /* key_len 0 is refused: the entry with the empty key is the contract's native balance, which only
     * host_pay may change (a hostile VM would otherwise mint value by storing it). */
    if (!h->in_call || key_len < 1 || !range_ok(h, key_ptr, key_len) || !range_ok(h, val_ptr, val_len)) return -1;
    /* The VM never passes keys or values past the limits; a host that cannot store one fails the
     * call (host_error) rather than truncate it. */
    if (mote_table_put(&h->overlay, h->self, m + key_ptr, (uint32_t)key_len, m + val_ptr, (uint32_t)val_len, 1) != 0) return -1;
    return 0;
}

int32_t mote_hf_xload(mote_host_state *h, uint8_t *m, int32_t id_ptr, int32_t key_ptr, int32_t key_len, int32_t out_ptr, int32_t out_cap) {
    if (!h->in_call || !range_ok(h, id_ptr, 32) || !range_ok(h, key_ptr, key_len) || !range_ok(h, out_ptr, out_cap)) return -1;
    /* committed state only, even for this contract's own id */
    return put_value(m, mote_table_get(h->store, m + id_ptr, m + key_ptr, (uint32_t)key_len), out_ptr, out_cap);
}

static const uint8_t NO_KEY[1] = {0}; /* the balance entry's (empty) key */

static uint64_t get_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--) v = v << 8 | p[k];
    return v;
}

/* An id's native balance as this call sees it: its overlay (payments so far), else committed state.
 * Balances are the entries with the empty key, 8 bytes LE; absent = 0. */
static uint64_t balance_of(const mote_host_state *h, const uint8_t id[32]) {
    const mote_entry *v = mote_table_get(&h->overlay, id, NO_KEY, 0);
    if (!v) v = mote_table_get(h->store, id, NO_KEY, 0);
    return v && v->val_len >= 8 ? get_u64(v->bytes) : 0;
}

static int set_balance(mote_host_state *h, const uint8_t id[32], uint64_t amount) {
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(amount >> (8 * i));
    return mote_table_put(&h->overlay, id, NO_KEY, 0, b, amount ? 8 : 0, 1);
}

int32_t mote_hf_balance(mote_host_state *h, uint8_t *m, int32_t id_ptr, int32_t out_ptr) {
    if (!h->in_call || !range_ok(h, id_ptr, 32) || !range_ok(h, out_ptr, 8)) return -1;
    uint64_t v = balance_of(h, m + id_ptr);
    for (int i = 0; i < 8; i++) m[out_ptr + i] = (uint8_t)(v >> (8 * i));
    return 0;
}

/* 0 paid, 1 this contract's balance is short, 2 the recipient's balance would pass 2^64-1, -1 failure. */
int32_t mote_hf_pay(mote_host_state *h, uint8_t *m, int32_t to_ptr, int32_t amount_ptr) {
    if (!h->in_call || !range_ok(h, to_ptr, 32) || !range_ok(h, amount_ptr, 8)) return -1;
    uint8_t to[32];
    memcpy(to, m + to_ptr, 32);
    uint64_t amount = get_u64(m + amount_ptr);
    uint64_t from = balance_of(h, h->self);
    if (from < amount) return 1;
    if (memcmp(to, h->self, 32) == 0) return 0;
    uint64_t dest = balance_of(h, to);
    if (dest > UINT64_MAX - amount) return 2;
    if (set_balance(h, h->self, from - amount) != 0 || set_balance(h, to, dest + amount) != 0) return -1;
    return 0;
}

/* Whether p[0..len) is `count` well-formed tagged values (any number when count is UINT32_MAX) and
 * nothing else: the JSON encoder reads only what passed this. */
static int values_ok(const uint8_t *p, uint32_t len, uint32_t count) {
    uint32_t q = 0;
    for (uint32_t i = 0; count == UINT32_MAX ? q < len : i < count; i++) {
        if (q >= len) return 0;
        if (p[q] == MOTE_TAG_INT && len - q >= 9) q += 9;
        else if (p[q] == MOTE_TAG_BYTES && len - q >= 3) {
            uint32_t l = (uint32_t)p[q + 1] | (uint32_t)p[q + 2] << 8;
            if (len - q - 3 < l) return 0;
            q += 3 + l;
        } else return 0;
    }
    return q == len;
}

/* An event must be exactly topic:u32 count:u8 and count well-formed tagged values. */
static int event_ok(const uint8_t *p, uint32_t len) {
    return values_ok(p + 5, len - 5, p[4]);
}

int32_t mote_hf_emit(mote_host_state *h, uint8_t *m, int32_t ptr, int32_t len) {
    if (!h->in_call || !range_ok(h, ptr, len) || len < 5) return -1;
    const uint8_t *p = m + ptr;
    /* The VM stops at MAX_EVENTS itself; the host bound only keeps a hostile VM from growing RAM. */
    if (!event_ok(p, (uint32_t)len) || h->n_events >= MOTE_MAX_EVENTS) return -1;
    uint8_t *copy = malloc((size_t)len);
    if (!copy) return -1;
    memcpy(copy, p, (size_t)len);
    h->events[h->n_events].bytes = copy;
    h->events[h->n_events].len = (uint32_t)len;
    h->n_events++;
    return 0;
}

void mote_hf_sha256(mote_host_state *h, uint8_t *m, int32_t ptr, int32_t len, int32_t out_ptr) {
    /* No return value to fail with: an out-of-range request writes nothing, as in the Node host. */
    if (range_ok(h, ptr, len) && range_ok(h, out_ptr, 32)) {
        uint8_t digest[32];
        mote_sha256(m + ptr, (size_t)len, digest);
        memcpy(m + out_ptr, digest, 32);
    }
}

int32_t mote_hf_ed25519_verify(mote_host_state *h, uint8_t *m, int32_t pk_ptr, int32_t msg_ptr, int32_t msg_len, int32_t sig_ptr) {
    if (!range_ok(h, pk_ptr, 32) || !range_ok(h, msg_ptr, msg_len) || !range_ok(h, sig_ptr, 64)) return 0;
    return mote_ed25519_verify(m + pk_ptr, m + msg_ptr, (size_t)msg_len, m + sig_ptr);
}

/* -- engine ---------------------------------------------------------------------------------------- */

mote_engine *mote_engine_new(const mote_engine_config *cfg, char *err, size_t cap) {
    mote_engine *e = calloc(1, sizeof *e);
    if (!e) {
        set_err(err, cap, "out of memory creating the engine", NULL);
        return NULL;
    }
    e->h.store = cfg->store;
    e->loaded_code = -1;
    mote_table_init(&e->h.overlay, 0);
    if (!(e->vm = mote_vm_new(cfg, &e->h, err, cap))) goto fail;
    static const mote_vm_query layout[] = {MOTE_Q_MEMORY_USED, MOTE_Q_MODULE_PTR, MOTE_Q_CTX_PTR, MOTE_Q_IO_PTR, MOTE_Q_IO_SIZE};
    uint32_t *const into[] = {&e->h.mem_used, &e->module_ptr, &e->ctx_ptr, &e->io_ptr, &e->io_size};
    for (size_t i = 0; i < sizeof layout / sizeof layout[0]; i++) {
        int32_t v;
        if (mote_vm_query_i32(e->vm, layout[i], &v, err, cap)) goto fail;
        *into[i] = (uint32_t)v;
    }
    uint32_t have = mote_vm_memory_size(e->vm);
    if (e->h.mem_used > have) {
        char d[128];
        snprintf(d, sizeof d, "the VM needs %u bytes of linear memory but the clamp allows %u", (unsigned)e->h.mem_used, (unsigned)have);
        set_err(err, cap, "mote.wasm", d);
        goto fail;
    }
    if (e->io_size < MOTE_MAX_BYTES_LEN + 3) {
        set_err(err, cap, "mote.wasm", "its I/O buffer is smaller than one MAX_BYTES_LEN value");
        goto fail;
    }
    /* The host copies modules, call contexts and arguments into these areas: each must lie within
     * the memory the VM uses, or a VM given at run time would have the host write past it. */
    static const char *const areas[] = {"the module area", "the call context", "the I/O buffer"};
    const uint32_t starts[] = {e->module_ptr, e->ctx_ptr, e->io_ptr}, sizes[] = {MOTE_MODULE_MAX_BYTES, 48, e->io_size};
    for (int i = 0; i < 3; i++) {
        if ((uint64_t)starts[i] + sizes[i] > e->h.mem_used) {
            char d[160];
            snprintf(d, sizeof d, "%s (%u bytes at %u) lies outside the %u bytes the VM uses", areas[i], (unsigned)sizes[i],
                     (unsigned)starts[i], (unsigned)e->h.mem_used);
            set_err(err, cap, "mote.wasm", d);
            goto fail;
        }
    }
    if (mote_vm_started(e->vm, err, cap)) goto fail;
    return e;
fail:
    mote_engine_free(e);
    return NULL;
}

void mote_engine_free(mote_engine *e) {
    if (!e) return;
    clear_events(&e->h);
    mote_table_clear(&e->h.overlay);
    free(e->loaded);
    if (e->vm) mote_vm_free(e->vm);
    free(e);
}

int mote_engine_load(mote_engine *e, const uint8_t *module, uint32_t len, uint32_t *error_offset) {
    if (e->loaded && e->loaded_len == len && memcmp(e->loaded, module, len) == 0) {
        if (error_offset) *error_offset = e->loaded_offset;
        return e->loaded_code;
    }
    /* Too long for the module area: the VM rejects it by length alone (too_large), unwritten. */
    if (len <= MOTE_MODULE_MAX_BYTES) memcpy(mote_vm_memory(e->vm) + e->module_ptr, module, len);
    int32_t code = 0, off = 0;
    if (mote_vm_load(e->vm, len, &code, NULL, 0) || (code != 0 && mote_vm_query_i32(e->vm, MOTE_Q_ERROR_OFFSET, &off, NULL, 0))) {
        free(e->loaded); /* no module counts as loaded: the next load verifies again */
        e->loaded = NULL;
        return -1;
    }
    free(e->loaded);
    e->loaded = malloc(len ? len : 1);
    if (e->loaded) memcpy(e->loaded, module, len);
    e->loaded_len = len;
    e->loaded_code = code;
    e->loaded_offset = (uint32_t)off;
    if (code == 0) mote_sha256(module, len, e->id);
    if (error_offset) *error_offset = e->loaded_offset;
    return code;
}

const uint8_t *mote_engine_module_id(const mote_engine *e) {
    return e->id;
}

uint32_t mote_engine_io_size(const mote_engine *e) {
    return e->io_size;
}

uint8_t *mote_engine_memory(const mote_engine *e, uint32_t *used) {
    if (used) *used = e->h.mem_used;
    return mote_vm_memory(e->vm);
}

uint32_t mote_engine_wasm_stack_peak(const mote_engine *e) {
    return mote_vm_wasm_stack_peak(e->vm);
}

uint32_t mote_engine_code_bytes(const mote_engine *e, uint32_t *used) {
    return mote_vm_code_bytes(e->vm, used);
}

int64_t mote_engine_op_count(const mote_engine *e) {
    return mote_vm_op_count(e->vm);
}

static void put_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

int mote_engine_call(mote_engine *e, const uint8_t *module, uint32_t module_len, uint32_t selector,
                     const uint8_t *args, uint32_t args_len, const mote_call_ctx *ctx, mote_result *r,
                     char *err, size_t cap) {
    mote_host_state *h = &e->h;
    memset(r, 0, sizeof *r);
    clear_events(h);
    e->results_len = 0;
    uint32_t off = 0;
    int code = mote_engine_load(e, module, module_len, &off);
    if (code < 0) {
        set_err(err, cap, "mote_load trapped", NULL);
        return -1;
    }
    if (code != 0) {
        r->status = MOTE_ST_INVALID_MODULE;
        r->has_error = 1;
        r->error = code;
        r->error_offset = off;
        return 0;
    }
    if (args_len > e->io_size) {
        r->status = MOTE_ST_BAD_CALL;
        return 0;
    }
    uint8_t *m = mote_vm_memory(e->vm);
    if (args_len) memcpy(m + e->io_ptr, args, args_len); /* args may be NULL when there are none */
    memcpy(m + e->ctx_ptr, ctx->caller, 32);
    put_u64(m + e->ctx_ptr + 32, ctx->timestamp);
    put_u64(m + e->ctx_ptr + 40, ctx->height);
    memcpy(h->self, ctx->has_self ? ctx->self : e->id, 32);
    memcpy(m + e->ctx_ptr + 48, h->self, 32);
    put_u64(m + e->ctx_ptr + 80, ctx->value);

    mote_table_clear(&h->overlay);
    h->in_call = 1;
    int32_t st = 0, gas_used = 0, rlen = 0, error = 0;
    char why[160];
    int t = mote_vm_call(e->vm, selector, args_len, ctx->gas, &st, why, sizeof why);
    h->in_call = 0;
    if (t) {
        mote_table_clear(&h->overlay);
        clear_events(h);
        set_err(err, cap, "mote_call trapped (a VM fault, never a call result)", why);
        return -1;
    }
    if (st < 0 || st >= MOTE_STATUS_COUNT) {
        mote_table_clear(&h->overlay);
        clear_events(h);
        set_err(err, cap, "mote_call returned an unknown status", NULL);
        return -1;
    }
    if (mote_vm_query_i32(e->vm, MOTE_Q_GAS_USED, &gas_used, err, cap)) return -1;
    r->status = st;
    r->gas_used = gas_used;
    if (st == MOTE_ST_REVERT || st == MOTE_ST_INVALID_MODULE) {
        if (mote_vm_query_i32(e->vm, MOTE_Q_ERROR, &error, err, cap)) return -1;
        r->has_error = 1;
        r->error = error;
    }
    if (st != MOTE_ST_OK) {
        int32_t stop = -1;
        if (mote_vm_query_i32(e->vm, MOTE_Q_STOP_OFFSET, &stop, err, cap)) return -1;
        r->has_stop = stop >= 0;
        r->stop_offset = stop;
        mote_table_clear(&h->overlay);
        clear_events(h);
        return 0;
    }
    if (mote_vm_query_i32(e->vm, MOTE_Q_RESULT_LEN, &rlen, err, cap)) return -1;
    if (rlen < 0 || (uint32_t)rlen > sizeof e->results || !range_ok(h, (int32_t)e->io_ptr, rlen)) {
        set_err(err, cap, "mote_result_len is outside the I/O buffer", NULL);
        return -1;
    }
    if (!values_ok(m + e->io_ptr, (uint32_t)rlen, UINT32_MAX)) {
        set_err(err, cap, "mote_call left malformed tagged results", NULL);
        return -1;
    }
    memcpy(e->results, m + e->io_ptr, (size_t)rlen);
    e->results_len = (uint32_t)rlen;
    r->results = e->results;
    r->results_len = e->results_len;
    r->events = h->events;
    r->n_events = h->n_events;
    if (mote_table_commit(h->store, &h->overlay) != 0) {
        set_err(err, cap, "committing the call's storage writes", "out of memory or the table is full");
        return -1;
    }
    return 0;
}

static int uleb(const uint8_t *p, uint32_t end, uint32_t *at, uint32_t *out) {
    uint32_t v = 0;
    for (int shift = 0; shift < 35 && *at < end; shift += 7) {
        uint8_t b = p[(*at)++];
        v |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

int mote_module_has_export(const uint8_t *m, uint32_t len, uint32_t selector) {
    uint32_t at = 5;
    while (at < len) {
        uint8_t id = m[at++];
        uint32_t size;
        if (uleb(m, len, &at, &size) || size > len - at) return 0;
        if (id == 4) {
            uint32_t end = at + size, count;
            if (uleb(m, end, &at, &count)) return 0;
            for (uint32_t i = 0; i < count; i++) {
                uint32_t func;
                if (end - at < 4) return 0;
                uint32_t sel = (uint32_t)m[at] | (uint32_t)m[at + 1] << 8 | (uint32_t)m[at + 2] << 16 | (uint32_t)m[at + 3] << 24;
                at += 4;
                if (uleb(m, end, &at, &func) || end - at < 3) return 0;
                at += 3;
                if (sel == selector) return 1;
            }
            return 0;
        }
        at += size;
    }
    return 0;
}

/* -- JSON ------------------------------------------------------------------------------------------- */

typedef struct {
    char *buf;
    size_t cap, len;
} out_t;

static void emit(out_t *o, const char *s, size_t n) {
    if (o->len < o->cap) memcpy(o->buf + o->len, s, n < o->cap - o->len ? n : o->cap - o->len);
    o->len += n;
}
static void emits(out_t *o, const char *s) {
    emit(o, s, strlen(s));
}
static void emit_u64(out_t *o, uint64_t v) {
    char t[21];
    int i = 20;
    t[i] = 0;
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    emits(o, t + i);
}
static void emit_i32(out_t *o, int32_t v) {
    if (v < 0) {
        emits(o, "-");
        emit_u64(o, (uint64_t)(-(int64_t)v));
    } else emit_u64(o, (uint64_t)v);
}

/* Emits count tagged values from p (already validated) as JSON strings; returns bytes consumed. */
static uint32_t emit_values(out_t *o, const uint8_t *p, uint32_t len, uint32_t count) {
    static const char hex[] = "0123456789abcdef";
    uint32_t q = 0;
    for (uint32_t i = 0; (count == UINT32_MAX ? q < len : i < count); i++) {
        if (i) emits(o, ",");
        emits(o, "\"");
        if (p[q] == MOTE_TAG_INT) {
            uint64_t v = 0;
            for (int k = 7; k >= 0; k--) v = v << 8 | p[q + 1 + k];
            emit_u64(o, v);
            q += 9;
        } else {
            uint32_t l = (uint32_t)p[q + 1] | (uint32_t)p[q + 2] << 8;
            emits(o, "0x");
            for (uint32_t k = 0; k < l; k++) {
                char h[2] = {hex[p[q + 3 + k] >> 4], hex[p[q + 3 + k] & 15]};
                emit(o, h, 2);
            }
            q += 3 + l;
        }
        emits(o, "\"");
    }
    return q;
}

size_t mote_result_json(const mote_result *r, char *buf, size_t cap) {
    out_t o = {buf, cap, 0};
    emits(&o, "{\"status\":\"");
    emits(&o, mote_status_names[r->status]);
    emits(&o, "\",\"gasUsed\":");
    emit_i32(&o, r->gas_used);
    emits(&o, ",\"returns\":[");
    if (r->results_len) emit_values(&o, r->results, r->results_len, UINT32_MAX);
    emits(&o, "],\"events\":[");
    for (uint32_t i = 0; i < r->n_events; i++) {
        const uint8_t *p = r->events[i].bytes;
        if (i) emits(&o, ",");
        emits(&o, "{\"topic\":\"");
        emit_u64(&o, (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        emits(&o, "\",\"values\":[");
        emit_values(&o, p + 5, r->events[i].len - 5, p[4]);
        emits(&o, "]}");
    }
    emits(&o, "],\"error\":");
    /* error ids are u32 (the revert/require immediate, a verifier code): reported unsigned as the Node host does */
    if (r->has_error) emit_u64(&o, (uint32_t)r->error);
    else emits(&o, "null");
    emits(&o, ",\"at\":");
    if (r->has_stop) emit_i32(&o, r->stop_offset);
    else emits(&o, "null");
    emits(&o, "}");
    if (cap) buf[o.len < cap ? o.len : cap - 1] = 0;
    return o.len;
}
