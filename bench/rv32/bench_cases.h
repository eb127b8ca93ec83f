/* bench/rv32/bench_cases.h: the table of measured calls the RV32 bench driver runs, generated per run by
 * bench/rv32/driver.ts into one cases-HASH.c per table (module bytes, arguments, repeats), never committed. */
#ifndef BENCH_CASES_H
#define BENCH_CASES_H

#include <stdint.h>

enum { BENCH_MOTE = 0, BENCH_DIRECT = 1 };

/* One storage entry committed before a case runs (another contract's state read with xload). */
typedef struct {
    uint8_t id[32];
    const uint8_t *key;
    uint32_t key_len;
    const uint8_t *val;
    uint32_t val_len;
} bench_entry;

typedef struct {
    const char *name;
    uint8_t kind;           /* BENCH_MOTE: a call into mote.wasm; BENCH_DIRECT: a plain wasm export */
    uint8_t fresh_state;    /* empty the committed state (then apply the preload) before this case */
    const uint8_t *code;    /* the Mote module, or the direct wasm module */
    uint32_t code_len;
    uint32_t selector;      /* BENCH_MOTE */
    const char *func;       /* BENCH_DIRECT: export taking one i64 and returning one i64 */
    int64_t int_arg;        /* BENCH_DIRECT: the argument when there are no byte arguments */
    /* Per-call arguments: call i uses args[arg_offs[i] .. arg_offs[i+1]) when n_arg_sets > 1, else
     * every call uses set 0. Mote: tagged values. Direct: bytes written at the module's io_ptr(), the
     * argument then being their length. */
    const uint8_t *args;
    const uint32_t *arg_offs;
    uint32_t n_arg_sets;
    uint8_t caller[32];
    uint64_t timestamp;
    uint32_t gas;
    uint32_t repeat;        /* calls made, all inside one instret window */
} bench_case;

extern const bench_case bench_cases[];
extern const uint32_t bench_case_count;
extern const bench_entry bench_preload[];
extern const uint32_t bench_preload_count;

#endif
