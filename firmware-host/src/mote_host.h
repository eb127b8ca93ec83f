/* mote_host: the Mote VM (mote.wasm) inside wasm3 with the host ABI of docs/host-abi.md — the part a
 * firmware links. Storage, events, crypto and context live here; argument parsing and files do not. */
#ifndef MOTE_HOST_H
#define MOTE_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "mote_store.h"

typedef struct mote_engine mote_engine;

typedef struct {
    uint8_t caller[32];
    uint64_t timestamp;
    uint64_t height;
    uint32_t gas;
    int has_self;            /* 0: the call runs as the module id (SHA-256 of the module) */
    uint8_t self[32];        /* the contract instance the call runs as: its storage and balance */
    uint64_t value;          /* native value attached to the call (value()) */
} mote_call_ctx;

/* One event as the VM emitted it: topic:u32 count:u8 then count tagged values (vm/spec/format.ts). */
typedef struct {
    uint8_t *bytes;
    uint32_t len;
} mote_event;

typedef struct {
    int status;              /* MOTE_ST_* */
    int32_t gas_used;        /* mote_gas_used() as the VM returns it (an i32) */
    int has_error;           /* revert and invalid_module carry an error number */
    int32_t error;           /* mote_error() as the VM returns it (an i32 holding a u32 id; reported unsigned) */
    uint32_t error_offset;   /* invalid_module: byte offset in the module */
    int has_stop;            /* a call not ending ok: an instruction stopped it */
    int32_t stop_offset;     /* mote_stop_offset(): module byte offset inside that instruction */
    const uint8_t *results;  /* tagged results (ok only); valid until the next call */
    uint32_t results_len;
    const mote_event *events;
    uint32_t n_events;
} mote_result;

typedef struct {
    const uint8_t *wasm;     /* the VM; must stay valid (wasm3 parses it in place) */
    uint32_t wasm_len;
    uint32_t memory_limit;   /* bytes of linear memory to allocate (wasm3 memoryLimit); 0 = the whole page */
    uint32_t wasm_stack_bytes;
    mote_table *store;       /* committed state, owned by the caller */
} mote_engine_config;

/* Creates the engine: wasm3 environment and runtime, the VM parsed, linked and instantiated. On failure
 * returns NULL and a one-line reason in err. */
mote_engine *mote_engine_new(const mote_engine_config *cfg, char *err, size_t err_cap);
void mote_engine_free(mote_engine *e);

/* Loads (verifies) a module unless it is already the loaded one. Returns 0 or the verifier code;
 * a module longer than MODULE_MAX_BYTES is handed to the VM by length only, as the Node host does. */
int mote_engine_load(mote_engine *e, const uint8_t *module, uint32_t len, uint32_t *error_offset);

/* The id (SHA-256) of the loaded module. */
const uint8_t *mote_engine_module_id(const mote_engine *e);

/* Calls the export with this selector. args are tagged values (vm/spec/format.ts). Returns 0 with r
 * filled, or -1 when the VM trapped (a VM bug, never a call result) with a reason in err. */
int mote_engine_call(mote_engine *e, const uint8_t *module, uint32_t module_len, uint32_t selector,
                     const uint8_t *args, uint32_t args_len, const mote_call_ctx *ctx, mote_result *r,
                     char *err, size_t err_cap);

/* The size of the VM's I/O buffer (tagged arguments must fit in it). */
uint32_t mote_engine_io_size(const mote_engine *e);

/* The VM's linear memory and the size the host allows it to touch (mote_memory_used()). */
uint8_t *mote_engine_memory(const mote_engine *e, uint32_t *used);

/* Bytes of wasm3's value stack never written so far (its stack is painted at creation). */
uint32_t mote_engine_wasm_stack_peak(const mote_engine *e);

/* Bytes of heap held by wasm3's compiled-code pages, and how many of them hold code. */
uint32_t mote_engine_code_bytes(const mote_engine *e, uint32_t *used);

/* The VM's own count of dispatched instructions when it exports an i64 global `mote_op_count`
 * (the instrumented build of scripts/opcount.ts); -1 for the production VM, which has none. */
int64_t mote_engine_op_count(const mote_engine *e);

/* The selector of an export name: the first 4 bytes of SHA-256(name), little-endian. */
uint32_t mote_selector(const char *name);

/* Whether the verified module exports this selector (reads its EXPORTS section). */
int mote_module_has_export(const uint8_t *module, uint32_t len, uint32_t selector);

/* Appends the result's canonical JSON (docs/host-abi.md) to buf; returns the length it needs
 * (call with cap 0 to size it), like snprintf. */
size_t mote_result_json(const mote_result *r, char *buf, size_t cap);

#endif
