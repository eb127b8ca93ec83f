// SPDX-License-Identifier: MIT
// bench/peers/sol/AnomalyGuard.sol: the EVM peer of contracts/anomaly_guard.mote: per device an EWMA of
// mean and variance in Q47.16 fixed point, anomalies beyond K sigma, isolation after STRIKES in WINDOW.
pragma solidity 0.8.37;

interface IAttestation {
    function latest(bytes32 device) external view returns (uint64 count, uint64 nonce, int64 value, uint64 timestamp, bytes32 chain);
}

interface IRegistry {
    function operatorKey() external view returns (address);
}

contract AnomalyGuard {
    int64 internal constant ONE = 1 << 16;
    int64 internal constant ALPHA = ONE / 8; // 0.125
    uint64 internal constant WARMUP = 8;
    int64 internal constant K2 = 16 * ONE; // K = 4 standard deviations
    int64 internal constant MIN_VARIANCE = 655; // 0.01
    uint64 internal constant WINDOW = 10;
    uint64 internal constant STRIKES = 3;
    int64 internal constant MAX_DEVIATION = 1000000 * ONE;

    struct Stats {
        uint64 seen;
        uint64 samples;
        int64 mean;
        int64 variance;
        uint64 strikes;
        uint64 windowStart;
        uint64 anomalies;
        bool isolated;
    }

    IRegistry internal immutable registry;
    IAttestation internal immutable attestation;
    // Public: the attestation contract reads `seen` and `isolated` through this getter.
    mapping(bytes32 => Stats) public stats;

    event Anomaly(bytes32 device, uint64 nonce, int64 value, int64 mean, int64 variance);
    event Isolated(bytes32 device, uint64 nonce, uint64 anomalies);
    event Reinstated(bytes32 device);

    error NoNewReading();
    error NotOperator();
    error NotIsolated();
    error Overflow();

    constructor(IRegistry registry_, IAttestation attestation_) {
        registry = registry_;
        attestation = attestation_;
    }

    /// Mote's fmul: 128-bit product, truncated toward zero, checked back into 64 bits.
    function fmul(int64 a, int64 b) private pure returns (int64) {
        int128 p = (int128(a) * int128(b)) / int128(ONE);
        if (p > type(int64).max || p < type(int64).min) revert Overflow();
        return int64(p);
    }

    function observe(bytes32 device) external {
        (uint64 count, uint64 nonce, int64 x, , ) = attestation.latest(device);
        Stats memory s = stats[device];
        if (count <= s.seen) revert NoNewReading();
        s.seen = count;
        if (s.samples == 0) {
            s.samples = 1;
            s.mean = x;
            s.variance = 0;
            stats[device] = s;
            return;
        }
        int64 d = x - s.mean;
        bool anomalous = false;
        if (s.samples >= WARMUP) {
            if (d > MAX_DEVIATION || d < -MAX_DEVIATION) {
                anomalous = true;
            } else {
                int64 v = s.variance;
                if (v < MIN_VARIANCE) v = MIN_VARIANCE;
                anomalous = fmul(d, d) > fmul(K2, v);
            }
        }
        if (anomalous) {
            if (s.strikes == 0 || s.seen - s.windowStart >= WINDOW) {
                s.windowStart = s.seen;
                s.strikes = 0;
            }
            s.strikes += 1;
            s.anomalies += 1;
            emit Anomaly(device, nonce, x, s.mean, s.variance);
            if (s.strikes >= STRIKES) {
                s.isolated = true;
                emit Isolated(device, nonce, s.anomalies);
            }
        } else {
            s.samples += 1;
            int64 inc = fmul(d, ALPHA);
            s.mean = s.mean + inc;
            s.variance = fmul(s.variance + fmul(d, inc), ONE - ALPHA);
        }
        stats[device] = s;
    }

    function reinstate(bytes32 device) external {
        if (msg.sender != registry.operatorKey()) revert NotOperator();
        Stats memory s = stats[device];
        if (!s.isolated) revert NotIsolated();
        stats[device] = Stats(s.seen, 0, 0, 0, 0, 0, s.anomalies, false);
        emit Reinstated(device);
    }

    function isIsolated(bytes32 device) external view returns (bool) {
        return stats[device].isolated;
    }

    function meanOf(bytes32 device) external view returns (int64) {
        return stats[device].mean;
    }

    function varianceOf(bytes32 device) external view returns (int64) {
        return stats[device].variance;
    }

    function anomaliesOf(bytes32 device) external view returns (uint64) {
        return stats[device].anomalies;
    }

    function seenOf(bytes32 device) external view returns (uint64) {
        return stats[device].seen;
    }
}
