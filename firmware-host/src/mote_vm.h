/* mote_vm: the seam between the engine (mote_host.c: loading, calls, results, storage overlay) and the engine
 * that runs mote.wasm. Two implement it from the same mote.wasm:
 *   mote_vm_wasm3.c  wasm3 interprets mote.wasm, given as bytes at run time (the VM updatable without reflashing);
 *   mote_vm_aot.c    mote.wasm translated ahead of time to C by wasm2c, compiled into the firmware (code in flash).
 * A binary links exactly one. Both bind the same host-function cores below, so the checks and results of the
 * host ABI (docs/host-abi.md) are one C implementation whichever engine calls them. */
#ifndef MOTE_VM_H
#define MOTE_VM_H

#include <stddef.h>
#include <stdint.h>

#include "mote_host.h"
#include "mote_spec.h"
#include "mote_store.h"

/* What the host functions see of the engine: the running call's state. */
typedef struct {
    mote_table *store;        /* committed state, owned by the caller */
    mote_table overlay;       /* the running call's writes; committed on ok, discarded otherwise */
    int in_call;
    mote_event events[MOTE_MAX_EVENTS];
    uint32_t n_events;
    uint8_t self[32];         /* the running call's instance id: whose storage and balance it uses */
    uint32_t mem_used;        /* mote_memory_used(): every pointer the VM passes is checked against it */
} mote_host_state;

/* The eight imports of module "env", engine-independent. m is the VM's linear memory; arguments are the i32s
 * the VM passed, checked here (never by the binding) exactly as vm/host/index.ts checks them. */
int32_t mote_hf_sload(mote_host_state *h, uint8_t *m, int32_t key_ptr, int32_t key_len, int32_t out_ptr, int32_t out_cap);
int32_t mote_hf_sstore(mote_host_state *h, uint8_t *m, int32_t key_ptr, int32_t key_len, int32_t val_ptr, int32_t val_len);
int32_t mote_hf_xload(mote_host_state *h, uint8_t *m, int32_t id_ptr, int32_t key_ptr, int32_t key_len, int32_t out_ptr, int32_t out_cap);
int32_t mote_hf_balance(mote_host_state *h, uint8_t *m, int32_t id_ptr, int32_t out_ptr);
int32_t mote_hf_pay(mote_host_state *h, uint8_t *m, int32_t to_ptr, int32_t amount_ptr);
int32_t mote_hf_emit(mote_host_state *h, uint8_t *m, int32_t ptr, int32_t len);
void mote_hf_sha256(mote_host_state *h, uint8_t *m, int32_t ptr, int32_t len, int32_t out_ptr);
int32_t mote_hf_ed25519_verify(mote_host_state *h, uint8_t *m, int32_t pk_ptr, int32_t msg_ptr, int32_t msg_len, int32_t sig_ptr);

/* The VM's argument-less i32 exports the engine reads. */
typedef enum {
    MOTE_Q_MEMORY_USED,
    MOTE_Q_MODULE_PTR,
    MOTE_Q_CTX_PTR,
    MOTE_Q_IO_PTR,
    MOTE_Q_IO_SIZE,
    MOTE_Q_GAS_USED,
    MOTE_Q_RESULT_LEN,
    MOTE_Q_ERROR,
    MOTE_Q_ERROR_OFFSET,
    MOTE_Q_STOP_OFFSET,
    MOTE_Q_COUNT
} mote_vm_query;

typedef struct mote_vm mote_vm;

/* Creates and instantiates the VM with its imports bound to h. Linear memory is cfg->memory_limit bytes
 * (0: the whole declared page), every access bounds-checked against it. NULL and a reason in err on failure. */
mote_vm *mote_vm_new(const mote_engine_config *cfg, mote_host_state *h, char *err, size_t cap);
void mote_vm_free(mote_vm *vm);
/* Called once the engine has read the VM's layout, before the first load: wasm3 drops the code those reads
 * compiled, so a load starts from the entry points alone. */
int mote_vm_started(mote_vm *vm, char *err, size_t cap);
/* The linear memory and how many bytes of it exist (the clamp). */
uint8_t *mote_vm_memory(const mote_vm *vm);
uint32_t mote_vm_memory_size(const mote_vm *vm);
/* Each returns 0, or -1 when the VM trapped (a VM fault, never a contract's doing) with a reason in err. */
int mote_vm_query_i32(mote_vm *vm, mote_vm_query q, int32_t *out, char *err, size_t cap);
int mote_vm_load(mote_vm *vm, uint32_t len, int32_t *code, char *err, size_t cap);
int mote_vm_call(mote_vm *vm, uint32_t selector, uint32_t args_len, uint32_t gas, int32_t *status, char *err, size_t cap);
/* Diagnostics (--stats): wasm3's value stack and compiled code; 0 where the engine has none. */
uint32_t mote_vm_wasm_stack_peak(const mote_vm *vm);
uint32_t mote_vm_code_bytes(const mote_vm *vm, uint32_t *used);
int64_t mote_vm_op_count(const mote_vm *vm);
/* "wasm3" or "aot". */
const char *mote_vm_engine_name(void);

#endif
