// SPDX-License-Identifier: MIT
// bench/peers/sol/DeviceRegistry.sol: the EVM peer of contracts/device_registry.mote, function for
// function: the operator registers, updates and revokes device keys (ed25519, 32 bytes) with metadata.
pragma solidity 0.8.37;

contract DeviceRegistry {
    uint64 internal constant UNKNOWN = 0;
    uint64 internal constant ACTIVE = 1;
    uint64 internal constant REVOKED = 2;

    struct Device {
        uint64 status;
        uint64 kind;
        bytes32 location;
        uint64 registeredAt;
    }

    // The operator is an EVM account; devices keep their ed25519 keys, which the EVM cannot sign with.
    address internal operator;
    mapping(bytes32 => Device) internal devices;
    uint64 internal active;

    event Registered(bytes32 device, uint64 kind, bytes32 location);
    event Updated(bytes32 device, uint64 kind, bytes32 location);
    event Revoked(bytes32 device);

    error AlreadyRegistered();
    error NotActive();
    error NotOperator();

    constructor() {
        operator = msg.sender;
    }

    function register(bytes32 device, uint64 kind, bytes32 location) external {
        onlyOperator();
        if (devices[device].status != UNKNOWN) revert AlreadyRegistered();
        devices[device] = Device(ACTIVE, kind, location, uint64(block.timestamp));
        active += 1;
        emit Registered(device, kind, location);
    }

    function update(bytes32 device, uint64 kind, bytes32 location) external {
        onlyOperator();
        if (devices[device].status != ACTIVE) revert NotActive();
        devices[device].kind = kind;
        devices[device].location = location;
        emit Updated(device, kind, location);
    }

    function revoke(bytes32 device) external {
        onlyOperator();
        if (devices[device].status != ACTIVE) revert NotActive();
        devices[device].status = REVOKED;
        active -= 1;
        emit Revoked(device);
    }

    function statusOf(bytes32 device) external view returns (uint64) {
        return devices[device].status;
    }

    function isActive(bytes32 device) external view returns (bool) {
        return devices[device].status == ACTIVE;
    }

    function kindOf(bytes32 device) external view returns (uint64) {
        return devices[device].kind;
    }

    function locationOf(bytes32 device) external view returns (bytes32) {
        return devices[device].location;
    }

    function activeCount() external view returns (uint64) {
        return active;
    }

    function operatorKey() external view returns (address) {
        return operator;
    }

    function onlyOperator() private view {
        if (msg.sender != operator) revert NotOperator();
    }
}
