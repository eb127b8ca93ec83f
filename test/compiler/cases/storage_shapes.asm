.const c0 0x0000000000000000000000000000000000000000000000000000000000000000000000000000000000
.const c1 0x0000000000000000000000000000000000000000000000000000000000000000

.func record params=2 results=0 locals=3
  ; storage_shapes.mote:18: by_id[id].reading = v;
    lget0
    lget0
    mload 1 2
    dup
    blen
    jnz L13
    drop
    pushb c0
L13:
    lset2
    lget1
    itob 8
    lget2
    push 8
    push 33
    bslice
    bcat
    mstore 1 2
  ; storage_shapes.mote:19: last[id % 4] = v;
    lget0
    push 4
    remu
    lset2
    sload 4 2
    dup
    blen
    jnz L43
    drop
    pushb c1
L43:
    lset3
    lget2
    dup
    push 4
    ltu
    require 0
    push 8
    mul
    lset 4
    lget3
    push0
    lget 4
    bslice
    lget1
    itob 8
    bcat
    lget3
    lget 4
    push 8
    add
    push 24
    lget 4
    sub
    bslice
    bcat
    sstore 4 2
  ; storage_shapes.mote:20: total += 1;
    sloadi 0
    push1
    addu
    sstorei 0
  ; storage_shapes.mote:17: pub fn record(id: u64, v: i64) {
    ret
.end

.func put params=2 results=0 locals=0
  ; storage_shapes.mote:23: pub fn put(x: u64, y: u64) { grid[x][y] += 1; }
    lget0
    itob 8
    lget1
    itob 8
    bcat
    dup
    mloadbi 2
    push1
    addu
    mstorebi 2
    ret
.end

.func allow_it params=2 results=0 locals=0
  ; storage_shapes.mote:24: pub fn allow_it(who: pubkey, n: u64) { allow[caller()][who] = n; }
    lget0
    req32 1
    caller
    lget0
    bcat
    sha256
    lget1
    mstorebi 3
    ret
.end

.func remote_ok params=2 results=1 locals=0
  ; storage_shapes.mote:25: pub view fn remote_ok(registry: hash, device: pubkey) -> bool { return Registry(registry).devices[device].ok; }
    lget0
    lget1
    xmload 1 3
    dup
    blen
    jnz L13
    drop
    pushb c0
L13:
    push 8
    bget
    ret
.end

.func remote_operator params=1 results=1 locals=0
  ; storage_shapes.mote:26: pub view fn remote_operator(registry: hash) -> pubkey { return Registry(registry).operator; }
    lget0
    xload 0 2
    dup
    blen
    jnz L12
    drop
    pushb c1
L12:
    ret
.end

.export record func=record
.export put func=put
.export allow_it func=allow_it args=bi
.export remote_ok func=remote_ok view args=bb
.export remote_operator func=remote_operator view args=b ret=b
