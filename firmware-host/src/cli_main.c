/* mote-host: the command-line face of the firmware host. One call prints exactly what `mote run --json`
 * prints; --batch runs many calls in one process for fuzzers; --state is the NVS stand-in file. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "abi_args.h"
#include "memprof.h"
#include "mote_host.h"
#include "mote_spec.h"
#include "mote_wasm.h"

/* wasm3's value stack for the VM. wasm3 gives each function a fixed frame (its maxStackSlots, 4-byte slots)
 * and mote.wasm's call graph is acyclic (the interpreter is one non-recursive loop), so the deepest need is
 * its heaviest call chain, whatever the contract: today mote_call 65 + execute 109 + fdiv 50 + signed 15 =
 * 239 slots = 956 B (the verifier's deepest chain is 169 slots); --stats prints the high-water mark. 1280 B
 * leaves a quarter for the VM to grow; past it wasm3's entry check traps, in every test. */
#ifndef MOTE_WASM_STACK_BYTES
#define MOTE_WASM_STACK_BYTES 1280
#endif
/* --stats: the AOT engine has no wasm value stack (the VM's frames are native C frames) */
#ifdef MOTE_ENGINE_AOT
#define WASM_STACK_LIMIT 0u
#else
#define WASM_STACK_LIMIT (unsigned)MOTE_WASM_STACK_BYTES
#endif

/* Exit codes as the mote CLI: 1 = the work failed, 2 = usage, 3 = the VM itself faulted. */
enum { EXIT_WORK = 1, EXIT_USAGE = 2, EXIT_FAULT = 3 };

static const char *prog = "mote-host";

/* One line on stderr, "mote-host: message". Input quoted in a message goes through mote_quote (escaped,
 * cut to a budget); the message as a whole is escaped again on its way out (a no-op on escaped text), so
 * no control byte from a file, argument or batch line reaches the terminal and the message stays one line. */
_Noreturn static void die(int code, const char *fmt, ...) {
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1;
    size_t need = mote_escape(msg, len, MOTE_ESCAPE_ALL, NULL, 0);
    char *out = malloc(need + 1);
    if (out) mote_escape(msg, len, MOTE_ESCAPE_ALL, out, need + 1);
    fprintf(stderr, "%s: %s\n", prog, out ? out : "out of memory");
    exit(code);
}

static const char usage[] =
    "usage: mote-host [options] FILE.mbc FN [ARG...]\n"
    "       mote-host [options] --batch FILE|-\n"
    "  ARG: a decimal integer (-2^63..2^64-1), 0x-hex bytes, true or false\n"
    "  --gas N            gas limit (1..%u, default %u)\n"
    "  --caller HEX       caller public key, 32 bytes of 0x-hex (default zeros)\n"
    "  --timestamp N      block timestamp (u64, default 0)\n"
    "  --height N         block height (u64, default 0)\n"
    "  --self HEX         contract instance id the call runs as, 32 bytes of 0x-hex (default: the module id)\n"
    "  --value N          native value attached to the call (u64, default 0)\n"
    "  --state FILE       storage file standing in for NVS (read if present, written atomically)\n"
    "  --init ARG         an argument for init on a new state (repeat for more)\n"
    "  --batch FILE       run the calls listed in FILE (- for stdin), one JSON line each\n"
    "  --vm FILE.wasm     run this VM instead of the embedded mote.wasm (tests)\n"
    "  --abi FILE         the module's .abi.json (default: FILE.abi.json beside FILE.mbc, when present);\n"
    "                     with it, arguments are parsed by their types as mote run parses them\n"
    "  --stats            print memory figures as one JSON line on stderr when done\n"
    "  -h, --help         print this help\n";

/* -- files ------------------------------------------------------------------------------------------- */

