/* bench/rv32/seal_main.c: the device SDK's sealing on RV32IMC (ESP32-C3's instruction set) under QEMU
 * -icount shift=0: the retired instructions of mote_seal for one and for three readers, the native stack
 * it reaches (painted), its heap (none: the SDK allocates nothing), and the sealed bytes, which
 * bench/rv32/seal.ts checks against ledger/seal.ts before it reports any figure. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "memprof.h"
#include "mote_seal.h"
#include "seal_case.h"
#include "rv32_instret.h"

#define STACK_PAINT_BYTES (32 * 1024)


static uint8_t out[MOTE_SEAL_SIZE(MOTE_SEAL_MAX_READERS, MOTE_SEAL_MAX_PAYLOAD)];

int main(void) {
    static const unsigned counts[] = {1, 3};
    memprof_stack_paint(STACK_PAINT_BYTES);
    memprof_reset_peak();
    for (unsigned k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        mote_seal_ctx ctx;
        ctx.chain_id = seal_chain;
        memcpy(ctx.contract, seal_contract, 32);
        memcpy(ctx.device, seal_device, 32);
        ctx.seq = seal_seq;
        mote_seal_random rnd;
        memcpy(rnd.ephemeral_secret, seal_random, 32);
        memcpy(rnd.nonce, seal_random + 32, 24);
        memcpy(rnd.content_key, seal_random + 56, 32);
        size_t len = 0;
        char err[200];
        uint64_t t0 = rv32_instret();
        mote_seal_status st = mote_seal(out, sizeof out, &len, seal_payload, seal_payload_len, seal_readers, counts[k], &ctx, &rnd, err, sizeof err);
        uint64_t t1 = rv32_instret();
        if (st != MOTE_SEAL_OK) {
            printf("error seal: %s\n", err);
            return 1;
        }
        printf("seal readers=%u instret=%" PRIu64 " sealed=0x", counts[k], t1 - t0);
        for (size_t i = 0; i < len; i++) printf("%02x", out[i]);
        printf("\n");
    }
    printf("mem stack=%u heap=%u\n", (unsigned)memprof_stack_used(), (unsigned)memprof.peak);
    printf("done\n");
    return 0;
}
