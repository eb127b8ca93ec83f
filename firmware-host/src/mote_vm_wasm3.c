/* mote_vm_wasm3: mote.wasm interpreted by wasm3 (mote_vm.h). The VM is bytes given at run time, so a firmware
 * can update it without reflashing; wasm3 translates each function to threaded code in RAM on its first call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "m3_code.h" /* internal: code pages, to report what compiled code costs in RAM */
#include "m3_compile.h" /* internal: CompileFunction, to compile the interpreter back after a verification */
#include "m3_env.h"  /* internal: runtime->memoryLimit clamps linear memory, runtime->stack is painted */
#include "mote_vm.h"
#include "wasm3.h"

#define STACK_PAINT 0xA5

struct mote_vm {
    IM3Environment env;
    IM3Runtime rt;
    IM3Module mod;
    IM3Function f_load, f_call, f_query[MOTE_Q_COUNT];
    uint8_t *run_set;         /* per wasm function: 1 if a call ever compiled it (the interpreter's side) */
};

static const char *const query_names[MOTE_Q_COUNT] = {
    "mote_memory_used", "mote_module_ptr", "mote_ctx_ptr", "mote_io_ptr", "mote_io_size",
    "mote_gas_used", "mote_result_len", "mote_error", "mote_error_offset", "mote_stop_offset",
};

static void set_err(char *err, size_t cap, const char *what, const char *detail) {
    if (err && cap) snprintf(err, cap, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
}

static uint8_t *mem(IM3Runtime rt) {
    return m3_GetMemory(rt, NULL, 0);
}

/* -- imports (module "env"): wasm3's raw calling convention around the shared cores -------------------- */

#define HOST_STATE ((mote_host_state *)m3_GetUserData(runtime))

m3ApiRawFunction(host_sload) {
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, key_ptr);
    m3ApiGetArg(int32_t, key_len);
    m3ApiGetArg(int32_t, out_ptr);
    m3ApiGetArg(int32_t, out_cap);
    (void)_ctx;
    (void)_mem;
    m3ApiReturn(mote_hf_sload(HOST_STATE, mem(runtime), key_ptr, key_len, out_ptr, out_cap));
}

m3ApiRawFunction(host_sstore) {
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, key_ptr);
    m3ApiGetArg(int32_t, key_len);
    m3ApiGetArg(int32_t, val_ptr);
    m3ApiGetArg(int32_t, val_len);
    (void)_ctx;
    (void)_mem;
    m3ApiReturn(mote_hf_sstore(HOST_STATE, mem(runtime), key_ptr, key_len, val_ptr, val_len));
}

m3ApiRawFunction(host_xload) {
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, id_ptr);
    m3ApiGetArg(int32_t, key_ptr);
    m3ApiGetArg(int32_t, key_len);
    m3ApiGetArg(int32_t, out_ptr);
    m3ApiGetArg(int32_t, out_cap);
    (void)_ctx;
    (void)_mem;
    m3ApiReturn(mote_hf_xload(HOST_STATE, mem(runtime), id_ptr, key_ptr, key_len, out_ptr, out_cap));
}

m3ApiRawFunction(host_balance) {
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, id_ptr);
    m3ApiGetArg(int32_t, out_ptr);
    (void)_ctx;
    (void)_mem;
    m3ApiReturn(mote_hf_balance(HOST_STATE, mem(runtime), id_ptr, out_ptr));
}

m3ApiRawFunction(host_pay) {
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, to_ptr);
    m3ApiGetArg(int32_t, amount_ptr);
    (void)_ctx;
    (void)_mem;
    m3ApiReturn(mote_hf_pay(HOST_STATE, mem(runtime), to_ptr, amount_ptr));
}

m3ApiRawFunction(host_emit) {
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, ptr);
    m3ApiGetArg(int32_t, len);
    (void)_ctx;
    (void)_mem;
    m3ApiReturn(mote_hf_emit(HOST_STATE, mem(runtime), ptr, len));
}

m3ApiRawFunction(host_sha256) {
    m3ApiGetArg(int32_t, ptr);
    m3ApiGetArg(int32_t, len);
    m3ApiGetArg(int32_t, out_ptr);
    (void)_ctx;
    (void)_mem;
    mote_hf_sha256(HOST_STATE, mem(runtime), ptr, len, out_ptr);
    m3ApiSuccess();
}

m3ApiRawFunction(host_ed25519_verify) {
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, pk_ptr);
    m3ApiGetArg(int32_t, msg_ptr);
    m3ApiGetArg(int32_t, msg_len);
    m3ApiGetArg(int32_t, sig_ptr);
    (void)_ctx;
    (void)_mem;
    m3ApiReturn(mote_hf_ed25519_verify(HOST_STATE, mem(runtime), pk_ptr, msg_ptr, msg_len, sig_ptr));
}

