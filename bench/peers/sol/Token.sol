// SPDX-License-Identifier: MIT
// bench/peers/sol/Token.sol: the EVM peer of contracts/token.mote (transfer, approve, transfer_from), for
// the evmBytes size comparison and the token_transfer benchmark. Balances are u64 and checked, as in Mote.
pragma solidity 0.8.37;

contract Token {
    address public owner;
    uint64 public supply;
    mapping(address => uint64) private balances;
    mapping(address => mapping(address => uint64)) private allowances;

    event Transfer(address indexed from, address indexed to, uint64 amount);
    event Approval(address indexed owner, address indexed spender, uint64 amount);

    error InsufficientBalance();
    error InsufficientAllowance();

    constructor(uint64 total) {
        owner = msg.sender;
        balances[msg.sender] = total;
        supply = total;
    }

    function transfer(address to, uint64 amount) external {
        move(msg.sender, to, amount);
    }

    function approve(address spender, uint64 amount) external {
        allowances[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
    }

    function transferFrom(address from, address to, uint64 amount) external {
        uint64 allowed = allowances[from][msg.sender];
        if (allowed < amount) revert InsufficientAllowance();
        allowances[from][msg.sender] = allowed - amount;
        move(from, to, amount);
    }

    function balanceOf(address who) external view returns (uint64) {
        return balances[who];
    }

    function allowance(address from, address spender) external view returns (uint64) {
        return allowances[from][spender];
    }

    function move(address from, address to, uint64 amount) private {
        uint64 bal = balances[from];
        if (bal < amount) revert InsufficientBalance();
        balances[from] = bal - amount;
        balances[to] += amount; // checked: reverts past 2^64-1, like Mote's addu
        emit Transfer(from, to, amount);
    }
}
