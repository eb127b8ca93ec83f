/* memprof: peak heap through -Wl,--wrap=malloc,calloc,realloc,free, and the native stack high-water
 * mark by painting the stack below the caller before the work runs. Same code on x86 and RV32. */
#ifndef MEMPROF_H
#define MEMPROF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    size_t current;    /* bytes live now (requested sizes, allocator overhead excluded) */
    size_t peak;       /* most bytes live at once */
    uint32_t calls;    /* allocations made */
} memprof_heap;

extern memprof_heap memprof;

/* Resets the peak to the bytes live now. */
void memprof_reset_peak(void);

/* Paints `bytes` of stack below the caller's frame; memprof_stack_used() then reports how deep the
 * stack went since, in bytes below that frame. */
void memprof_stack_paint(size_t bytes);
size_t memprof_stack_used(void);

#endif
