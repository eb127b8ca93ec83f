/* bench/rv32/bench_main.c: the RV32 bench driver. Runs the generated table of calls (bench_cases.h) through
 * the firmware host's engine (mote_host.c) or, for wasmDirect, straight through wasm3, and prints the
 * retired-instruction count (rdinstret, exact under QEMU -icount shift=0) of each case's calls. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_cases.h"
#include "memprof.h"
#include "mote_crypto.h"
#include "mote_host.h"
#include "mote_spec.h"
#include "mote_wasm.h"
#include "wasm3.h"
#include "rv32_instret.h"

/* The same wasm3 value stack the firmware host gives mote.wasm (firmware-host/src/cli_main.c). */
#define MOTE_WASM_STACK_BYTES 1280
/* Direct modules run recursive wasm (fib): wasm3 keeps each wasm frame on its value stack. */
#define DIRECT_WASM_STACK_BYTES (16 * 1024)
#define MAX_RESULT_JSON 32768
/* 64 KiB below main's frame is unused RAM far above the heap's top (2 MiB of RAM, the heap is a few tens of
 * KiB): painting it measures the native stack the Mote calls reach. */
#define STACK_PAINT_BYTES (64 * 1024)

static _Noreturn void fail(const char *name, const char *what) {
    printf("error case %s: %s\n", name, what);
    exit(1);
}

static void reset_state(mote_table *store) {
    mote_table_clear(store);
    for (uint32_t i = 0; i < bench_preload_count; i++) {
        const bench_entry *p = &bench_preload[i];
        if (mote_table_put(store, p->id, p->key, p->key_len, p->val, p->val_len, 0) != 0) fail("preload", "out of memory");
    }
}

static void arg_set(const bench_case *c, uint32_t call, const uint8_t **p, uint32_t *len) {
    uint32_t i = c->n_arg_sets > 1 ? call : 0;
    if (c->n_arg_sets == 0) {
        *p = NULL;
        *len = 0;
        return;
    }
    *p = c->args + c->arg_offs[i];
    *len = c->arg_offs[i + 1] - c->arg_offs[i];
}

/* -- Mote cases ------------------------------------------------------------------------------------ */

static char json[MAX_RESULT_JSON];

static mote_call_ctx case_ctx(const bench_case *c) {
    mote_call_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    memcpy(ctx.caller, c->caller, 32);
    ctx.timestamp = c->timestamp;
    ctx.gas = c->gas;
    return ctx;
}

/* Runs the case's calls; returns the instructions retired inside them and leaves the last result's JSON in json. */
static uint64_t run_mote(mote_engine *e, const bench_case *c) {
    char err[256];
    mote_result r;
    mote_call_ctx ctx = case_ctx(c);
    /* Verification happens outside the window: a firmware loads a contract once and calls it many times. */
    uint32_t off = 0;
    int code = mote_engine_load(e, c->code, c->code_len, &off);
    if (code != 0) {
        snprintf(err, sizeof err, "the module does not verify (code %d at byte %" PRIu32 ")", code, off);
        fail(c->name, err);
    }
    uint64_t total = 0;
    for (uint32_t i = 0; i < c->repeat; i++) {
        const uint8_t *args;
        uint32_t args_len;
        arg_set(c, i, &args, &args_len);
        uint64_t t0 = rv32_instret();
        int rc = mote_engine_call(e, c->code, c->code_len, c->selector, args, args_len, &ctx, &r, err, sizeof err);
        total += rv32_instret() - t0;
        if (rc != 0) fail(c->name, err);
    }
    mote_result_json(&r, json, sizeof json);
    return total;
}

static void warm_up(mote_engine *e, const bench_case *c) {
    char err[256];
    mote_result r;
    mote_call_ctx ctx = case_ctx(c);
    const uint8_t *args;
    uint32_t args_len;
    arg_set(c, 0, &args, &args_len);
    if (mote_engine_call(e, c->code, c->code_len, c->selector, args, args_len, &ctx, &r, err, sizeof err) != 0) fail(c->name, err);
}

/* -- direct wasm cases ------------------------------------------------------------------------------- */

/* The host a contract compiled straight to wasm would import: the same names and signatures as the Mote
 * host ABI, over the same storage table and crypto, for one contract (id of zeros), writes committed
 * at once (a direct design has no VM to keep an overlay). */
typedef struct {
    mote_table *store;
    uint8_t id[32];
    uint8_t *event;
    uint32_t events;
} direct_host;

static int in_mem(IM3Runtime rt, int32_t p, int32_t n) {
    uint32_t size = 0;
    m3_GetMemory(rt, &size, 0);
    return p >= 0 && n >= 0 && (uint64_t)(uint32_t)p + (uint32_t)n <= size;
}