static uint8_t *read_file(const char *path, size_t *len, int missing_ok) {
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        if (missing_ok && errno == ENOENT) return NULL;
        die(EXIT_WORK, "%s: %s", mote_quote_path(path), errno == ENOENT ? "no such file" : strerror(errno));
    }
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap);
    if (!b) die(EXIT_WORK, "%s: out of memory", mote_quote_path(path));
    for (;;) {
        if (n == cap) {
            uint8_t *nb = realloc(b, cap *= 2);
            if (!nb) die(EXIT_WORK, "%s: out of memory", mote_quote_path(path));
            b = nb;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) die(EXIT_WORK, "%s: read error", mote_quote_path(path));
    if (f != stdin) fclose(f);
    *len = n;
    return b;
}

/* Write new, fsync, rename, fsync the directory: a power cut leaves the old or the new file, never a
 * mix — what NVS gives a firmware. */
static void write_atomic(const char *path, const uint8_t *data, size_t len) {
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 32);
    if (!tmp) die(EXIT_WORK, "%s: out of memory", mote_quote_path(path));
    snprintf(tmp, pl + 32, "%s.tmp-%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die(EXIT_WORK, "%s: cannot create (%s)", mote_quote_path(tmp), strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            die(EXIT_WORK, "%s: write failed (%s)", mote_quote_path(tmp), strerror(errno));
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0) die(EXIT_WORK, "%s: fsync failed (%s)", mote_quote_path(tmp), strerror(errno));
    close(fd);
    if (rename(tmp, path) != 0) die(EXIT_WORK, "%s: rename failed (%s)", mote_quote_path(path), strerror(errno));
    /* a copy from our own malloc: strdup's comes from libc's, which the --wrap'd free must not see */
    char *dup = malloc(pl + 1);
    if (dup) {
        memcpy(dup, path, pl + 1);
        int dfd = open(dirname(dup), O_RDONLY);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(dup);
    }
    free(tmp);
}

static void load_state(const char *path, mote_table *t) {
    size_t len;
    uint8_t *b = read_file(path, &len, 0);
    char err[256];
    if (mote_state_decode(t, b, len, err, sizeof err) != 0) die(EXIT_WORK, "%s: %s", mote_quote_path(path), err);
    free(b);
}

static void save_state(const char *path, const mote_table *t) {
    size_t len;
    uint8_t *b = mote_state_encode(t, &len);
    if (!b) die(EXIT_WORK, "%s: out of memory encoding the state", mote_quote_path(path));
    write_atomic(path, b, len);
    free(b);
}

/* -- values ------------------------------------------------------------------------------------------ */

typedef struct {
    uint8_t *b;
    uint32_t len, cap;
    int too_big; /* an argument cannot be encoded (longer than a u16 length): the call is bad_call */
} argbuf;

static void arg_push(argbuf *a, const uint8_t *p, uint32_t n) {
    if (a->len + n > a->cap) {
        uint32_t cap = (a->len + n) * 2 + 64;
        uint8_t *nb = realloc(a->b, cap);
        if (!nb) die(EXIT_WORK, "out of memory");
        a->b = nb;
        a->cap = cap;
    }
    memcpy(a->b + a->len, p, n);
    a->len += n;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* 0x followed by an even number of hex digits; NULL if not. */
static uint8_t *parse_hex(const char *s, uint32_t *len) {
    if (s[0] != '0' || s[1] != 'x') return NULL;
    size_t n = strlen(s + 2);
    if (n % 2) return NULL;
    uint8_t *b = malloc(n / 2 + 1);
    if (!b) die(EXIT_WORK, "out of memory");
    for (size_t i = 0; i < n / 2; i++) {
        int h = hex_digit(s[2 + 2 * i]), l = hex_digit(s[3 + 2 * i]);
        if (h < 0 || l < 0) {
            free(b);
            return NULL;
        }
        b[i] = (uint8_t)(h << 4 | l);
    }
    *len = (uint32_t)(n / 2);
    return b;
}

/* Decimal digits only, value < 2^64; 0 on success. */
static int parse_u64(const char *s, uint64_t *out) {
    if (!*s) return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10) return -2;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* One VM-level argument, as the mote CLI parses it: true, false, 0x-hex bytes or a decimal integer in
 * -2^63..2^64-1 (negative values are i64, passed as their 64-bit pattern). Returns 0 or an error. */
static int encode_arg(argbuf *a, const char *text, int index, char *err, size_t cap) {
    uint8_t tag;
    if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
        uint8_t v[9] = {MOTE_TAG_INT, text[0] == 't'};
        arg_push(a, v, 9);
        return 0;
    }
    if (text[0] == '0' && text[1] == 'x') {
        uint32_t n;
        uint8_t *b = parse_hex(text, &n);
        if (!b) {
            snprintf(err, cap, "argument %d: expected 0x followed by an even number of hex digits, got '%s'", index, mote_quote(text));
            return -1;
        }
        if (n > 0xffff) a->too_big = 1;
        tag = MOTE_TAG_BYTES;
        uint8_t h[3] = {tag, (uint8_t)n, (uint8_t)(n >> 8)};
        arg_push(a, h, 3);
        arg_push(a, b, n);
        free(b);
        return 0;
    }
    int neg = text[0] == '-';
    uint64_t v;
    int rc = parse_u64(text + neg, &v);
    if (rc == -1) {
        snprintf(err, cap, "argument %d: expected a decimal integer or 0x-hex bytes, got '%s'", index, mote_quote(text));
        return -1;
    }
    if (rc == -2 || (neg && v > (UINT64_C(1) << 63))) {
        snprintf(err, cap, "argument %d: %s is outside the 64-bit range", index, mote_quote(text));
        return -1;
    }
    if (neg) v = (uint64_t)0 - v;
    uint8_t b[9] = {MOTE_TAG_INT};
    for (int i = 0; i < 8; i++) b[1 + i] = (uint8_t)(v >> (8 * i));
    arg_push(a, b, 9);
    return 0;
}

