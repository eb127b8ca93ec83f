.func observe params=1 results=1 locals=1
  ; fixed_math.mote:8: if seen == 0 { mean = x; } else { mean = mean + ALPHA * (x - mean); }
    sloadi 1
    jnz L11
    lget0
    sstorei 0
    jmp L25
L11:
    sloadi 0
    push 8192
    lget0
    sloadi 0
    subs
    fmul
    adds
    sstorei 0
  ; fixed_math.mote:9: seen += 1;
L25:
    sloadi 1
    push1
    addu
    sstorei 1
  ; fixed_math.mote:10: let diff = x - mean;
    lget0
    sloadi 0
    subs
    ltee 1
  ; fixed_math.mote:11: if diff < 0.0 { diff = -diff; }
    push0
    jges L44
    lget1
    neg
    lset1
  ; fixed_math.mote:12: return diff > 2.5;
L44:
    lget1
    push 163840
    gts
    ret
.end

.func current params=0 results=1 locals=0
  ; fixed_math.mote:15: pub view fn current() -> fixed { return mean; }
    sloadi 0
    ret
.end

.export observe func=observe
.export current func=current view