static const struct {
    const char *name, *sig;
    M3RawCall fn;
} imports[] = {
    {"host_sload", "i(iiii)", host_sload},
    {"host_sstore", "i(iiii)", host_sstore},
    {"host_xload", "i(iiiii)", host_xload},
    {"host_emit", "i(ii)", host_emit},
    {"host_sha256", "v(iii)", host_sha256},
    {"host_ed25519_verify", "i(iiii)", host_ed25519_verify},
    {"host_balance", "i(ii)", host_balance},
    {"host_pay", "i(ii)", host_pay},
};

static M3Result link_imports(mote_vm *e) {
    for (size_t i = 0; i < sizeof imports / sizeof imports[0]; i++) {
        M3Result r = m3_LinkRawFunction(e->mod, "env", imports[i].name, imports[i].sig, imports[i].fn);
        if (r && r != m3Err_functionLookupFailed) return r;
    }
    return m3Err_none;
}

/* Compiled code is a cache of mote.wasm: wasm3 compiles each function on its first call into code pages
 * that it never frees. The verifier (mote_load's functions) and the interpreter (mote_call's) never run in
 * the same call, and together their compiled code is most of the engine's RAM (on RV32 about 15 KB for the
 * verifier and 28 KB for the interpreter), so the engine holds one side at a time: every verification
 * starts from no compiled code and, once it is done, the code is dropped again and the functions calls
 * have compiled before are compiled back (those never compiled yet compile on their first call, as
 * before). Results cannot change: only where wasm3 keeps its translation of the same functions does. */
static M3Result reset_code(mote_vm *e, int with_run_set) {
    IM3Module m = e->mod;
    for (u32 i = 0; i < m->numFunctions; i++) {
        IM3Function f = &m->functions[i];
        f->compiled = NULL;
        m3_Free(f->constants);
        f->constants = NULL;
        f->numConstantBytes = 0;
    }
    FreeCodePages(&e->rt->pagesOpen);
    FreeCodePages(&e->rt->pagesFull);
    e->rt->pagesOpen = e->rt->pagesFull = NULL;
    e->rt->numCodePages = e->rt->numActiveCodePages = 0;
    M3Result r = link_imports(e);
    /* The entry points the host calls directly (wasm3 calls only compiled functions) and, after a load, the
     * run set, in index order: asc emits a callee before its callers, so each call site compiles to a direct
     * call rather than to wasm3's compile-on-first-call op (which would patch itself inside a measured call). */
    IM3Function entry[] = {e->f_load, e->f_call, e->f_query[MOTE_Q_GAS_USED], e->f_query[MOTE_Q_RESULT_LEN], e->f_query[MOTE_Q_ERROR],
                           e->f_query[MOTE_Q_ERROR_OFFSET], e->f_query[MOTE_Q_STOP_OFFSET]};
    for (u32 i = 0; !r && i < m->numFunctions; i++) {
        IM3Function f = &m->functions[i];
        int want = with_run_set && e->run_set[i];
        for (size_t k = 0; !want && k < sizeof entry / sizeof entry[0]; k++) want = entry[k] == f;
        if (want && f->wasm) r = CompileFunction(f);
    }
    return r;
}

/* Drops the interpreter's compiled code before a verification, remembering which functions it held. */
static M3Result code_for_load(mote_vm *e) {
    IM3Module m = e->mod;
    for (u32 i = 0; i < m->numFunctions; i++)
        if (m->functions[i].wasm && m->functions[i].compiled) e->run_set[i] = 1;
    return reset_code(e, 0);
}

/* Drops the verifier's compiled code after a verification and compiles the interpreter's back. */
static M3Result code_for_calls(mote_vm *e) {
    return reset_code(e, 1);
}


static int call_i32(IM3Function f, int32_t *out, char *err, size_t cap) {
    M3Result r = m3_CallV(f);
    if (!r) r = m3_GetResultsV(f, out);
    if (r) {
        set_err(err, cap, m3_GetFunctionName(f), r);
        return -1;
    }
    return 0;
}

static int find(mote_vm *e, IM3Function *f, const char *name, char *err, size_t cap) {
    M3Result r = m3_FindFunction(f, e->rt, name);
    if (r) {
        char what[96];
        snprintf(what, sizeof what, "mote.wasm export %s", name);
        set_err(err, cap, what, r);
        return -1;
    }
    return 0;
}

const char *mote_vm_engine_name(void) {
    return "wasm3";
}

