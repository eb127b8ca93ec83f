// SPDX-License-Identifier: MIT
// bench/peers/sol/Workloads.sol: the compute workloads of the peer benchmark for the EVM: recursive fib,
// the checked sum loop, and a SHA-256 chain through the 0x02 precompile.
pragma solidity 0.8.37;

contract Workloads {
    // uint64 with 0.8 checked arithmetic, matching Mote's u64 and checked adds.
    function fib(uint64 n) public pure returns (uint64) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    function sum(uint64 n) external pure returns (uint64 s) {
        for (uint64 i = 1; i <= n; i++) s += i;
    }

    function shaChain(bytes32 h, uint256 n) external pure returns (bytes32) {
        for (uint256 i = 0; i < n; i++) h = sha256(abi.encodePacked(h));
        return h;
    }
}
