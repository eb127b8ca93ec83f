/* Typed command-line arguments of mote-host from the module's .abi.json: reading the ABI (cJSON) and
 * encoding each argument by its ABI type, the same rules and limits as compiler/abi.ts parseArg. */
#include "abi_args.h"
#include "escape.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mote_spec.h"

char *abi_path_beside(const char *module_path) {
    size_t n = strlen(module_path);
    if (n >= 4 && strcmp(module_path + n - 4, ".mbc") == 0) n -= 4;
    char *p = malloc(n + sizeof ".abi.json");
    if (!p) return NULL;
    memcpy(p, module_path, n);
    memcpy(p + n, ".abi.json", sizeof ".abi.json");
    return p;
}

static char *read_text(const char *path, char *err, size_t cap) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, cap, "%s: %s", mote_quote_path(path), strerror(errno));
        return NULL;
    }
    size_t len = 0, room = 8192;
    char *b = malloc(room + 1);
    for (;;) {
        if (!b) break;
        size_t got = fread(b + len, 1, room - len, f);
        len += got;
        if (len < room) break;
        char *nb = realloc(b, (room *= 2) + 1);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
    }
    fclose(f);
    if (!b) {
        snprintf(err, cap, "%s: out of memory", mote_quote_path(path));
        return NULL;
    }
    b[len] = 0;
    return b;
}

int abi_load_params(const char *path, const char *fn, abi_params *out, char *err, size_t cap) {
    char *text = read_text(path, err, cap);
    if (!text) return -1;
    cJSON *doc = cJSON_Parse(text);
    free(text);
    if (!doc) {
        snprintf(err, cap, "%s: not valid JSON", mote_quote_path(path));
        return -1;
    }
    int rc = 1;
    const cJSON *fns = cJSON_GetObjectItemCaseSensitive(doc, "functions");
    if (!cJSON_IsArray(fns) || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "errors")) ||
        !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "events"))) {
        snprintf(err, cap, "%s: not a Mote ABI file (functions, events or errors missing)", mote_quote_path(path));
        rc = -1;
        goto done;
    }
    const cJSON *f;
    cJSON_ArrayForEach(f, fns) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(f, "name");
        if (!cJSON_IsString(name) || strcmp(name->valuestring, fn) != 0) continue;
        const cJSON *params = cJSON_GetObjectItemCaseSensitive(f, "params");
        if (!cJSON_IsArray(params) || cJSON_GetArraySize(params) > ABI_MAX_PARAMS) {
            snprintf(err, cap, "%s: function %s: params is not a list of at most %d", mote_quote_path(path), mote_quote(fn), ABI_MAX_PARAMS);
            rc = -1;
            goto done;
        }
        out->n = 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, params) {
            const cJSON *pn = cJSON_GetObjectItemCaseSensitive(p, "name");
            const cJSON *pt = cJSON_GetObjectItemCaseSensitive(p, "type");
            const cJSON *ps = cJSON_GetObjectItemCaseSensitive(p, "size");
            if (!cJSON_IsString(pn) || !cJSON_IsString(pt) || strlen(pn->valuestring) >= 64 || strlen(pt->valuestring) >= 64 ||
                (ps && (!cJSON_IsNumber(ps) || ps->valuedouble < 0 || ps->valuedouble > MOTE_MAX_BYTES_LEN))) {
                snprintf(err, cap, "%s: function %s: parameter %d is not {name, type[, size]}", mote_quote_path(path), mote_quote(fn), out->n + 1);
                rc = -1;
                goto done;
            }
            abi_param *q = &out->p[out->n++];
            strcpy(q->name, pn->valuestring);
            strcpy(q->type, pt->valuestring);
            q->size = ps ? (uint32_t)ps->valuedouble : 0;
        }
        rc = 0;
        goto done;
    }
done:
    cJSON_Delete(doc);
    return rc;
}

