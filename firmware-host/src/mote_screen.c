/* mote_screen: edge screening of a reading before it is signed (mote_screen.h). */
#define _DEFAULT_SOURCE
#include "mote_screen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "mote_host.h"
#include "mote_spec.h"
#include "mote_wasm.h"

#ifndef MOTE_WASM_STACK_BYTES
#define MOTE_WASM_STACK_BYTES 3072
#endif

/* the packed Model struct of fleet_guard.mote: mean[9], inv_std[9], comps[27], weights[3], threshold */
#define MODEL_MEAN 0
#define MODEL_THRESHOLD (48 * 8)
/* the features the guard computes on chain and the device can compute too (docs/fleet.md) */
enum { F_DEV_SELF = 1, F_REPEATS = 3, F_MAX_STEP = 4 };

static int64_t le64(const uint8_t *b) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | b[i];
    return (int64_t)v;
}

static void put_le64(uint8_t *b, int64_t v) {
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)((uint64_t)v >> (8 * i));
}

static int usage(char *line, size_t cap, const char *fmt, const char *arg) {
    int n = snprintf(line, cap, "error usage: ");
    snprintf(line + n, cap - (size_t)n, fmt, arg);
    return -1;
}

static int parse_raw(const char *v, int64_t *out) {
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end || errno || v[0] == ' ' || v[0] == '+') return 0;
    *out = (int64_t)x;
    return 1;
}

static int parse_model(const char *v, uint8_t *out) {
    if (v[0] != '0' || v[1] != 'x' || strlen(v + 2) != 2 * MOTE_SCREEN_MODEL_BYTES) return 0;
    for (size_t i = 0; i < MOTE_SCREEN_MODEL_BYTES; i++) {
        unsigned x;
        char hex[3] = {v[2 + 2 * i], v[3 + 2 * i], 0};
        char *end;
        x = (unsigned)strtoul(hex, &end, 16);
        if (*end || hex[0] == '-' || hex[0] == '+' || hex[0] == ' ') return 0;
        out[i] = (uint8_t)x;
    }
    return 1;
}

int mote_screen_take_opts(int *argc, char **argv, mote_screen *s, char *line, size_t cap) {
    memset(s, 0, sizeof *s);
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--screen", 8) != 0) {
            argv[out++] = argv[i];
            continue;
        }
        if (i + 1 >= *argc) return usage(line, cap, "%s needs a value", mote_quote(a));
        const char *v = argv[++i];
        if (strcmp(a, "--screen") == 0) {
            s->module_path = v;
        } else if (strcmp(a, "--screen-model") == 0) {
            if (!parse_model(v, s->model)) return usage(line, cap, "--screen-model: expected the packed model, 392 bytes of 0x-hex, got '%s'", mote_quote(v));
            s->have_model = 1;
        } else if (strcmp(a, "--screen-base") == 0) {
            if (!parse_raw(v, &s->base)) return usage(line, cap, "--screen-base: expected a fixed Q47.16 value as an i64, got '%s'", mote_quote(v));
            s->have_base = 1;
        } else if (strcmp(a, "--screen-window") == 0) {
            char buf[MOTE_SCREEN_MAX_WINDOW * 24];
            if (strlen(v) >= sizeof buf) return usage(line, cap, "--screen-window: too long: '%s'", mote_quote(v));
            strcpy(buf, v);
            for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (s->n_window + 1 >= MOTE_SCREEN_MAX_WINDOW) return usage(line, cap, "--screen-window: at most 63 readings, got '%s'", mote_quote(v));
                if (!parse_raw(t, &s->window[s->n_window])) return usage(line, cap, "--screen-window: expected comma-separated Q47.16 integers, got '%s'", mote_quote(t));
                s->n_window++;
            }
        } else {
            return usage(line, cap, "unknown option '%s' (--screen, --screen-model, --screen-base, --screen-window)", mote_quote(a));
        }
    }
    argv[out] = NULL;
    *argc = out;
    s->enabled = s->module_path || s->have_model || s->have_base || s->n_window;
    if (s->enabled && (!s->module_path || !s->have_model || !s->have_base))
        return usage(line, cap, "%s", "screening needs --screen FILE, --screen-model HEX and --screen-base RAW together");
    return 0;
}

/* Q47.16 a / b as the VM divides: a 128-bit intermediate, truncated toward zero. */
static int64_t fixed_div(int64_t a, int64_t b) { return (int64_t)(((__int128)a * 65536) / b); }

