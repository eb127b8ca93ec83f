/* memprof: the malloc wrappers and stack painting behind the RAM figures (docs/embedding.md). Each block
 * carries its size in a header so free() can account for it; only __real_malloc/__real_free are called
 * (picolibc's calloc/realloc call malloc internally, which --wrap would send back through the wrappers). */
#include "memprof.h"

#include <string.h>

memprof_heap memprof;

void *__real_malloc(size_t n);
void __real_free(void *p);

/* 16 bytes keep the payload as aligned as malloc's own result on both targets. */
#define HDR 16

static void account(size_t add, size_t sub) {
    memprof.current = memprof.current + add - sub;
    if (memprof.current > memprof.peak) memprof.peak = memprof.current;
}

void *__wrap_malloc(size_t n) {
    if (n > (size_t)-1 - HDR) return NULL;
    unsigned char *p = __real_malloc(n + HDR);
    if (!p) return NULL;
    memcpy(p, &n, sizeof n);
    memprof.calls++;
    account(n, 0);
    return p + HDR;
}

void __wrap_free(void *q) {
    if (!q) return;
    unsigned char *p = (unsigned char *)q - HDR;
    size_t n;
    memcpy(&n, p, sizeof n);
    account(0, n);
    __real_free(p);
}

/* calloc and realloc are built on the two wrappers above rather than on __real_calloc/__real_realloc:
 * picolibc's versions call malloc and free internally, which --wrap would route back here. */
void *__wrap_calloc(size_t n, size_t m) {
    if (m && n > ((size_t)-1 - HDR) / m) return NULL;
    void *p = __wrap_malloc(n * m);
    if (p) memset(p, 0, n * m);
    return p;
}

void *__wrap_realloc(void *q, size_t n) {
    if (!q) return __wrap_malloc(n);
    size_t old;
    memcpy(&old, (unsigned char *)q - HDR, sizeof old);
    void *np = __wrap_malloc(n);
    if (!np) return NULL;
    memcpy(np, q, old < n ? old : n);
    __wrap_free(q);
    return np;
}

void memprof_reset_peak(void) {
    memprof.peak = memprof.current;
}

#define PAINT 0x5A
/* Addresses as integers: after the painting frame returns, the region belongs to no C object. */
static uintptr_t paint_lo, paint_hi;

/* The painted array is this frame's own (a VLA moves the stack pointer over it), so the stack grows
 * there legitimately (valgrind and guard pages agree); once this returns it lies just below the
 * caller's frame, where the calls the caller makes next will run. noinline keeps it a frame of its own. */
__attribute__((noinline)) void memprof_stack_paint(size_t bytes) {
    volatile unsigned char area[bytes];
    for (size_t i = 0; i < bytes; i++) area[i] = PAINT;
    paint_lo = (uintptr_t)&area[0];
    paint_hi = (uintptr_t)__builtin_frame_address(0);
}

__attribute__((noinline)) size_t memprof_stack_used(void) {
    uintptr_t a = paint_lo;
    while (a < paint_hi && *(const volatile unsigned char *)a == PAINT) a++;
    return (size_t)(paint_hi - a);
}