/* Decimal digits only into a magnitude; 0 ok, -1 not digits, -2 past 2^64-1. */
static int digits_u64(const char *s, size_t n, uint64_t *out) {
    if (n == 0) return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return -2;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int put_int(uint8_t *out, uint64_t v) {
    out[0] = MOTE_TAG_INT;
    for (int i = 0; i < 8; i++) out[1 + i] = (uint8_t)(v >> (8 * i));
    return 9;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Q47.16 of a decimal "[-]D[.F]", rounded to the nearest 1/65536 (ties away from zero) as parseArg:
 * q = floor(m * 2^16 / 10^k), plus one when the remainder is at least half. 0 ok, -1 syntax, -2 range. */
static int parse_fixed(const char *t, uint64_t *out) {
    int neg = *t == '-';
    const char *s = t + neg;
    const char *dot = strchr(s, '.');
    size_t ni = dot ? (size_t)(dot - s) : strlen(s);
    size_t nf = dot ? strlen(dot + 1) : 0;
    if (ni == 0 || (dot && nf == 0)) return -1;
    uint64_t ip;
    int rc = digits_u64(s, ni, &ip);
    if (rc) return rc;
    for (size_t i = 0; i < nf; i++)
        if (dot[1 + i] < '0' || dot[1 + i] > '9') return -1;
    if (ip > (UINT64_C(1) << 47)) return -2;
    /* the fraction: long division of its digits by 10^k, bit by bit, into 16 bits plus a remainder test */
    unsigned __int128 num = 0, scale = 1;
    /* 30 digits decide it: every multiple of 1/65536 and every midpoint between two has at most 17
     * decimal digits, so none lies between the fraction cut at 30 digits and the whole fraction */
    size_t used = nf < 30 ? nf : 30;
    for (size_t i = 0; i < used; i++) {
        num = num * 10 + (unsigned)(dot[1 + i] - '0');
        scale *= 10;
    }
    unsigned __int128 scaled = num << 16;
    uint64_t q = (uint64_t)(scaled / scale);
    unsigned __int128 rem = scaled % scale;
    if (rem * 2 >= scale) q += 1;
    unsigned __int128 mag = ((unsigned __int128)ip << 16) + q;
    if (neg ? mag > ((unsigned __int128)1 << 63) : mag > (((unsigned __int128)1 << 63) - 1)) return -2;
    *out = neg ? (uint64_t)0 - (uint64_t)mag : (uint64_t)mag;
    return 0;
}

static int fixed_len(const char *type) {
    if (strcmp(type, "hash") == 0 || strcmp(type, "pubkey") == 0) return 32;
    if (strcmp(type, "sig") == 0) return 64;
    return -1;
}

int abi_encode_arg(const abi_param *p, const char *text, uint8_t *out, size_t out_cap, char *err, size_t cap) {
    const char *type = p->type;
    /* parseArg trims surrounding whitespace */
    while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r') text++;
    size_t tl = strlen(text);
    while (tl && (text[tl - 1] == ' ' || text[tl - 1] == '\t' || text[tl - 1] == '\n' || text[tl - 1] == '\r')) tl--;
    char t[2 * MOTE_MAX_BYTES_LEN + 8];
    if (tl >= sizeof t) {
        snprintf(err, cap, "an argument of type %s is at most %u characters", type, (unsigned)sizeof t - 1);
        return -1;
    }
    memcpy(t, text, tl);
    t[tl] = 0;
    if (strcmp(type, "u64") == 0) {
        uint64_t v;
        int rc = digits_u64(t, tl, &v);
        if (rc == -1) snprintf(err, cap, "expected an unsigned decimal integer (u64), got \"%s\"", mote_quote(t));
        if (rc == -2) snprintf(err, cap, "%s does not fit in u64 (max 18446744073709551615)", t);
        return rc ? -1 : put_int(out, v);
    }
    if (strcmp(type, "i64") == 0) {
        int neg = t[0] == '-';
        uint64_t v;
        int rc = digits_u64(t + neg, tl - (size_t)neg, &v);
        if (rc == -1) {
            snprintf(err, cap, "expected a decimal integer (i64), got \"%s\"", mote_quote(t));
            return -1;
        }
        if (rc == -2 || (neg ? v > (UINT64_C(1) << 63) : v > (UINT64_C(1) << 63) - 1)) {
            snprintf(err, cap, "%s does not fit in i64 (-9223372036854775808..9223372036854775807)", t);
            return -1;
        }
        return put_int(out, neg ? (uint64_t)0 - v : v);
    }
    if (strcmp(type, "fixed") == 0) {
        uint64_t v;
        int rc = parse_fixed(t, &v);
        if (rc == -1) snprintf(err, cap, "expected a decimal number (fixed), e.g. 1.5, got \"%s\"", mote_quote(t));
        if (rc == -2) snprintf(err, cap, "%s does not fit in fixed (Q47.16, about ±1.4e14)", t);
        return rc ? -1 : put_int(out, v);
    }
    if (strcmp(type, "bool") == 0) {
        if (strcmp(t, "true") == 0) return put_int(out, 1);
        if (strcmp(t, "false") == 0) return put_int(out, 0);
        snprintf(err, cap, "expected true or false (bool), got \"%s\"", mote_quote(t));
        return -1;
    }
    int need = fixed_len(type);
    int is_bytes = strcmp(type, "bytes") == 0 || need > 0 || p->size > 0;
    if (!is_bytes) {
        snprintf(err, cap, "cannot parse an argument of type %s", type);
        return -1;
    }
    if (p->size > 0) need = (int)p->size;
    int hex_ok = tl >= 2 && t[0] == '0' && t[1] == 'x' && (tl - 2) % 2 == 0;
    for (size_t i = 2; hex_ok && i < tl; i++)
        if (hexval(t[i]) < 0) hex_ok = 0;
    if (!hex_ok) {
        if (p->size > 0) snprintf(err, cap, "expected the packed bytes of %s as 0x-hex (%u bytes), got \"%s\"", type, p->size, mote_quote(t));
        else snprintf(err, cap, "expected 0x followed by an even number of hex digits (%s), got \"%s\"", type, mote_quote(t));
        return -1;
    }
    uint32_t n = (uint32_t)(tl - 2) / 2;
    if (need >= 0 && n != (uint32_t)need) {
        if (p->size > 0) snprintf(err, cap, "a %s is %d bytes packed (%d hex digits), got %u", type, need, need * 2, n);
        else snprintf(err, cap, "a %s is %d bytes (%d hex digits), got %u", type, need, need * 2, n);
        return -1;
    }
    if (n > MOTE_MAX_BYTES_LEN || 3 + (size_t)n > out_cap) {
        snprintf(err, cap, "a byte string is at most %d bytes, got %u", MOTE_MAX_BYTES_LEN, n);
        return -1;
    }
    out[0] = MOTE_TAG_BYTES;
    out[1] = (uint8_t)n;
    out[2] = (uint8_t)(n >> 8);
    for (uint32_t i = 0; i < n; i++) out[3 + i] = (uint8_t)(hexval(t[2 + 2 * i]) << 4 | hexval(t[3 + 2 * i]));
    return (int)(3 + n);
}
