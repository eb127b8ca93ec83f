.func sum params=1 results=1 locals=3
  ; loops.mote:4: let s: u64 = 0;
    push0
    lset1
  ; loops.mote:5: for i in 0..n { s += i; }
    push0
    lset3
    lget0
    lset2
    jmp L16
L9:
    lget1
    lget3
    addu
    lset1
    laddi 3 1
L16:
    lget3
    lget2
    jltu L9
  ; loops.mote:6: return s;
    lget1
    ret
.end

.func count_down params=1 results=1 locals=1
  ; loops.mote:10: let steps: i64 = 0;
    push0
    lset1
  ; loops.mote:11: while n > 0 {
    jmp L26
  ; loops.mote:12: n = n - 1;
L5:
    lget0
    push1
    subs
    ltee 0
  ; loops.mote:13: if n == 3 { continue; }
    push 3
    jeq L26
  ; loops.mote:14: steps += 1;
    lget1
    push1
    adds
    ltee 1
  ; loops.mote:15: if steps >= 100 { break; }
    push 100
    jges L31
  ; loops.mote:11: while n > 0 {
L26:
    push0
    lget0
    jlts L5
  ; loops.mote:17: return steps;
L31:
    lget1
    ret
.end

.func either params=2 results=1 locals=0
  ; loops.mote:21: if a < 10 || b >= 20 && a != b { return true; }
    lget0
    push 10
    jltu L17
    lget1
    push 20
    jltu L19
    lget0
    lget1
    jeq L19
L17:
    push1
    ret
  ; loops.mote:22: return false;
L19:
    push0
    ret
.end

.export sum func=sum view
.export count_down func=count_down view
.export either func=either view
