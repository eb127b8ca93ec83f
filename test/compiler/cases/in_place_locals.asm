.const c0 0x00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
.const c1 0x000000000000000000

.func fill params=1 results=1 locals=6
  ; in_place_locals.mote:7: let xs: [i64; 8] = [0; 8];
    pushb c0
    bdup
    lset1
  ; in_place_locals.mote:8: let s = Sample { value: 0, ok: false };
    pushb c1
    bdup
    lset2
  ; in_place_locals.mote:9: for i in 0..8 { xs[i] = i64(i) * 3; }
    push0
    lset 4
    jmp L41
L14:
    lget1
    lget 4
    dup
    push 8
    ltu
    require 0
    push 8
    mul
    lget 4
    dup
    push0
    ges
    require 1
    push 3
    muls
    bput 8
    laddi 4 1
L41:
    lget 4
    push 8
    jltu L14
  ; in_place_locals.mote:10: s.value = xs[7];
    lget2
    push0
    lget1
    push 56
    push 8
    bslice
    btoi
    bput 8
  ; in_place_locals.mote:11: s.ok = true;
    lget2
    push 8
    push1
    bput 1
  ; in_place_locals.mote:12: for i in 0..n { let p = Sample { value: i64(i), ok: true }; s.value += p.value; }
    push0
    lset 4
    lget0
    lset3
    jmp L115
L73:
    amark
    lset 6
    lget 4
    dup
    push0
    ges
    require 1
    itob 8
    push1
    itob 1
    bcat
    lset 5
    lget2
    push0
    lget2
    push0
    push 8
    bslice
    btoi
    lget 5
    push0
    push 8
    bslice
    btoi
    adds
    bput 8
    lget 6
    arelease
    laddi 4 1
L115:
    lget 4
    lget3
    jltu L73
  ; in_place_locals.mote:13: return s.value;
    lget2
    push0
    push 8
    bslice
    btoi
    ret
.end

.export fill func=fill view
