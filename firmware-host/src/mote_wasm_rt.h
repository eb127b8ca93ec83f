/* mote_wasm_rt: configuration of wasm2c's runtime header for the AOT engine, and what mote_wasm_rt.c adds to it.
 * Every file that includes wasm-rt.h (the generated mote_aot.c, mote_wasm_rt.c, mote_vm_aot.c) is compiled with
 * the same -D flags (Makefile AOT_DEFS), so this header only checks them. */
#ifndef MOTE_WASM_RT_H
#define MOTE_WASM_RT_H

#include <setjmp.h>
#include <stdint.h>

#include "wasm-rt.h"

#if !WASM_RT_MEMCHECK_BOUNDS_CHECK || WASM_RT_USE_MMAP
#error "the AOT engine needs explicit bounds checks against the clamp: build with -DWASM_RT_MEMCHECK_BOUNDS_CHECK=1 -DWASM_RT_USE_MMAP=0"
#endif

/* Bytes of linear memory to allocate (the clamp); 0 = every declared page. */
extern uint32_t mote_aot_memory_limit;
/* Where wasm_rt_trap jumps, with the wasm_rt_trap_t as the value; set around every call into the VM. */
extern jmp_buf *mote_aot_trap_target;

#endif