/* -- typed arguments from the module's .abi.json (abi_args.c) ------------------------------------------- */

typedef struct {
    char *path; /* the ABI file in use, or NULL: arguments are read as VM-level values */
} typed_args;

static typed_args load_typed_args(const char *module_path, const char *given) {
    typed_args t = {0};
    if (given) {
        t.path = strdup(given);
    } else {
        char *beside = abi_path_beside(module_path);
        struct stat st;
        if (beside && stat(beside, &st) == 0) t.path = beside;
        else free(beside);
    }
    return t;
}

/* Encodes a call's arguments: by the ABI types of `fn` when the ABI has it (the count must match), else
 * as VM-level values. Usage errors exit 2 with the message mote run gives. */
static void encode_call_args(const typed_args *t, const char *fn, argbuf *a, const char *const *texts, int n, const char *what) {
    char err[512];
    abi_params ps;
    int rc = t->path ? abi_load_params(t->path, fn, &ps, err, sizeof err) : 1;
    if (rc < 0) die(EXIT_WORK, "%s", err);
    if (rc == 1) {
        for (int i = 0; i < n; i++)
            if (encode_arg(a, texts[i], i + 1, err, sizeof err)) die(EXIT_USAGE, "%s%s", what, err);
        return;
    }
    if (n != ps.n) {
        char sig[640] = "";
        for (int i = 0; i < ps.n; i++)
            snprintf(sig + strlen(sig), sizeof sig - strlen(sig), "%s%s: %s", i ? ", " : "", ps.p[i].name, ps.p[i].type);
        die(EXIT_USAGE, "%s%s(%s) takes %d argument(s), got %d", what, fn, sig, ps.n, n);
    }
    static uint8_t buf[3 + MOTE_MAX_BYTES_LEN];
    for (int i = 0; i < n; i++) {
        int len = abi_encode_arg(&ps.p[i], texts[i], buf, sizeof buf, err, sizeof err);
        if (len < 0) die(EXIT_USAGE, "%sargument %d (%s: %s): %s", what, i + 1, ps.p[i].name, ps.p[i].type, err);
        arg_push(a, buf, (uint32_t)len);
    }
}

/* -- options shared by single calls and batch lines --------------------------------------------------- */

typedef struct {
    mote_call_ctx ctx;
} call_opts;

