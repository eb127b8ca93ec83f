# bench/rv32/bench.mk: the RV32 bench ELF, read after firmware-host/Makefile (make -f Makefile -f bench.mk) so
# it compiles and links with exactly the firmware host's toolchain flags, wasm3 profile and object rules.
#
# BUILD (set by bench/rv32/driver.ts) points at a build directory outside the firmware host's own, whose
# gen/ holds mote_spec.h, mote_wasm.c and the generated case tables.

BENCH_SRC ?= $(error BENCH_SRC is not set: run the bench through bench/rv32/driver.ts)
# One name per case table (driver.ts derives it from the table's hash), so two runs with different cases
# never write the same files.
BENCH_NAME ?= $(error BENCH_NAME is not set: run the bench through bench/rv32/driver.ts)

BENCH_LIB_OBJS := $(foreach f,$(WASM3_SRCS) $(MONO_SRCS) $(SODIUM_SRCS) $(CORE_SRCS),$(call rv_obj,$(f)))

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
