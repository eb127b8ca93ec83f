/* The RV32 retired-instruction counter, shared by every RV32 measurement (the firmware host's own
 * driver, the bench ELF, the sealing bench): rdinstreth/rdinstret/rdinstreth, retried when the low word
 * wrapped between the reads. Exact under qemu -icount shift=0, where one retired instruction is one tick. */
#ifndef MOTE_RV32_INSTRET_H
#define MOTE_RV32_INSTRET_H

#include <stdint.h>

static inline uint64_t rv32_instret(void) {
    uint32_t hi, lo, hi2;
    do {
        __asm__ volatile("rdinstreth %0" : "=r"(hi));
        __asm__ volatile("rdinstret %0" : "=r"(lo));
        __asm__ volatile("rdinstreth %0" : "=r"(hi2));
    } while (hi != hi2);
    return (uint64_t)hi << 32 | lo;
}

#endif
