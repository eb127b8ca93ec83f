// The ESP-IDF component (firmware-host/esp-idf/mote) offers the whole device SDK. ESP-IDF itself cannot be
// installed here (docs/device.md, "ESP-IDF: what is and is not verified here"), so its CMakeLists.txt is run by
// the host's CMake with ESP-IDF's idf_component_register stubbed as a static library: the file must parse, its
// SDK sources must be exactly the Makefile's (what mote-device and the RV32 bench compile), and they must compile
// and link together on the host with nothing missing (--whole-archive). Mbed TLS, which ESP-IDF provides as its
// `mbedtls` component, is the cached source the other builds use; the two files that need ESP-IDF's headers
// (mote_platform_esp.c, mote_nvs.c) and the VM's sources (built into mote-host already) are left out of the compile.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFirmwareHost, depDirs, FW_DIR, makeVars } from "../../firmware-host/scripts/build.ts";

const COMPONENT = join(FW_DIR, "esp-idf/mote/CMakeLists.txt");
const hasCmake = spawnSync("cmake", ["--version"]).status === 0;

/** A CMake project standing in for ESP-IDF: idf_component_register makes a static library of the SDK's sources. */
function stubProject(mbedtlsDir: string): string {
  return `cmake_minimum_required(VERSION 3.16)
project(mote_component_check C)
set(CONFIG_IDF_TARGET_ARCH_RISCV "")
set(CONFIG_MOTE_WASM3_OPS_IN_IRAM y)
function(idf_component_register)
  cmake_parse_arguments(A "" "" "SRCS;INCLUDE_DIRS;PRIV_INCLUDE_DIRS;REQUIRES;PRIV_REQUIRES" \${ARGN})
  file(WRITE "\${CMAKE_BINARY_DIR}/srcs.txt" "\${A_SRCS}")
  file(WRITE "\${CMAKE_BINARY_DIR}/requires.txt" "\${A_REQUIRES};\${A_PRIV_REQUIRES}")
  set(keep "")
  foreach(f IN LISTS A_SRCS)
    if(NOT f MATCHES "(/m3_[^/]*|mote_platform_esp|mote_nvs|mote_host|mote_vm_wasm3|mote_store|mote_wasm)\\\\.c$")
      list(APPEND keep "\${f}")
    endif()
  endforeach()
  if("mbedtls" IN_LIST A_PRIV_REQUIRES)
    list(APPEND keep "${mbedtlsDir}/library/sha256.c" "${mbedtlsDir}/library/platform_util.c")
  endif()
  add_library(mote_component STATIC \${keep})
  target_include_directories(mote_component PUBLIC \${A_INCLUDE_DIRS} PRIVATE \${A_PRIV_INCLUDE_DIRS} "${mbedtlsDir}/include" "${mbedtlsDir}/library")
  target_compile_definitions(mote_component PRIVATE "MBEDTLS_CONFIG_FILE=\\"mote_mbedtls_config.h\\"")
  set(COMPONENT_LIB mote_component PARENT_SCOPE)
endfunction()
include("${COMPONENT}")
add_executable(mote_component_link main.c)
target_link_libraries(mote_component_link PRIVATE -Wl,--whole-archive mote_component -Wl,--no-whole-archive)
`;
}

describe.skipIf(!hasCmake)("the ESP-IDF component", () => {
  let dir = "";
  let configure: ReturnType<typeof spawnSync>;
  let deps: ReturnType<typeof depDirs>;
  beforeAll(async () => {
    await buildFirmwareHost({ quiet: true }); // build/gen: mote_deps.cmake, mote_light.pb.c, mote_wasm.c
    deps = depDirs();
    dir = mkdtempSync(join(tmpdir(), "mote-idf-"));
    writeFileSync(join(dir, "CMakeLists.txt"), stubProject(deps.mbedtls));
    writeFileSync(join(dir, "main.c"), "int main(void) { return 0; }\n");
    configure = spawnSync("cmake", ["-S", dir, "-B", join(dir, "b"), "-DCMAKE_BUILD_TYPE="], { encoding: "utf8" });
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("its CMakeLists.txt is read by CMake without an error", () => {
    expect(configure.status, `${configure.stdout}${configure.stderr}`).toBe(0);
  });

  it("lists the device SDK's sources exactly as firmware-host/Makefile builds them, and ESP-IDF's mbedtls for SHA-256", () => {
    const srcs = readFileSync(join(dir, "b", "srcs.txt"), "utf8").split(";").map((p) => resolve(p));
    const vm = /(\/m3_[^/]*|mote_platform_esp|mote_nvs|mote_host|mote_vm_wasm3|mote_store|mote_wasm)\.c$/;
    const make = spawnSync("make", ["-s", "--no-print-directory", "-C", FW_DIR, "print-sdk-srcs", ...makeVars(deps)], { encoding: "utf8" });
    expect(make.status, make.stderr).toBe(0);
    const sdk = make.stdout.trim().split(/\s+/).map((p) => resolve(FW_DIR, p));
    expect(sdk).toContain(resolve(FW_DIR, "src/mote_light.c"));
    expect(srcs.filter((p) => !vm.test(p)).sort()).toEqual([...sdk].sort());
    expect(readFileSync(join(dir, "b", "requires.txt"), "utf8").split(";")).toEqual(expect.arrayContaining(["nvs_flash", "esp_hw_support", "mbedtls"]));
    expect(readFileSync(COMPONENT, "utf8")).not.toMatch(/libsodium/);
  });

  it("its SDK sources compile and link together on the host, nothing missing", () => {
    const b = spawnSync("cmake", ["--build", join(dir, "b"), "-j2"], { encoding: "utf8", timeout: 240_000 });
    expect(b.status, `${b.stdout}${b.stderr}`.split("\n").slice(-15).join("\n")).toBe(0);
  }, 300_000);
});
