/* mote_screen: edge screening of a reading before the device signs it (issue 18, docs/fleet.md). The
 * fleet guard's model contract (contracts/fleet_guard.mote) runs in the embedded VM (wasm3 + mote.wasm,
 * the validators' VM): `score_with(model, x)` on the features of the device's latest readings, the new
 * one included, that the device can see itself, computed with the guard's own arithmetic (Q47.16,
 * every division truncating toward zero), so the score is bit-identical to the one a validator computes
 * for the same features. Features the device cannot see (its group's median and shift, its own
 * transactions as the chain counted them) stand at the model's means: they count for nothing. */
#ifndef MOTE_SCREEN_H
#define MOTE_SCREEN_H

#include <stddef.h>
#include <stdint.h>

/* exit code of a reading the screen flags as a sensor fault (0 ok, 1 refused, 2 usage) */
#define MOTE_SCREEN_EXIT_FAULT 3
/* readings per window the screen accepts (the window so far plus the new reading) */
#define MOTE_SCREEN_MAX_WINDOW 64
#define MOTE_SCREEN_NF 9
#define MOTE_SCREEN_MODEL_BYTES 392

typedef struct {
    int enabled;
    const char *module_path;
    uint8_t model[MOTE_SCREEN_MODEL_BYTES];
    int have_model;
    int64_t window[MOTE_SCREEN_MAX_WINDOW];
    size_t n_window;
    int64_t base;
    int have_base;
    /* filled by mote_screen_check */
    int64_t x[MOTE_SCREEN_NF];
    int64_t score;
    int64_t threshold;
} mote_screen;

/* Takes the screening options out of argv (compacting it; *argc shrinks):
 *   --screen FILE            the model contract (.mbc of contracts/fleet_guard.mote)
 *   --screen-model HEX       the packed model (392 bytes of 0x-hex, `mote fleet train`'s "bytes")
 *   --screen-base RAW        the device's baseline: the mean of its window 0, Q47.16 as an integer
 *   --screen-window RAW,...  the device's readings before this one, oldest first: the model was trained
 *                            on windows of 6, so the last 5 (fewer right after a start: a partial window's
 *                            largest step and repeats are smaller than a full one's, so it may flag)
 * Returns 0, or -1 with "error usage: ..." in line. */
int mote_screen_take_opts(int *argc, char **argv, mote_screen *s, char *line, size_t cap);

/* Screens `value`: 0 when the window's score is within the model's threshold; MOTE_SCREEN_EXIT_FAULT with
 * "error sensor_fault: ..." in line when it is over; 2 with "error usage: ..." when the module or model
 * cannot be used. s->x, s->score and s->threshold are set whenever the model ran. */
int mote_screen_check(mote_screen *s, int64_t value, char *line, size_t cap);

/* Appends " screened SCORE THRESHOLD" (Q47.16 integers) to an "ok ..." line. */
void mote_screen_append(const mote_screen *s, char *line, size_t cap);

#endif
