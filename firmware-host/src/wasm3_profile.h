/* wasm3_profile: the wasm3 configuration every build of the Mote host uses (x86 host, RV32 bench, ESP-IDF
 * component), force-included before wasm3's own m3_config.h so the figures measured off-target are the chip's. */
#ifndef MOTE_WASM3_PROFILE_H
#define MOTE_WASM3_PROFILE_H

/* wasm3's ESP32 platform defaults (m3_config_platforms.h): terse errors, small constant tables, 1 KiB code
 * pages. Off-target, M3_IN_IRAM stands for "placement is the linker's business" so wasm3 neither adds
 * IRAM_ATTR nor includes esp_system.h; on ESP-IDF the component decides (Kconfig MOTE_WASM3_OPS_IN_IRAM). */
#ifndef ESP32
#define ESP32 1
#endif
#if !defined(ESP_PLATFORM) && !defined(M3_IN_IRAM)
#define M3_IN_IRAM 1
#endif

/* Compiled code grows in 1 KiB pages instead of 4 KiB: the default rounding peaked at 243 KB of heap for a
 * small interpreter, 1 KiB kept it near 12 KB plus the linear memory (../shared/TOOLCHAIN.md). */
#define d_m3CodePageAlignSize 1024

/* The compiler's per-function slot table. The ESP32 default (128) is too small for the VM's `execute`
 * (one dense switch with many live values); each 32 more cost about 160 B of compiler tables. */
#define d_m3MaxFunctionStackHeight 256

/* mote.wasm declares exactly one page and never grows it; a memory.grow past it fails. */
#define d_m3MaxLinearMemoryPages 1

/* The VM has no floating point. Compiling it out saves flash, and with NoFloatDynamic off a wasm that uses
 * float ops is refused at load instead of failing in the middle of a call. */
#define d_m3HasFloat 0
#define d_m3NoFloatDynamic 0

/* Short static error strings: the runtime's 256-byte message buffer and the format strings go away. */
#define d_m3VerboseErrorMessages 0

#endif