m3ApiRawFunction(direct_sload) {
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, key_ptr);
    m3ApiGetArg(int32_t, key_len);
    m3ApiGetArg(int32_t, out_ptr);
    m3ApiGetArg(int32_t, out_cap);
    direct_host *h = m3_GetUserData(runtime);
    (void)_ctx;
    if (!in_mem(runtime, key_ptr, key_len) || !in_mem(runtime, out_ptr, out_cap)) m3ApiReturn(-1);
    const mote_entry *v = mote_table_get(h->store, h->id, (uint8_t *)_mem + key_ptr, (uint32_t)key_len);
    if (!v) m3ApiReturn(0);
    if (v->val_len > (uint32_t)out_cap) m3ApiReturn(-1);
    memcpy((uint8_t *)_mem + out_ptr, v->bytes + v->key_len, v->val_len);
    m3ApiReturn((int32_t)v->val_len);
}

m3ApiRawFunction(direct_sstore) {
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, key_ptr);
    m3ApiGetArg(int32_t, key_len);
    m3ApiGetArg(int32_t, val_ptr);
    m3ApiGetArg(int32_t, val_len);
    direct_host *h = m3_GetUserData(runtime);
    (void)_ctx;
    if (!in_mem(runtime, key_ptr, key_len) || !in_mem(runtime, val_ptr, val_len)) m3ApiReturn(-1);
    m3ApiReturn(mote_table_put(h->store, h->id, (uint8_t *)_mem + key_ptr, (uint32_t)key_len, (uint8_t *)_mem + val_ptr,
                               (uint32_t)val_len, 0));
}

m3ApiRawFunction(direct_xload) {
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, id_ptr);
    m3ApiGetArg(int32_t, key_ptr);
    m3ApiGetArg(int32_t, key_len);
    m3ApiGetArg(int32_t, out_ptr);
    m3ApiGetArg(int32_t, out_cap);
    direct_host *h = m3_GetUserData(runtime);
    (void)_ctx;
    if (!in_mem(runtime, id_ptr, 32) || !in_mem(runtime, key_ptr, key_len) || !in_mem(runtime, out_ptr, out_cap)) m3ApiReturn(-1);
    uint8_t *m = (uint8_t *)_mem;
    const mote_entry *v = mote_table_get(h->store, m + id_ptr, m + key_ptr, (uint32_t)key_len);
    if (!v) m3ApiReturn(0);
    if (v->val_len > (uint32_t)out_cap) m3ApiReturn(-1);
    memcpy(m + out_ptr, v->bytes + v->key_len, v->val_len);
    m3ApiReturn((int32_t)v->val_len);
}

m3ApiRawFunction(direct_emit) {
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, ptr);
    m3ApiGetArg(int32_t, len);
    direct_host *h = m3_GetUserData(runtime);
    (void)_ctx;
    if (!in_mem(runtime, ptr, len) || len < 5) m3ApiReturn(-1);
    /* Kept until the next event, as a host keeps a call's events until the call ends. */
    free(h->event);
    h->event = malloc((size_t)len);
    if (!h->event) m3ApiReturn(-1);
    memcpy(h->event, (uint8_t *)_mem + ptr, (size_t)len);
    h->events++;
    m3ApiReturn(0);
}

m3ApiRawFunction(direct_sha256) {
    m3ApiGetArg(int32_t, ptr);
    m3ApiGetArg(int32_t, len);
    m3ApiGetArg(int32_t, out_ptr);
    (void)_ctx;
    if (in_mem(runtime, ptr, len) && in_mem(runtime, out_ptr, 32))
        mote_sha256((uint8_t *)_mem + ptr, (size_t)len, (uint8_t *)_mem + out_ptr);
    m3ApiSuccess();
}

m3ApiRawFunction(direct_ed25519_verify) {
    m3ApiReturnType(int32_t);
    m3ApiGetArg(int32_t, pk_ptr);
    m3ApiGetArg(int32_t, msg_ptr);
    m3ApiGetArg(int32_t, msg_len);
    m3ApiGetArg(int32_t, sig_ptr);
    (void)_ctx;
    if (!in_mem(runtime, pk_ptr, 32) || !in_mem(runtime, msg_ptr, msg_len) || !in_mem(runtime, sig_ptr, 64)) m3ApiReturn(0);
    uint8_t *m = (uint8_t *)_mem;
    m3ApiReturn(mote_ed25519_verify(m + pk_ptr, m + msg_ptr, (size_t)msg_len, m + sig_ptr));
}

static void check(const bench_case *c, const char *what, M3Result r) {
    char err[200];
    if (!r) return;
    snprintf(err, sizeof err, "%s: %s", what, r);
    fail(c->name, err);
}

