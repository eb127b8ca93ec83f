.func f params=1 results=1 locals=2
  ; warnings.mote:4: let x: u64 = 1;
    push1
    ltee 1
  ; warnings.mote:5: return x;
    ret
.end

.export f func=f view