/* min_gas: 1 on the command line (as mote run), 0 in batch mode (as vm.call accepts). */
static int set_gas(call_opts *o, const char *s, uint64_t min_gas, char *err, size_t cap) {
    uint64_t v = 0;
    int rc = parse_u64(s, &v);
    if (rc == -1) {
        snprintf(err, cap, "--gas: expected a %s integer, got '%s'", min_gas ? "positive" : "non-negative", mote_quote(s));
        return -1;
    }
    if (rc == -2 || v < min_gas || v > MOTE_MAX_GAS) {
        snprintf(err, cap, "--gas: must be %u..%u, got %s", (unsigned)min_gas, MOTE_MAX_GAS, mote_quote(s));
        return -1;
    }
    o->ctx.gas = (uint32_t)v;
    return 0;
}

static int set_caller(call_opts *o, const char *s, char *err, size_t cap) {
    uint32_t n;
    uint8_t *b = parse_hex(s, &n);
    if (!b) {
        snprintf(err, cap, "--caller: expected 0x followed by an even number of hex digits, got '%s'", mote_quote(s));
        return -1;
    }
    if (n != 32) {
        free(b);
        snprintf(err, cap, "--caller: expected 32 bytes of 0x-hex (a public key), got %u", n);
        return -1;
    }
    memcpy(o->ctx.caller, b, 32);
    free(b);
    return 0;
}

static int set_self(call_opts *o, const char *s, char *err, size_t cap) {
    uint32_t n;
    uint8_t *b = parse_hex(s, &n);
    if (!b || n != 32) {
        free(b);
        snprintf(err, cap, "--self: expected 32 bytes of 0x-hex (a contract instance id), got '%s'", mote_quote(s));
        return -1;
    }
    memcpy(o->ctx.self, b, 32);
    o->ctx.has_self = 1;
    free(b);
    return 0;
}

static int set_u64(uint64_t *dst, const char *name, const char *s, char *err, size_t cap) {
    int rc = parse_u64(s, dst);
    if (rc == -1) snprintf(err, cap, "%s: expected a non-negative integer, got '%s'", name, mote_quote(s));
    if (rc == -2) snprintf(err, cap, "%s: exceeds 2^64-1", name);
    return rc ? -1 : 0;
}

static void default_opts(call_opts *o) {
    memset(o, 0, sizeof *o);
    o->ctx.gas = MOTE_DEFAULT_GAS;
}

/* -- output ------------------------------------------------------------------------------------------- */

static void print_result(const mote_result *r) {
    size_t n = mote_result_json(r, NULL, 0);
    char *buf = malloc(n + 1);
    if (!buf) die(EXIT_WORK, "out of memory");
    mote_result_json(r, buf, n + 1);
    fwrite(buf, 1, n, stdout);
    fputc('\n', stdout);
    free(buf);
}

static void print_hex_json(const char *key, const uint8_t *b, size_t n) {
    printf("{\"%s\":\"0x", key);
    for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
    printf("\"}\n");
}

/* -- engine ------------------------------------------------------------------------------------------- */

/* A VM read from --vm: wasm3 parses it in place, so it lives until the engine is freed. */
static uint8_t *vm_bytes;

static void engine_free(mote_engine *e) {
    mote_engine_free(e);
    free(vm_bytes);
    vm_bytes = NULL;
}

static mote_engine *engine_new(const char *vm_path, mote_table *store) {
    mote_engine_config cfg = {0};
    cfg.store = store;
    cfg.wasm_stack_bytes = MOTE_WASM_STACK_BYTES;
    if (vm_path) {
        size_t len;
        cfg.wasm = vm_bytes = read_file(vm_path, &len, 0);
        cfg.wasm_len = (uint32_t)len;
        cfg.memory_limit = 0;
    } else {
        cfg.wasm = MOTE_WASM_BYTES;
        cfg.wasm_len = MOTE_WASM_BYTES_LEN;
        cfg.memory_limit = mote_wasm_memory_used;
    }
    char err[256];
    mote_engine *e = mote_engine_new(&cfg, err, sizeof err);
    if (!e) die(EXIT_FAULT, "%s", err);
    if (vm_path) {
        /* A VM given at run time reports its bound only once instantiated: create it again with
         * linear memory clamped to that bound, as the build does for the embedded one. */
        uint32_t used;
        mote_engine_memory(e, &used);
        mote_engine_free(e);
        cfg.memory_limit = used;
        if (!(e = mote_engine_new(&cfg, err, sizeof err))) die(EXIT_FAULT, "%s: %s", mote_quote_path(vm_path), err);
    }
    return e;
}

