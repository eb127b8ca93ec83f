/* The one rule for showing untrusted input (a token, a path, a batch line) inside a message: the C twin
 * of compiler/escape.ts, byte for byte (test/cli/escape.test.ts checks both on the same inputs).
 *   C0 controls and DEL, and any byte that is not part of valid UTF-8  -> \xNN
 *   C1 controls, bidirectional controls, U+2028, U+2029, U+FEFF         -> \u{hex}
 *   everything else (the backslash included) as it is, so escaping twice changes nothing.
 * Width is counted in code points of the output; a quoted token is cut to a budget and ends in "…". */
#ifndef MOTE_ESCAPE_H
#define MOTE_ESCAPE_H

#include <stddef.h>

/* Output budgets in code points, the ellipsis included (as QUOTE_MAX and PATH_QUOTE_MAX in TypeScript). */
#define MOTE_QUOTE_MAX 64
#define MOTE_PATH_QUOTE_MAX 200
/* No budget: the whole text, escaped (for a message as a whole). */
#define MOTE_ESCAPE_ALL ((size_t)-1)

/* Escapes the n bytes at `in`, cut to `max` code points of output as described above, into `out`
 * (always NUL-terminated when cap > 0). Returns the length the full result needs, without the NUL, so
 * a caller can size a buffer with a first call of cap 0. */
size_t mote_escape(const char *in, size_t n, size_t max, char *out, size_t cap);

/* A NUL-terminated token or path quoted for a message (MOTE_QUOTE_MAX / MOTE_PATH_QUOTE_MAX), in one
 * of a few rotating static buffers: valid until a few more calls, enough for one message's arguments. */
const char *mote_quote(const char *s);
const char *mote_quote_path(const char *s);

#endif