mote_vm *mote_vm_new(const mote_engine_config *cfg, mote_host_state *h, char *err, size_t cap) {
    mote_vm *e = calloc(1, sizeof *e);
    if (!e) {
        set_err(err, cap, "out of memory creating the engine", NULL);
        return NULL;
    }
    M3Result r;
    e->env = m3_NewEnvironment();
    if (!e->env) goto oom;
    e->rt = m3_NewRuntime(e->env, cfg->wasm_stack_bytes, h);
    if (!e->rt) goto oom;
    /* Paint wasm3's value stack so its high-water mark can be read after calls; wasm3 zeroes each
     * frame's locals itself, so the paint never leaks into execution. */
    memset(e->rt->stack, STACK_PAINT, e->rt->stackSize ? e->rt->stackSize : cfg->wasm_stack_bytes);
    e->rt->memoryLimit = cfg->memory_limit;
    if ((r = m3_ParseModule(e->env, &e->mod, cfg->wasm, cfg->wasm_len))) {
        set_err(err, cap, "parsing mote.wasm", r);
        goto fail;
    }
    if ((r = m3_LoadModule(e->rt, e->mod))) {
        set_err(err, cap, "instantiating mote.wasm", r);
        m3_FreeModule(e->mod);
        goto fail;
    }
    if ((r = link_imports(e))) {
        set_err(err, cap, "linking the host imports", r);
        goto fail;
    }
    if (find(e, &e->f_load, "mote_load", err, cap) || find(e, &e->f_call, "mote_call", err, cap)) goto fail;
    for (int q = 0; q < MOTE_Q_COUNT; q++)
        if (find(e, &e->f_query[q], query_names[q], err, cap)) goto fail;
    e->run_set = calloc(e->mod->numFunctions ? e->mod->numFunctions : 1, 1);
    if (!e->run_set) goto oom;
    return e;
oom:
    set_err(err, cap, "out of memory creating the wasm3 runtime", NULL);
fail:
    mote_vm_free(e);
    return NULL;
}

int mote_vm_started(mote_vm *e, char *err, size_t cap) {
    /* start with the entry points only (the engine's layout queries compiled their exports) */
    M3Result r = reset_code(e, 0);
    if (r) {
        set_err(err, cap, "compiling mote.wasm's entry points", r);
        return -1;
    }
    return 0;
}

void mote_vm_free(mote_vm *e) {
    if (!e) return;
    free(e->run_set);
    if (e->rt) m3_FreeRuntime(e->rt);
    if (e->env) m3_FreeEnvironment(e->env);
    free(e);
}

uint8_t *mote_vm_memory(const mote_vm *e) {
    return mem(e->rt);
}

uint32_t mote_vm_memory_size(const mote_vm *e) {
    return m3_GetMemorySize(e->rt);
}

int mote_vm_query_i32(mote_vm *e, mote_vm_query q, int32_t *out, char *err, size_t cap) {
    return call_i32(e->f_query[q], out, err, cap);
}

int mote_vm_load(mote_vm *e, uint32_t len, int32_t *code, char *err, size_t cap) {
    M3Result r = code_for_load(e);
    if (!r) r = m3_CallV(e->f_load, (int32_t)len);
    if (!r) r = m3_GetResultsV(e->f_load, code);
    /* the interpreter's code comes back even when the verifier trapped */
    M3Result back = code_for_calls(e);
    if (!r) r = back;
    if (r) {
        set_err(err, cap, "mote_load", r);
        return -1;
    }
    return 0;
}

int mote_vm_call(mote_vm *e, uint32_t selector, uint32_t args_len, uint32_t gas, int32_t *status, char *err, size_t cap) {
    M3Result t = m3_CallV(e->f_call, (int32_t)selector, (int32_t)args_len, (int32_t)gas);
    if (!t) t = m3_GetResultsV(e->f_call, status);
    if (t) {
        set_err(err, cap, t, NULL);
        return -1;
    }
    return 0;
}

uint32_t mote_vm_wasm_stack_peak(const mote_vm *e) {
    const uint8_t *s = e->rt->stack;
    uint32_t n = e->rt->stackSize ? e->rt->stackSize : e->rt->numStackSlots * (uint32_t)sizeof(m3slot_t);
    while (n > 0 && s[n - 1] == STACK_PAINT) n--;
    return n;
}

uint32_t mote_vm_code_bytes(const mote_vm *e, uint32_t *used) {
    uint32_t total = 0, in_use = 0;
    IM3CodePage lists[2] = {e->rt->pagesOpen, e->rt->pagesFull};
    for (int l = 0; l < 2; l++) {
        for (IM3CodePage p = lists[l]; p; p = p->info.next) {
            total += (uint32_t)sizeof(M3CodePageHeader) + p->info.numLines * (uint32_t)sizeof(code_t);
            in_use += p->info.lineIndex * (uint32_t)sizeof(code_t);
        }
    }
    if (used) *used = in_use;
    return total;
}

int64_t mote_vm_op_count(const mote_vm *e) {
    IM3Global g = m3_FindGlobal(e->mod, "mote_op_count");
    M3TaggedValue v;
    if (!g || m3_GetGlobal(g, &v) || v.type != c_m3Type_i64) return -1;
    return (int64_t)v.value.i64;
}