static int do_call(mote_engine *e, const uint8_t *module, uint32_t module_len, uint32_t selector, argbuf *args,
                   const call_opts *o, mote_result *r) {
    char err[256];
    if (args->too_big) {
        memset(r, 0, sizeof *r);
        r->status = MOTE_ST_BAD_CALL;
        /* as the Node host: the module is loaded (and may be invalid) before arguments are placed */
        uint32_t off;
        int code = mote_engine_load(e, module, module_len, &off);
        if (code > 0) {
            r->status = MOTE_ST_INVALID_MODULE;
            r->has_error = 1;
            r->error = code;
            r->error_offset = off;
        }
        return 0;
    }
    if (mote_engine_call(e, module, module_len, selector, args->b, args->len, &o->ctx, r, err, sizeof err) != 0)
        die(EXIT_FAULT, "%s", err);
    return 0;
}

/* -- batch mode ----------------------------------------------------------------------------------------- */

/*
 * One command per line, tokens separated by whitespace (space, tab, CR, FF, VT), '#' starts a comment:
 *   module PATH | module 0xHEX       the module later calls run (loaded and verified once)
 *   call FN|@SELECTOR [ARG...] [--gas N] [--caller HEX] [--timestamp N] [--height N] [--self HEX] [--value N]
 *                                    one JSON result line, exactly as vm.call() gives it
 *   state                            one line {"state":"0x..."}: the committed state as a state file
 *   state 0xHEX                      replace the committed state by this state-file image
 *   reset                            empty the committed state
 * Calls share one committed state (loaded from --state, written back at the end if given).
 */