static void run_direct(mote_table *store, const bench_case *c) {
    direct_host h;
    memset(&h, 0, sizeof h);
    h.store = store;
    IM3Environment env = m3_NewEnvironment();
    IM3Runtime rt = env ? m3_NewRuntime(env, DIRECT_WASM_STACK_BYTES, &h) : NULL;
    if (!rt) fail(c->name, "out of memory creating the wasm3 runtime");
    IM3Module mod;
    check(c, "parsing the module", m3_ParseModule(env, &mod, c->code, c->code_len));
    check(c, "loading the module", m3_LoadModule(rt, mod));
    static const struct {
        const char *name, *sig;
        M3RawCall fn;
    } imports[] = {
        {"host_sload", "i(iiii)", direct_sload},     {"host_sstore", "i(iiii)", direct_sstore},
        {"host_xload", "i(iiiii)", direct_xload},   {"host_emit", "i(ii)", direct_emit},         {"host_sha256", "v(iii)", direct_sha256},
        {"host_ed25519_verify", "i(iiii)", direct_ed25519_verify},
    };
    for (size_t i = 0; i < sizeof imports / sizeof imports[0]; i++) {
        M3Result r = m3_LinkRawFunction(mod, "env", imports[i].name, imports[i].sig, imports[i].fn);
        if (r != m3Err_functionLookupFailed) check(c, imports[i].name, r);
    }
    IM3Function f, io = NULL;
    check(c, c->func, m3_FindFunction(&f, rt, c->func));
    uint32_t io_ptr = 0;
    if (c->n_arg_sets > 0) {
        int32_t p = 0;
        check(c, "io_ptr", m3_FindFunction(&io, rt, "io_ptr"));
        check(c, "io_ptr", m3_CallV(io));
        check(c, "io_ptr", m3_GetResultsV(io, &p));
        io_ptr = (uint32_t)p;
    }
    /* wasm3 compiles each function on its first call, inside the window here: a fixed cost per case that
     * differencing two repeat counts removes (bench/rv32/driver.ts). */
    uint64_t total = 0;
    int64_t ret = 0;
    for (uint32_t i = 0; i < c->repeat; i++) {
        const uint8_t *args;
        uint32_t args_len;
        arg_set(c, i, &args, &args_len);
        int64_t arg = c->int_arg;
        if (c->n_arg_sets > 0) {
            uint32_t size = 0;
            uint8_t *m = m3_GetMemory(rt, &size, 0);
            if ((uint64_t)io_ptr + args_len > size) fail(c->name, "arguments do not fit in the module's memory");
            memcpy(m + io_ptr, args, args_len);
            arg = args_len;
        }
        uint64_t t0 = rv32_instret();
        M3Result r = m3_CallV(f, arg);
        if (!r) r = m3_GetResultsV(f, &ret);
        total += rv32_instret() - t0;
        check(c, c->func, r);
    }
    printf("case %s calls=%" PRIu32 " instret=%" PRIu64 " result=%" PRId64 " events=%" PRIu32 "\n", c->name, c->repeat, total,
           ret, h.events);
    free(h.event);
    m3_FreeRuntime(rt);
    m3_FreeEnvironment(env);
}

int main(void) {
    memprof_stack_paint(STACK_PAINT_BYTES);
    memprof_reset_peak();
    mote_table store;
    mote_table_init(&store, 0);
    char err[256];
    mote_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.wasm = mote_wasm;
    cfg.wasm_len = mote_wasm_len;
    cfg.memory_limit = mote_wasm_memory_used;
    cfg.wasm_stack_bytes = MOTE_WASM_STACK_BYTES;
    cfg.store = &store;
    mote_engine *e = mote_engine_new(&cfg, err, sizeof err);
    if (!e) fail("engine", err);
    /* read before anything is printed: printf's own stack must not count as the host's */
    size_t engine_heap = memprof.peak, engine_stack = memprof_stack_used();
    /* wasm3 compiles each function of mote.wasm on its first call: one unmeasured call of every Mote case
     * first, so no measured window pays for compilation (a firmware pays it once per boot). */
    for (uint32_t i = 0; i < bench_case_count; i++) {
        const bench_case *c = &bench_cases[i];
        if (c->kind != BENCH_MOTE) continue;
        reset_state(&store);
        warm_up(e, c);
    }
    printf("engine heap=%zu stack=%zu\n", engine_heap, engine_stack);
    /* Mote cases first, each with its own heap peak (live bytes at most during its calls, the engine and the
     * committed state included) and native stack depth, both read before the case's line is printed. */
    for (uint32_t i = 0; i < bench_case_count; i++) {
        const bench_case *c = &bench_cases[i];
        if (c->kind != BENCH_MOTE) continue;
        if (c->fresh_state) reset_state(&store);
        memprof_stack_paint(STACK_PAINT_BYTES);
        memprof_reset_peak();
        uint64_t total = run_mote(e, c);
        size_t heap = memprof.peak, stack = memprof_stack_used();
        printf("case %s calls=%" PRIu32 " instret=%" PRIu64 " result=%s heap=%zu stack=%zu\n", c->name, c->repeat, total, json,
               heap, stack);
    }
    printf("mem wasm_stack=%" PRIu32 " linear_memory=%" PRIu32 "\n", mote_engine_wasm_stack_peak(e), mote_wasm_memory_used);
    mote_engine_free(e);
    for (uint32_t i = 0; i < bench_case_count; i++) {
        const bench_case *c = &bench_cases[i];
        if (c->kind != BENCH_DIRECT) continue;
        if (c->fresh_state) reset_state(&store);
        run_direct(&store, c);
    }
    mote_table_clear(&store);
    printf("done\n");
    return 0;
}
