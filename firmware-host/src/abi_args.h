/* mote-host's typed arguments: the parameter types of a function from the module's .abi.json, and each
 * command-line argument encoded by its type exactly as the mote CLI's parseArg (compiler/abi.ts) does,
 * so that the same arguments mean the same call on both hosts. The JSON is read with cJSON. */
#ifndef MOTE_ABI_ARGS_H
#define MOTE_ABI_ARGS_H

#include <stddef.h>
#include <stdint.h>

#define ABI_MAX_PARAMS 8

typedef struct {
    char name[64];
    char type[64];
    uint32_t size; /* packed size of a struct or array parameter, else 0 */
} abi_param;

typedef struct {
    int n;
    abi_param p[ABI_MAX_PARAMS];
} abi_params;

/* The .abi.json path beside a module: FILE.mbc -> FILE.abi.json (FILE -> FILE.abi.json otherwise). The
 * caller frees it. */
char *abi_path_beside(const char *module_path);

/* Reads the parameters of function `fn` from the ABI file at `path`. Returns 0, 1 when the ABI has no
 * such function, -1 with a message in err when the file is unreadable or not a Mote ABI. */
int abi_load_params(const char *path, const char *fn, abi_params *out, char *err, size_t cap);

/* Encodes `text` as a tagged value (vm/spec/format.ts) of the parameter's type into out (at least
 * 3 + MOTE_MAX_BYTES_LEN bytes). Returns the length written, or -1 with the reason in err. */
int abi_encode_arg(const abi_param *p, const char *text, uint8_t *out, size_t out_cap, char *err, size_t cap);

#endif
