# bench/rv32/bench.mk: the RV32 bench ELF, read after firmware-host/Makefile (make -f Makefile -f bench.mk) so
# it compiles and links with exactly the firmware host's toolchain flags, wasm3 profile and object rules.
#
# BUILD (set by bench/rv32/driver.ts) points at a build directory outside the firmware host's own, whose
# gen/ holds mote_spec.h, mote_wasm.c and the generated case tables.

BENCH_SRC ?= $(error BENCH_SRC is not set: run the bench through bench/rv32/driver.ts)
# One name per case table (driver.ts derives it from the table's hash), so two runs with different cases
# never write the same files.
BENCH_NAME ?= $(error BENCH_NAME is not set: run the bench through bench/rv32/driver.ts)

BENCH_LIB_OBJS := $(foreach f,$(WASM3_SRCS) $(MONO_SRCS) $(MBEDTLS_SRCS) $(CORE_SRCS),$(call rv_obj,$(f)))

$(RV_DIR)/bench_main.o: $(BENCH_SRC)/bench_main.c $(BENCH_SRC)/bench_cases.h $(wildcard $(SRC)/*.h) $(GEN)/mote_spec.h | $(RV_DIR)
	$(RV_CC) -std=c11 $(RV_FLAGS) $(WASM3_PROFILE) $(CWARN) $(INCLUDES) -I$(BENCH_SRC) -c $< -o $@
$(RV_DIR)/$(BENCH_NAME).o: $(GEN)/$(BENCH_NAME).c $(BENCH_SRC)/bench_cases.h | $(RV_DIR)
	$(RV_CC) -std=c11 $(RV_FLAGS) $(CWARN) -I$(BENCH_SRC) -c $< -o $@

.PHONY: bench-elf
bench-elf: $(RV_DIR)/$(BENCH_NAME).elf
$(RV_DIR)/$(BENCH_NAME).elf: $(BENCH_LIB_OBJS) $(RV_DIR)/bench_main.o $(RV_DIR)/$(BENCH_NAME).o
	$(RV_CC) $(RV_FLAGS) $^ $(RV_LINK) -o $@

# The device SDK's sealing alone (bench/rv32/seal.ts): Monocypher, mote_seal.c and the case in gen/.
SEAL_OBJS := $(foreach f,$(MONO_SRCS) $(SRC)/mote_seal.c $(SRC)/memprof.c,$(call rv_obj,$(f)))
$(RV_DIR)/seal_main.o: $(BENCH_SRC)/seal_main.c $(GEN)/seal_case.h $(SRC)/mote_seal.h $(SRC)/rv32_instret.h | $(RV_DIR)
	$(RV_CC) -std=c11 $(RV_FLAGS) $(CWARN) $(INCLUDES) -c $< -o $@
$(RV_DIR)/seal_case.o: $(GEN)/seal_case.c $(GEN)/seal_case.h | $(RV_DIR)
	$(RV_CC) -std=c11 $(RV_FLAGS) $(CWARN) $(INCLUDES) -c $< -o $@

.PHONY: seal-elf
seal-elf: $(RV_DIR)/mote-seal.elf
$(RV_DIR)/mote-seal.elf: $(SEAL_OBJS) $(RV_DIR)/seal_main.o $(RV_DIR)/seal_case.o
	$(RV_CC) $(RV_FLAGS) $^ $(RV_LINK) $(RV_PRINTF) -Wl,-Map,$(RV_DIR)/mote-seal.map -o $@

# The device SDK alone (bench/rv32/sdk.ts): Monocypher (Ed25519 signing), Mbed TLS's SHA-256 and the SDK's
# sources, with no VM and no sealing; the light client's commit check (mote_light.c) with nanopb's runtime from
# Debian's source package (NANOPB_DIR, fetched and verified by firmware-host/scripts/build.ts) and the messages
# generated from proto/mote_light.proto; the case in gen/.
SDK_BENCH_OBJS := $(foreach f,$(MONO_SRCS) $(MBEDTLS_SRCS) $(SRC)/mote_sdk.c $(SRC)/mote_tx.c $(SRC)/mote_proof.c $(SRC)/mote_crypto.c $(SRC)/memprof.c \
                    $(SRC)/mote_light.c $(SRC)/mote_light_state.c $(GEN)/mote_light.pb.c $(NANOPB_SRCS),$(call rv_obj,$(f)))
$(RV_DIR)/mote_light.pb.o: $(GEN)/mote_light.pb.c $(GEN)/mote_light.pb.h | $(RV_DIR)
	$(RV_CC) -std=c11 $(RV_FLAGS) $(CWARN) $(INCLUDES) -c $< -o $@
$(RV_DIR)/mote_light.o: $(SRC)/mote_light.c $(SRC)/mote_light.h $(GEN)/mote_light.pb.h | $(RV_DIR)
	$(RV_CC) -std=c11 $(RV_FLAGS) $(CWARN) $(INCLUDES) -c $< -o $@
$(RV_DIR)/sdk_main.o: $(BENCH_SRC)/sdk_main.c $(GEN)/sdk_case.h $(SRC)/mote_sdk.h $(SRC)/mote_light.h $(GEN)/mote_light.pb.h $(SRC)/rv32_instret.h | $(RV_DIR)
	$(RV_CC) -std=c11 $(RV_FLAGS) $(CWARN) $(INCLUDES) -c $< -o $@
$(RV_DIR)/sdk_case.o: $(GEN)/sdk_case.c $(GEN)/sdk_case.h | $(RV_DIR)
	$(RV_CC) -std=c11 $(RV_FLAGS) $(CWARN) $(INCLUDES) -c $< -o $@

.PHONY: sdk-elf
sdk-elf: $(RV_DIR)/mote-sdk.elf
# rebuilt when the firmware host's Makefile or this file changes (flags and nanopb's options are in them)
$(SDK_BENCH_OBJS) $(RV_DIR)/sdk_main.o: Makefile $(BENCH_SRC)/bench.mk
$(RV_DIR)/mote-sdk.elf: $(SDK_BENCH_OBJS) $(RV_DIR)/sdk_main.o $(RV_DIR)/sdk_case.o
	$(RV_CC) $(RV_FLAGS) $^ $(RV_LINK) $(RV_PRINTF) -Wl,-Map,$(RV_DIR)/mote-sdk.map -Wl,--cref -o $@
