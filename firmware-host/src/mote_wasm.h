/* mote_wasm: the VM (vm/build/mote.wasm) as a const array in flash, and the linear-memory bound it
 * reports; the array is generated at build time (build/gen/mote_wasm.c) and never committed. */
#ifndef MOTE_WASM_H
#define MOTE_WASM_H

#include <stddef.h>
#include <stdint.h>

extern const uint8_t mote_wasm[];
extern const uint32_t mote_wasm_len;
/* mote_memory_used() of that wasm, read at build time: the linear-memory clamp. */
extern const uint32_t mote_wasm_memory_used;

/* The VM bytes a firmware hands the engine (mote_engine_config's wasm, wasm_len): wasm3 parses them; the AOT
 * engine (built with MOTE_ENGINE_AOT) has mote.wasm compiled in and takes none, so its firmware carries no
 * copy of the bytes (the linker drops the unreferenced array). */
#ifdef MOTE_ENGINE_AOT
#define MOTE_WASM_BYTES NULL
#define MOTE_WASM_BYTES_LEN 0u
#else
#define MOTE_WASM_BYTES mote_wasm
#define MOTE_WASM_BYTES_LEN mote_wasm_len
#endif

#endif
