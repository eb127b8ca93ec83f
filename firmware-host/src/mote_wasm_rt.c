/* mote_wasm_rt: the runtime wasm2c's generated code calls (the functions wasm-rt.h declares), for the AOT engine
 * (mote_vm_aot.c). wabt ships one (wasm-rt-impl.c), built for hosted systems: it allocates every declared page
 * (64 KiB for mote.wasm), reserves guard regions with mmap and recovers traps from signal handlers. A device
 * has none of that, and mote.wasm touches only its low mote_memory_used() bytes, so this runtime does what the
 * wasm3 build does instead:
 *   - linear memory is the clamp (mote_aot_memory_limit, set by the engine before instantiating) and its
 *     `size` is that clamp, so the generated bounds checks (WASM_RT_MEMCHECK_BOUNDS_CHECK, forced in
 *     mote_wasm_rt.h) trap on every access past it, as wasm3's memoryLimit does;
 *   - memory never grows (mote.wasm declares one page as its maximum);
 *   - a trap longjmps to the engine's call (mote_aot_trap_target), which reports it as wasm3 reports its
 *     traps: a VM fault, never a call result. */
#include "mote_wasm_rt.h"

#include <stdlib.h>

static bool initialized;
uint32_t mote_aot_memory_limit;
jmp_buf *mote_aot_trap_target;

#if WASM_RT_STACK_DEPTH_COUNT
WASM_RT_THREAD_LOCAL uint32_t wasm_rt_call_stack_depth;
#endif

void wasm_rt_init(void) {
    initialized = true;
}

bool wasm_rt_is_initialized(void) {
    return initialized;
}

void wasm_rt_free(void) {
    initialized = false;
}

WASM_RT_NO_RETURN void wasm_rt_trap(wasm_rt_trap_t code) {
    /* Only the engine calls into the VM, always under a target; anything else is a host bug. */
    if (!mote_aot_trap_target) abort();
    longjmp(*mote_aot_trap_target, code == WASM_RT_TRAP_NONE ? WASM_RT_TRAP_UNREACHABLE : (int)code);
}

/* wasm3's wording of the same traps (m3_exception.h), so both engines report a VM fault in the same words. */
const char *wasm_rt_strerror(wasm_rt_trap_t trap) {
    switch (trap) {
    case WASM_RT_TRAP_OOB: return "[trap] out of bounds memory access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "[trap] integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "[trap] integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "[trap] invalid conversion to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "[trap] unreachable executed";
    case WASM_RT_TRAP_CALL_INDIRECT: return "[trap] indirect call type mismatch";
    case WASM_RT_TRAP_EXHAUSTION: return "[trap] stack overflow";
    default: return "[trap] unknown";
    }
}

void wasm_rt_allocate_memory(wasm_rt_memory_t *mem, uint64_t initial_pages, uint64_t max_pages, bool is64, uint32_t page_size) {
    uint64_t declared = initial_pages * page_size;
    uint64_t bytes = mote_aot_memory_limit && mote_aot_memory_limit < declared ? mote_aot_memory_limit : declared;
    mem->data = bytes ? calloc((size_t)bytes, 1) : NULL;
    /* out of memory: a memory of size 0, on which every access traps; the engine checks and refuses */
    mem->size = mem->data ? bytes : 0;
    mem->data_end = mem->data ? mem->data + bytes : NULL;
    mem->pages = initial_pages;
    mem->max_pages = max_pages;
    mem->page_size = page_size;
    mem->is64 = is64;
}

uint64_t wasm_rt_grow_memory(wasm_rt_memory_t *mem, uint64_t delta) {
    (void)mem;
    (void)delta;
    return (uint64_t)-1; /* memory.grow fails: the clamp is all the VM has */
}

void wasm_rt_free_memory(wasm_rt_memory_t *mem) {
    free(mem->data);
    mem->data = mem->data_end = NULL;
    mem->size = 0;
}
