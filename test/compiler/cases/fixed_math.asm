.func observe params=1 results=1 locals=1
  ; fixed_math.mote:8: if seen == 0 { mean = x; } else { mean = mean + ALPHA * (x - mean); }
    sload 1 0
    jnz L13
    lget0
    sstore 0 0
    jmp L30
L13:
    sload 0 0
    push 8192
    lget0
    sload 0 0
    subs
    fmul
    adds
    sstore 0 0
  ; fixed_math.mote:9: seen += 1;
L30:
    sload 1 0
    push1
    addu
    sstore 1 0
  ; fixed_math.mote:10: let diff = x - mean;
    lget0
    sload 0 0
    subs
    ltee 1
  ; fixed_math.mote:11: if diff < 0.0 { diff = -diff; }
    push0
    jges L52
    lget1
    neg
    lset1
  ; fixed_math.mote:12: return diff > 2.5;
L52:
    lget1
    push 163840
    gts
    ret
.end

.func current params=0 results=1 locals=0
  ; fixed_math.mote:15: pub view fn current() -> fixed { return mean; }
    sload 0 0
    ret
.end

.export observe func=observe
.export current func=current view
