// SPDX-License-Identifier: MIT
// bench/peers/sol/SensorAttestation.sol: the EVM peer of contracts/sensor_attestation.mote, check for
// check: registered, not revoked, not isolated, guard caught up, nonce and time order, signature, chain.
pragma solidity 0.8.37;

interface IDeviceRegistry {
    function statusOf(bytes32 device) external view returns (uint64);
}

interface IAnomalyGuard {
    function stats(bytes32 device)
        external
        view
        returns (uint64 seen, uint64 samples, int64 mean, int64 variance, uint64 strikes, uint64 windowStart, uint64 anomalies, bool isolated);
}

contract SensorAttestation {
    uint64 internal constant UNKNOWN = 0;
    uint64 internal constant ACTIVE = 1;
    uint64 internal constant MAX_CLOCK_SKEW = 300;

    struct Reading {
        uint64 count;
        uint64 nonce;
        int64 value; // Q47.16 fixed point, as Mote's `fixed`
        uint64 timestamp;
        bytes32 chain;
    }

    // Ethereum has no ed25519 precompile (EIP-665 proposed one and was never adopted). The contract calls
    // one at `verifier` with pubkey ++ sig ++ msg and gets a 32-byte 1 or 0 back, as Mote's `verify`
    // does; a pure-Solidity ed25519 costs over a million gas per signature.
    address internal immutable verifier;
    IDeviceRegistry internal immutable registry;
    IAnomalyGuard internal immutable guard;

    // Public: the guard reads a device's latest reading through this getter (Mote reads the storage).
    mapping(bytes32 => Reading) public latest;
    uint64 internal total;

    event Attested(bytes32 device, uint64 nonce, int64 value, uint64 timestamp, bytes32 chain);

    error NotRegistered();
    error DeviceRevoked();
    error Isolated();
    error NotObserved();
    error ReplayedNonce();
    error NotNewer();
    error InTheFuture();
    error BadSignature();

    constructor(address verifier_, IDeviceRegistry registry_, IAnomalyGuard guard_) {
        verifier = verifier_;
        registry = registry_;
        guard = guard_;
    }

    function submit(bytes32 device, uint64 nonce, int64 value, uint64 timestamp, bytes calldata signature) external {
        Reading memory last = admit(device, nonce, timestamp);
        bytes memory message = abi.encodePacked(address(this), nonce, value, timestamp);
        (bool ok, bytes memory out) = verifier.staticcall(abi.encodePacked(device, signature, message));
        if (!ok || out.length != 32 || uint256(bytes32(out)) != 1) revert BadSignature();
        last.count += 1;
        last.nonce = nonce;
        last.value = value;
        last.timestamp = timestamp;
        last.chain = sha256(abi.encodePacked(last.chain, message));
        latest[device] = last;
        total += 1;
        emit Attested(device, nonce, value, timestamp, last.chain);
    }

    /// Every refusal before the signature check (a separate function: one frame holds too few slots).
    function admit(bytes32 device, uint64 nonce, uint64 timestamp) private view returns (Reading memory last) {
        uint64 status = registry.statusOf(device);
        if (status == UNKNOWN) revert NotRegistered();
        if (status != ACTIVE) revert DeviceRevoked();
        (uint64 seen, , , , , , , bool isolated) = guard.stats(device);
        if (isolated) revert Isolated();
        last = latest[device];
        if (seen != last.count) revert NotObserved();
        if (nonce <= last.nonce) revert ReplayedNonce();
        if (timestamp <= last.timestamp) revert NotNewer();
        if (timestamp > block.timestamp + MAX_CLOCK_SKEW) revert InTheFuture();
    }

    function valueOf(bytes32 device) external view returns (int64) {
        return latest[device].value;
    }

    function countOf(bytes32 device) external view returns (uint64) {
        return latest[device].count;
    }

    function nonceOf(bytes32 device) external view returns (uint64) {
        return latest[device].nonce;
    }

    function chainOf(bytes32 device) external view returns (bytes32) {
        return latest[device].chain;
    }

    function totalReadings() external view returns (uint64) {
        return total;
    }
}