static void run_batch(const char *path, mote_engine *e, mote_table *store, const char *state_path) {
    size_t len;
    uint8_t *text = read_file(path, &len, 0);
    uint8_t *module = NULL;
    uint32_t module_len = 0;
    int have_module = 0;
    char err[512];
    size_t pos = 0;
    for (unsigned line_no = 1; pos < len; line_no++) {
        size_t end = pos;
        while (end < len && text[end] != '\n') end++;
        char *line = malloc(end - pos + 1);
        if (!line) die(EXIT_WORK, "out of memory");
        memcpy(line, text + pos, end - pos);
        line[end - pos] = 0;
        pos = end + 1;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *tok[512];
        int nt = 0;
        for (char *save = NULL, *t = strtok_r(line, " \t\r\f\v", &save); t; t = strtok_r(NULL, " \t\r\f\v", &save)) {
            if (nt == 512) die(EXIT_USAGE, "%s:%u: more than 512 tokens", mote_quote_path(path), line_no);
            tok[nt++] = t;
        }
        if (nt == 0) {
            free(line);
            continue;
        }
        if (strcmp(tok[0], "module") == 0) {
            if (nt != 2) die(EXIT_USAGE, "%s:%u: module takes one PATH or 0xHEX", mote_quote_path(path), line_no);
            free(module);
            if (tok[1][0] == '0' && tok[1][1] == 'x') {
                module = parse_hex(tok[1], &module_len);
                if (!module) die(EXIT_USAGE, "%s:%u: module: expected 0x followed by an even number of hex digits", mote_quote_path(path), line_no);
            } else {
                size_t ml;
                module = read_file(tok[1], &ml, 0);
                module_len = (uint32_t)ml;
            }
            have_module = 1;
        } else if (strcmp(tok[0], "call") == 0) {
            if (!have_module) die(EXIT_USAGE, "%s:%u: call before any module line", mote_quote_path(path), line_no);
            if (nt < 2) die(EXIT_USAGE, "%s:%u: call needs a function name or @selector", mote_quote_path(path), line_no);
            uint32_t selector;
            if (tok[1][0] == '@') {
                uint64_t v;
                uint32_t hl;
                uint8_t *hb = NULL;
                if (tok[1][1] == '0' && tok[1][2] == 'x' && (hb = parse_hex(tok[1] + 1, &hl)) && hl == 4)
                    v = (uint64_t)hb[0] << 24 | (uint64_t)hb[1] << 16 | (uint64_t)hb[2] << 8 | hb[3];
                else if (parse_u64(tok[1] + 1, &v) != 0 || v > UINT32_MAX)
                    die(EXIT_USAGE, "%s:%u: @selector must be a decimal u32 or 0x and 8 hex digits, got '%s'", mote_quote_path(path), line_no, mote_quote(tok[1]));
                free(hb);
                selector = (uint32_t)v;
            } else selector = mote_selector(tok[1]);
            call_opts o;
            default_opts(&o);
            argbuf args = {0};
            int argi = 0;
            for (int i = 2; i < nt; i++) {
                int rc = 0;
                const char *opt = tok[i];
                if (strncmp(opt, "--", 2) == 0 && opt[2]) {
                    if (i + 1 >= nt) die(EXIT_USAGE, "%s:%u: %s needs a value", mote_quote_path(path), line_no, mote_quote(opt));
                    const char *val = tok[++i];
                    if (strcmp(opt, "--gas") == 0) rc = set_gas(&o, val, 0, err, sizeof err);
                    else if (strcmp(opt, "--caller") == 0) rc = set_caller(&o, val, err, sizeof err);
                    else if (strcmp(opt, "--timestamp") == 0) rc = set_u64(&o.ctx.timestamp, "--timestamp", val, err, sizeof err);
                    else if (strcmp(opt, "--height") == 0) rc = set_u64(&o.ctx.height, "--height", val, err, sizeof err);
                    else if (strcmp(opt, "--self") == 0) rc = set_self(&o, val, err, sizeof err);
                    else if (strcmp(opt, "--value") == 0) rc = set_u64(&o.ctx.value, "--value", val, err, sizeof err);
                    else die(EXIT_USAGE, "%s:%u: unknown option '%s'", mote_quote_path(path), line_no, mote_quote(opt));
                } else rc = encode_arg(&args, opt, ++argi, err, sizeof err);
                if (rc) die(EXIT_USAGE, "%s:%u: %s", mote_quote_path(path), line_no, err);
            }
            mote_result r;
            do_call(e, module, module_len, selector, &args, &o, &r);
            print_result(&r);
            free(args.b);
        } else if (strcmp(tok[0], "state") == 0 && nt == 1) {
            size_t sl;
            uint8_t *sb = mote_state_encode(store, &sl);
            if (!sb) die(EXIT_WORK, "out of memory");
            print_hex_json("state", sb, sl);
            free(sb);
        } else if (strcmp(tok[0], "state") == 0 && nt == 2) {
            uint32_t sl;
            uint8_t *sb = parse_hex(tok[1], &sl);
            if (!sb) die(EXIT_USAGE, "%s:%u: state: expected 0x followed by an even number of hex digits", mote_quote_path(path), line_no);
            mote_table_clear(store);
            if (mote_state_decode(store, sb, sl, err, sizeof err) != 0) die(EXIT_USAGE, "%s:%u: state: %s", mote_quote_path(path), line_no, err);
            free(sb);
        } else if (strcmp(tok[0], "reset") == 0 && nt == 1) {
            mote_table_clear(store);
        } else {
            die(EXIT_USAGE, "%s:%u: unknown command '%s' (module, call, state, reset)", mote_quote_path(path), line_no, mote_quote(tok[0]));
        }
        fflush(stdout);
        free(line);
    }
    free(module);
    free(text);
    if (state_path) save_state(state_path, store);
}

/* -- main --------------------------------------------------------------------------------------------- */

static void print_stats(mote_engine *e) {
    uint32_t used;
    uint8_t *m = mote_engine_memory(e, &used);
    uint32_t touched = used, code_used;
    uint32_t code = mote_engine_code_bytes(e, &code_used);
    while (touched > 0 && m[touched - 1] == 0) touched--;
    fprintf(stderr,
            "{\"heapPeakBytes\":%zu,\"heapAllocations\":%u,\"nativeStackBytes\":%zu,\"wasmStackBytes\":%u,"
            "\"wasmStackLimitBytes\":%u,\"linearMemoryBytes\":%u,\"linearMemoryHighestNonZero\":%u,\"codePageBytes\":%u,\"codeBytesUsed\":%u,\"vmOps\":%lld}\n",
            memprof.peak, memprof.calls, memprof_stack_used(), mote_engine_wasm_stack_peak(e), WASM_STACK_LIMIT,
            used, touched, code, code_used, (long long)mote_engine_op_count(e));
}

