/* mote_light_state: a storage value a device believes without trusting the node that sent it. The commit
 * check (mote_light.c: header, validator set, > 2/3 of the power) gives a verified app hash; the v2 state
 * proof (mote_proof.c) must lead from the asked key to exactly that root. ledger/lightclient.ts does the
 * same in verifyCommit + verifyStorageProof, with the same error numbers. */
#include <stdio.h>
#include <string.h>

#include "mote_light.h"
#include "mote_sdk.h"

int mote_light_verify_state(mote_light_work *w, const uint8_t *valset, size_t valset_len, const uint8_t *signed_header,
                            size_t signed_header_len, const char *chain_id, const uint8_t *state_key, size_t state_key_len,
                            const uint8_t *proof, size_t proof_len, const uint8_t **value, size_t *value_len,
                            mote_light_verified *out) {
    *value = NULL;
    *value_len = 0;
    int rc = mote_light_verify_commit(w, valset, valset_len, signed_header, signed_header_len, chain_id, out);
    if (rc != MOTE_LIGHT_OK) return rc;
    if (out->app_hash_len != 32) {
        snprintf(out->detail, sizeof out->detail, "the header's app hash is %u bytes, not a 32-byte state root", (unsigned)out->app_hash_len);
        return MOTE_LIGHT_E_PROOF_ROOT;
    }
    mote_err e;
    mote_status st = mote_proof_verify(out->app_hash, state_key, state_key_len, proof, proof_len, value, value_len, &e);
    if (st == MOTE_OK) return MOTE_LIGHT_OK;
    int code;
    switch (st) {
    case MOTE_E_PROOF_WRONG_KEY: code = MOTE_LIGHT_E_PROOF_KEY; break;
    /* a well-formed proof whose path is not the key's, or does not end at the app hash */
    case MOTE_E_PROOF_OTHER_IS_OWN:
    case MOTE_E_PROOF_OTHER_DIVERGES:
    case MOTE_E_PROOF_ROOT_MISMATCH: code = MOTE_LIGHT_E_PROOF_ROOT; break;
    default: code = MOTE_LIGHT_E_PROOF_MALFORMED; break;
    }
    snprintf(out->detail, sizeof out->detail, "state proof: %s at byte %u (app hash of block %lld)", mote_status_name(st), (unsigned)e.at,
             (long long)out->height);
    *value = NULL;
    *value_len = 0;
    return code;
}
