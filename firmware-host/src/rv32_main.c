/* rv32_main: the firmware host on RV32IMC under QEMU (semihosting): runs the baked-in workloads through the same
 * engine as mote-host and prints, per run, the instructions retired inside mote_engine_call and each result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memprof.h"
#include "mote_host.h"
#include "mote_wasm.h"
#include "rv32_workloads.h"
#include "rv32_instret.h"

/* Same value stack as mote-host (cli_main.c), so the figures are the firmware's. The AOT engine has none: the
 * VM's frames are native C frames, counted in the native stack. */
#ifndef MOTE_WASM_STACK_BYTES
#define MOTE_WASM_STACK_BYTES 1280
#endif
#ifdef MOTE_ENGINE_AOT
#define WASM_STACK_LIMIT 0
#else
#define WASM_STACK_LIMIT MOTE_WASM_STACK_BYTES
#endif


static void print_u64(uint64_t v) {
    char t[21];
    int i = 20;
    t[i] = 0;
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    fputs(t + i, stdout);
}

/* one result line: the workloads' results and events are far below this */
static char json[2048];

/* Runs every call of one run; returns the instructions retired inside the measured calls. */
static uint64_t run_once(mote_engine *e, mote_table *store, const rv32_run *r, int print) {
    uint64_t total = 0;
    mote_table_clear(store);
    for (uint32_t i = 0; i < r->n_calls; i++) {
        const rv32_call *c = &r->calls[i];
        mote_call_ctx ctx = {0};
        memcpy(ctx.caller, rv32_callers[c->caller], 32);
        ctx.gas = c->gas;
        mote_result res;
        char err[128];
        uint64_t t0 = rv32_instret();
        int rc = mote_engine_call(e, r->module, r->module_len, c->selector, c->args, c->args_len, &ctx, &res, err, sizeof err);
        uint64_t t1 = rv32_instret();
        if (rc != 0) {
            printf("{\"error\":\"%s: %s\"}\n", r->name, err);
            exit(3);
        }
        if (c->measured) {
            total += t1 - t0;
            if (print) {
                mote_result_json(&res, json, sizeof json);
                printf("{\"result\":\"%s\",\"json\":%s}\n", r->name, json);
            }
        }
    }
    return total;
}

int main(void) {
    memprof_stack_paint(48 * 1024);
    mote_table store;
    mote_table_init(&store, 0);
    mote_engine_config cfg = {MOTE_WASM_BYTES, MOTE_WASM_BYTES_LEN, mote_wasm_memory_used, MOTE_WASM_STACK_BYTES, &store};
    char err[160];
    uint64_t t0 = rv32_instret();
    mote_engine *e = mote_engine_new(&cfg, err, sizeof err);
    uint64_t t1 = rv32_instret();
    if (!e) {
        printf("{\"error\":\"%s\"}\n", err);
        return 3;
    }
    fputs("{\"engineNewInstret\":", stdout);
    print_u64(t1 - t0);
    fputs("}\n", stdout);
    /* The first pass compiles whatever wasm3 has not compiled yet (lazily, per function); the second is
     * the steady state a firmware sees on every call after the first. The stack is painted again between
     * them, so both the compile-time and the steady-state high-water marks are known. */
    static uint64_t cold[64];
    uint32_t n = rv32_n_runs < 64 ? rv32_n_runs : 64;
    for (uint32_t i = 0; i < n; i++) cold[i] = run_once(e, &store, &rv32_runs[i], 0);
    uint32_t stack_peak = (uint32_t)memprof_stack_used(), stack_steady = 0;
    for (uint32_t i = 0; i < n; i++) {
        /* an unmeasured pass first: it loads this run's module, so the measured pass of the small and the
         * large run of a workload start from the same state and their difference is the units alone; a load
         * compiles (the engine keeps one side of mote.wasm compiled), so the steady-state stack is painted
         * after it */
        run_once(e, &store, &rv32_runs[i], 0);
        memprof_stack_paint(48 * 1024);
        uint64_t warm = run_once(e, &store, &rv32_runs[i], 1);
        uint32_t s = (uint32_t)memprof_stack_used();
        if (s > stack_steady) stack_steady = s;
        printf("{\"run\":\"%s\",\"coldInstret\":", rv32_runs[i].name);
        print_u64(cold[i]);
        fputs(",\"instret\":", stdout);
        print_u64(warm);
        fputs("}\n", stdout);
    }
    uint32_t code_used, code = mote_engine_code_bytes(e, &code_used), used;
    mote_engine_memory(e, &used);
    printf("{\"heapPeakBytes\":%u,\"nativeStackBytes\":%u,\"nativeStackSteadyBytes\":%u,\"wasmStackBytes\":%u,"
           "\"wasmStackLimitBytes\":%u,\"linearMemoryBytes\":%u,\"codePageBytes\":%u,\"codeBytesUsed\":%u}\n",
           (unsigned)memprof.peak, (unsigned)stack_peak, (unsigned)stack_steady, (unsigned)mote_engine_wasm_stack_peak(e),
           (unsigned)WASM_STACK_LIMIT, (unsigned)used, (unsigned)code, (unsigned)code_used);
    mote_engine_free(e);
    mote_table_clear(&store);
    return 0;
}
