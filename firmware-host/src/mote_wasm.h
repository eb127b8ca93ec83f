/* mote_wasm: the VM (vm/build/mote.wasm) as a const array in flash, and the linear-memory bound it
 * reports; the array is generated at build time (build/gen/mote_wasm.c) and never committed. */
#ifndef MOTE_WASM_H
#define MOTE_WASM_H

#include <stdint.h>

extern const uint8_t mote_wasm[];
extern const uint32_t mote_wasm_len;
/* mote_memory_used() of that wasm, read at build time: the linear-memory clamp. */
extern const uint32_t mote_wasm_memory_used;

#endif
