.func init params=1 results=0 locals=0
  ; token_issue.mote:9: init(total: u64) {
    once
  ; token_issue.mote:10: owner = caller();
    caller
    sstore 0 2
  ; token_issue.mote:11: balances[caller()] = total;
    caller
    lget0
    mstorebi 1
  ; token_issue.mote:12: supply = total;
    lget0
    sstorei 2
  ; token_issue.mote:9: init(total: u64) {
    ret
.end

.func transfer params=2 results=0 locals=2
  ; token_issue.mote:15: pub fn transfer(to: pubkey, amount: u64) {
    lget0
    req32 1
  ; token_issue.mote:16: let from: pubkey = caller();
    caller
    ltee 2
  ; token_issue.mote:17: let bal = balances[from];
    mloadbi 1
    ltee 3
  ; token_issue.mote:18: require(bal >= amount, "insufficient balance");
    lget1
    geu
    require 2
  ; token_issue.mote:19: balances[from] = bal - amount;
    lget2
    lget3
    lget1
    subu
    mstorebi 1
  ; token_issue.mote:20: balances[to] += amount;
    lget0
    dup
    mloadbi 1
    lget1
    addu
    mstorebi 1
  ; token_issue.mote:21: emit Transfer(from, to, amount);
    lget2
    lget0
    lget1
    emit 1202438292 3 3
  ; token_issue.mote:15: pub fn transfer(to: pubkey, amount: u64) {
    ret
.end

.func balance_of params=1 results=1 locals=0
  ; token_issue.mote:25: return balances[who];
    lget0
    mloadbi 1
    ret
.end

.export init func=init
.export transfer func=transfer args=bi
.export balance_of func=balance_of view args=b