static uint8_t *read_module(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            uint8_t *b = realloc(buf, cap = cap ? 2 * cap : 4096);
            if (!b) break;
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0) break;
        n += got;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

int mote_screen_check(mote_screen *s, int64_t value, char *line, size_t cap) {
    /* the window with the new reading, and what the guard's `observe` would compute from it */
    int64_t w[MOTE_SCREEN_MAX_WINDOW];
    size_t n = s->n_window;
    memcpy(w, s->window, n * sizeof w[0]);
    w[n++] = value;
    int64_t sum = 0, max_step = 0, repeats = 0;
    for (size_t k = 0; k < n; k++) {
        sum += w[k];
        if (k == 0) continue;
        int64_t d = w[k] > w[k - 1] ? w[k] - w[k - 1] : w[k - 1] - w[k];
        if (d == 0) repeats++;
        if (d > max_step) max_step = d;
    }
    for (int i = 0; i < MOTE_SCREEN_NF; i++) s->x[i] = le64(s->model + MODEL_MEAN + 8 * i);
    s->x[F_DEV_SELF] = fixed_div(sum, (int64_t)n * 65536) - s->base;
    s->x[F_REPEATS] = repeats * 65536;
    s->x[F_MAX_STEP] = max_step;
    s->threshold = le64(s->model + MODEL_THRESHOLD);

    size_t module_len;
    uint8_t *module = read_module(s->module_path, &module_len);
    if (!module) {
        int k = snprintf(line, cap, "error usage: --screen: cannot read ");
        snprintf(line + k, cap - (size_t)k, "%s: %s", mote_quote_path(s->module_path), strerror(errno ? errno : EIO));
        return 2;
    }
    mote_table store;
    mote_table_init(&store, 0);
    mote_engine_config cfg = {.wasm = MOTE_WASM_BYTES, .wasm_len = MOTE_WASM_BYTES_LEN, .memory_limit = mote_wasm_memory_used, .wasm_stack_bytes = MOTE_WASM_STACK_BYTES, .store = &store};
    char err[256];
    mote_engine *e = mote_engine_new(&cfg, err, sizeof err);
    int code = 2;
    if (!e) {
        snprintf(line, cap, "error usage: --screen: the VM did not start: %s", err);
        goto done;
    }
    /* score_with(model, x): two tagged byte strings */
    uint8_t args[2 * 3 + MOTE_SCREEN_MODEL_BYTES + 8 * MOTE_SCREEN_NF], *p = args;
    *p++ = 1;
    *p++ = (uint8_t)(MOTE_SCREEN_MODEL_BYTES & 0xff);
    *p++ = (uint8_t)(MOTE_SCREEN_MODEL_BYTES >> 8);
    memcpy(p, s->model, MOTE_SCREEN_MODEL_BYTES);
    p += MOTE_SCREEN_MODEL_BYTES;
    *p++ = 1;
    *p++ = 8 * MOTE_SCREEN_NF;
    *p++ = 0;
    for (int i = 0; i < MOTE_SCREEN_NF; i++, p += 8) put_le64(p, s->x[i]);
    mote_call_ctx ctx = {.gas = 10000000};
    mote_result r;
    if (mote_engine_call(e, module, (uint32_t)module_len, mote_selector("score_with"), args, (uint32_t)(p - args), &ctx, &r, err, sizeof err) != 0) {
        snprintf(line, cap, "error usage: --screen: the VM trapped: %s", err);
        goto done;
    }
    if (r.status != MOTE_ST_OK || r.results_len != 9 || r.results[0] != 0) {
        int k = snprintf(line, cap, "error usage: --screen: ");
        snprintf(line + k, cap - (size_t)k, "%s's score_with did not return a score (status %d, error %u): is it contracts/fleet_guard.mote?", mote_quote_path(s->module_path), r.status, (unsigned)r.error);
        goto done;
    }
    s->score = le64(r.results + 1);
    code = 0;
    if (s->score > s->threshold) {
        snprintf(line, cap, "error sensor_fault: the window's score %lld is over the model's threshold %lld (Q47.16): the reading is not signed", (long long)s->score, (long long)s->threshold);
        code = MOTE_SCREEN_EXIT_FAULT;
    }
done:
    if (e) mote_engine_free(e);
    mote_table_clear(&store);
    free(module);
    return code;
}

void mote_screen_append(const mote_screen *s, char *line, size_t cap) {
    size_t at = strlen(line);
    if (at < cap) snprintf(line + at, cap - at, " screened %lld %lld", (long long)s->score, (long long)s->threshold);
}
