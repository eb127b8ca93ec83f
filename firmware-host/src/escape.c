/* Escaping of untrusted input for messages: see escape.h. Mirrors compiler/escape.ts exactly. */
#include "escape.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at b[i] (1-4), or 0 when no valid sequence starts there. */
static size_t utf8_len(const uint8_t *b, size_t n, size_t i, uint32_t *cp) {
    uint8_t c = b[i];
#define CONT(k, lo, hi) (i + (k) < n && b[i + (k)] >= (lo) && b[i + (k)] <= (hi))
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        if (!CONT(1, 0x80, 0xbf)) return 0;
        *cp = (uint32_t)(c & 0x1f) << 6 | (b[i + 1] & 0x3f);
        return 2;
    }
    if (c >= 0xe0 && c <= 0xef) {
        uint8_t lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf; /* no overlongs, no surrogates */
        if (!CONT(1, lo, hi) || !CONT(2, 0x80, 0xbf)) return 0;
        *cp = (uint32_t)(c & 0x0f) << 12 | (uint32_t)(b[i + 1] & 0x3f) << 6 | (b[i + 2] & 0x3f);
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        uint8_t lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf; /* no overlongs, <= U+10FFFF */
        if (!CONT(1, lo, hi) || !CONT(2, 0x80, 0xbf) || !CONT(3, 0x80, 0xbf)) return 0;
        *cp = (uint32_t)(c & 0x07) << 18 | (uint32_t)(b[i + 1] & 0x3f) << 12 | (uint32_t)(b[i + 2] & 0x3f) << 6 | (b[i + 3] & 0x3f);
        return 4;
    }
    return 0;
#undef CONT
}

/* The piece of output for the input at b[i]: written to piece (at most 12 bytes), its byte length in
 * *plen, its width in code points returned; *adv is how many input bytes it took. */
static size_t piece_at(const uint8_t *b, size_t n, size_t i, char piece[12], size_t *plen, size_t *adv) {
    uint32_t cp = 0;
    size_t k = utf8_len(b, n, i, &cp);
    if (k == 0 || cp < 0x20 || cp == 0x7f) {
        *adv = k ? k : 1;
        *plen = (size_t)snprintf(piece, 12, "\\x%02x", b[i]);
        return *plen;
    }
    *adv = k;
    if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
        (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff) {
        *plen = (size_t)snprintf(piece, 12, "\\u{%x}", (unsigned)cp);
        return *plen;
    }
    memcpy(piece, b + i, k);
    *plen = k;
    return 1;
}

size_t mote_escape(const char *in, size_t n, size_t max, char *out, size_t cap) {
    const uint8_t *b = (const uint8_t *)in;
    char piece[12];
    size_t plen, adv, width = 0;
    /* does the whole text fit the budget? */
    int cut = 0;
    for (size_t i = 0; i < n; i += adv) {
        width += piece_at(b, n, i, piece, &plen, &adv);
        if (max != MOTE_ESCAPE_ALL && width > max) {
            cut = 1;
            break;
        }
    }
    size_t limit = cut ? max - 1 : MOTE_ESCAPE_ALL, used = 0, len = 0;
    for (size_t i = 0; i < n; i += adv) {
        size_t w = piece_at(b, n, i, piece, &plen, &adv);
        if (limit != MOTE_ESCAPE_ALL && used + w > limit) break;
        for (size_t j = 0; j < plen; j++, len++)
            if (len + 1 < cap) out[len] = piece[j];
        used += w;
    }
    if (cut) {
        static const char ellipsis[] = "\xe2\x80\xa6";
        for (size_t j = 0; j < 3; j++, len++)
            if (len + 1 < cap) out[len] = ellipsis[j];
    }
    if (cap > 0) out[len < cap ? len : cap - 1] = 0;
    return len;
}

/* Four rotating buffers, each large enough for the path budget (12 bytes per code point at most). */
static char slots[4][MOTE_PATH_QUOTE_MAX * 12 + 4];
static unsigned next_slot;

static const char *quote_into_slot(const char *s, size_t max) {
    char *out = slots[next_slot++ % 4];
    mote_escape(s, strlen(s), max, out, sizeof slots[0]);
    return out;
}

const char *mote_quote(const char *s) { return quote_into_slot(s, MOTE_QUOTE_MAX); }
const char *mote_quote_path(const char *s) { return quote_into_slot(s, MOTE_PATH_QUOTE_MAX); }