int main(int argc, char **argv) {
    memprof_stack_paint(64 * 1024);
    call_opts o;
    default_opts(&o);
    const char *state_path = NULL, *batch = NULL, *vm_path = NULL, *abi_opt = NULL;
    int stats = 0;
    char err[512];
    /* init arguments as given; encoded once the export check passed, as the mote CLI orders it */
    const char **init_args = calloc((size_t)argc + 1, sizeof *init_args);
    int n_init = 0;
    if (!init_args) die(EXIT_WORK, "out of memory");

    /* No option of mote-host is a digit, so "-5" is a negative argument, not an option: mark such
     * tokens so getopt_long passes them through as positionals (restored below). */
    char **marked = calloc((size_t)argc + 1, sizeof *marked);
    int n_marked = 0;
    if (!marked) die(EXIT_WORK, "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (s[0] == '-' && s[1] >= '0' && s[1] <= '9') {
            size_t n = strlen(s);
            char *m = malloc(n + 2);
            if (!m) die(EXIT_WORK, "out of memory");
            m[0] = '\x01';
            memcpy(m + 1, s, n + 1);
            argv[i] = marked[n_marked++] = m;
        }
    }
    static const struct option longopts[] = {
        {"gas", required_argument, 0, 'g'},   {"caller", required_argument, 0, 'c'},
        {"timestamp", required_argument, 0, 't'}, {"height", required_argument, 0, 'h'},
        {"state", required_argument, 0, 's'}, {"init", required_argument, 0, 'i'},
        {"batch", required_argument, 0, 'b'}, {"vm", required_argument, 0, 'v'},
        {"stats", no_argument, 0, 'S'},       {"help", no_argument, 0, 'H'},
        {"self", required_argument, 0, 'I'},  {"value", required_argument, 0, 'V'},
        {"abi", required_argument, 0, 'A'},
        {0, 0, 0, 0},
    };
    const char **pos = calloc((size_t)argc + 1, sizeof *pos);
    int npos = 0;
    if (!pos) die(EXIT_WORK, "out of memory");
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "-:", longopts, NULL)) != -1) {
        int rc = 0;
        if (optarg && optarg[0] == '\x01') optarg++;
        switch (c) {
        case 1: pos[npos++] = optarg; break;
        case 'g': rc = set_gas(&o, optarg, 1, err, sizeof err); break;
        case 'c': rc = set_caller(&o, optarg, err, sizeof err); break;
        case 'I': rc = set_self(&o, optarg, err, sizeof err); break;
        case 'V': rc = set_u64(&o.ctx.value, "--value", optarg, err, sizeof err); break;
        case 't': rc = set_u64(&o.ctx.timestamp, "--timestamp", optarg, err, sizeof err); break;
        case 'h': rc = set_u64(&o.ctx.height, "--height", optarg, err, sizeof err); break;
        case 's': state_path = optarg; break;
        case 'i': init_args[n_init++] = optarg; break;
        case 'b': batch = optarg; break;
        case 'v':
#ifdef MOTE_ENGINE_AOT
            die(EXIT_USAGE, "--vm: this build runs the VM compiled into it ahead of time (wasm2c); a VM given at run time needs mote-host (wasm3)");
#endif
            vm_path = optarg;
            break;
        case 'A': abi_opt = optarg; break;
        case 'S': stats = 1; break;
        case 'H': printf(usage, (unsigned)MOTE_MAX_GAS, (unsigned)MOTE_DEFAULT_GAS); return 0;
        case ':': die(EXIT_USAGE, "option %s needs a value", mote_quote(argv[optind - 1]));
        default:
            if (strcmp(argv[optind - 1], "-h") == 0) { printf(usage, (unsigned)MOTE_MAX_GAS, (unsigned)MOTE_DEFAULT_GAS); return 0; }
            die(EXIT_USAGE, "unknown option '%s' (run mote-host --help)", mote_quote(argv[optind - 1]));
        }
        if (rc) die(EXIT_USAGE, "%s", err);
    }
    while (optind < argc) pos[npos++] = argv[optind][0] == '\x01' ? argv[optind++] + 1 : argv[optind++];

    mote_table store;
    mote_table_init(&store, 0);

    if (batch) {
        if (npos) die(EXIT_USAGE, "--batch takes no FILE FN arguments (they go in the batch file)");
        if (state_path) {
            struct stat st;
            if (stat(state_path, &st) == 0) load_state(state_path, &store);
        }
        mote_engine *e = engine_new(vm_path, &store);
        memprof_reset_peak();
        run_batch(batch, e, &store, state_path);
        if (stats) print_stats(e);
        engine_free(e);
        mote_table_clear(&store);
        for (int i = 0; i < n_marked; i++) free(marked[i]);
        free(marked);
        free(pos);
        free(init_args);
        return 0;
    }

    if (npos < 2) die(EXIT_USAGE, "missing %s (run mote-host --help for usage)", npos == 0 ? "FILE.mbc and FN" : "FN, the function to call");
    const char *file = pos[0], *fn = pos[1];
    size_t mlen;
    uint8_t *module = read_file(file, &mlen, 0);
    size_t fl = strlen(file);
    if (fl >= 5 && strcmp(file + fl - 5, ".mote") == 0)
        die(EXIT_WORK, "%s: mote-host runs compiled modules (.mbc); compile the source with mote compile first", mote_quote_path(file));

    mote_engine *e = engine_new(vm_path, &store);
    uint32_t off;
    int code = mote_engine_load(e, module, (uint32_t)mlen, &off);
    if (code < 0) die(EXIT_FAULT, "%s: mote_load trapped (a VM fault)", mote_quote_path(file));
    if (code > 0)
        die(EXIT_WORK, "%s: invalid module at byte %u: %s (V%d)", mote_quote_path(file), off,
            code <= MOTE_VERIFY_ERROR_MAX ? mote_verify_error_names[code] : "unknown", code);
    uint32_t selector = mote_selector(fn);
    if (!mote_module_has_export(module, (uint32_t)mlen, selector)) die(EXIT_USAGE, "%s: no exported function '%s'", mote_quote_path(file), mote_quote(fn));
    argbuf args = {0};
    typed_args abi = load_typed_args(file, abi_opt);
    encode_call_args(&abi, fn, &args, pos + 2, npos - 2, "");

    struct stat st;
    int fresh = !state_path || stat(state_path, &st) != 0;
    if (!fresh) load_state(state_path, &store);
    memprof_reset_peak();
    uint32_t init_sel = mote_selector("init");
    mote_result r;
    if (fresh && mote_module_has_export(module, (uint32_t)mlen, init_sel)) {
        argbuf ia = {0};
        encode_call_args(&abi, "init", &ia, init_args, n_init, "--init: ");
        do_call(e, module, (uint32_t)mlen, init_sel, &ia, &o, &r);
        free(ia.b);
        if (r.status != MOTE_ST_OK) {
            print_result(&r);
            return EXIT_WORK;
        }
    } else if (n_init > 0 && !fresh) {
        die(EXIT_USAGE, "--init: %s already holds a deployed contract; init runs only on a new state file", mote_quote_path(state_path));
    }
    do_call(e, module, (uint32_t)mlen, selector, &args, &o, &r);
    if (state_path && (r.status == MOTE_ST_OK || fresh)) save_state(state_path, &store);
    print_result(&r);
    if (stats) print_stats(e);
    int rc = r.status == MOTE_ST_OK ? 0 : EXIT_WORK;
    engine_free(e);
    mote_table_clear(&store);
    free(module);
    free(args.b);
    for (int i = 0; i < n_marked; i++) free(marked[i]);
    free(marked);
    free(pos);
    free(init_args);
    return rc;
}
