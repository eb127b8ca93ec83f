// The Mote grammar as a pure chevrotain CstParser (no semantics; the visitor builds the AST).
// Error recovery is on: a syntax error is recorded and parsing resumes, so all errors are reported.
import { CstParser, EOF, type IToken, type CstNode } from "chevrotain";
import * as T from "./tokens.ts";

class MoteParser extends CstParser {
  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 4, nodeLocationTracking: "full" });
    this.performSelfAnalysis();
  }

  file = this.RULE("file", () => {
    this.MANY(() => this.SUBRULE(this.topDecl));
  });

  topDecl = this.RULE("topDecl", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.structDecl) },
      { ALT: () => this.SUBRULE(this.enumDecl) },
      { ALT: () => this.SUBRULE(this.constDecl) },
      { ALT: () => this.SUBRULE(this.fnDecl) },
      { ALT: () => this.SUBRULE(this.contractDecl) },
    ]);
  });

  importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLiteral);
    this.CONSUME(T.Semi);
  });

  structDecl = this.RULE("structDecl", () => {
    this.CONSUME(T.Struct);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.param) });
    this.OPTION(() => this.CONSUME2(T.Comma));
    this.CONSUME(T.RBrace);
  });

  enumDecl = this.RULE("enumDecl", () => {
    this.CONSUME(T.Enum);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.CONSUME2(T.Identifier, { LABEL: "variant" }) });
    this.OPTION(() => this.CONSUME2(T.Comma));
    this.CONSUME(T.RBrace);
  });

  constDecl = this.RULE("constDecl", () => {
    this.CONSUME(T.Const);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.type);
    });
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expr);
    this.CONSUME(T.Semi);
  });

  fnDecl = this.RULE("fnDecl", () => {
    // `test fn` (compiler/testing.ts): `test` is contextual, not a keyword, so it stays a valid name
    this.OPTION4({
      GATE: () => this.LA(1).image === "test" && this.LA(2).tokenType === T.Fn,
      DEF: () => this.CONSUME2(T.Identifier, { LABEL: "testKw" }),
    });
    this.OPTION(() => this.CONSUME(T.Pub));
    this.OPTION2(() => this.CONSUME(T.View));
    this.CONSUME(T.Fn);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.paramList);
    this.OPTION3(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.type);
    });
    this.SUBRULE(this.block);
  });

  initDecl = this.RULE("initDecl", () => {
    this.CONSUME(T.Init);
    this.SUBRULE(this.paramList);
    this.OPTION(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.type);
    });
    this.SUBRULE(this.block);
  });

  paramList = this.RULE("paramList", () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.param) });
    this.CONSUME(T.RParen);
  });

  param = this.RULE("param", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
  });

  contractDecl = this.RULE("contractDecl", () => {
    this.OPTION(() => this.CONSUME(T.Extern));
    this.CONSUME(T.Contract);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.member));
    this.CONSUME(T.RBrace);
  });

  member = this.RULE("member", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.storageDecl) },
      { ALT: () => this.SUBRULE(this.eventDecl) },
      { ALT: () => this.SUBRULE(this.initDecl) },
      { ALT: () => this.SUBRULE(this.fnDecl) },
      { ALT: () => this.SUBRULE(this.constDecl) },
    ]);
  });

  storageDecl = this.RULE("storageDecl", () => {
    this.CONSUME(T.Storage);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
    this.CONSUME(T.Semi);
  });

  eventDecl = this.RULE("eventDecl", () => {
    this.CONSUME(T.Event);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.paramList);
    this.CONSUME(T.Semi);
  });

  type = this.RULE("type", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.TypeName) },
      { ALT: () => this.CONSUME(T.Identifier) },
      {
        ALT: () => {
          this.CONSUME(T.Map);
          this.CONSUME(T.Less);
          this.SUBRULE(this.type, { LABEL: "key" });
          this.CONSUME(T.Comma);
          this.SUBRULE2(this.type, { LABEL: "value" });
          this.CONSUME(T.Greater);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.SUBRULE3(this.type, { LABEL: "elem" });
          this.CONSUME(T.Semi);
          this.SUBRULE(this.expr, { LABEL: "length" });
          this.CONSUME(T.RBracket);
        },
      },
    ]);
  });

  block = this.RULE("block", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.stmt));
    this.CONSUME(T.RBrace);
  });

  stmt = this.RULE("stmt", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.letStmt) },
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { ALT: () => this.SUBRULE(this.whileStmt) },
      { ALT: () => this.SUBRULE(this.forStmt) },
      { ALT: () => this.SUBRULE(this.breakStmt) },
      { ALT: () => this.SUBRULE(this.continueStmt) },
      { ALT: () => this.SUBRULE(this.returnStmt) },
      { ALT: () => this.SUBRULE(this.emitStmt) },
      { ALT: () => this.SUBRULE(this.block) },
      { ALT: () => this.SUBRULE(this.exprStmt) },
    ]);
  });

  letStmt = this.RULE("letStmt", () => {
    this.CONSUME(T.Let);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.type);
    });
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expr);
    this.CONSUME(T.Semi);
  });

  ifStmt = this.RULE("ifStmt", () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expr);
    this.SUBRULE(this.block, { LABEL: "then" });
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR([{ ALT: () => this.SUBRULE(this.ifStmt, { LABEL: "elseIf" }) }, { ALT: () => this.SUBRULE2(this.block, { LABEL: "else" }) }]);
    });
  });

  whileStmt = this.RULE("whileStmt", () => {
    this.CONSUME(T.While);
    this.SUBRULE(this.expr);
    this.SUBRULE(this.block);
  });

  forStmt = this.RULE("forStmt", () => {
    this.CONSUME(T.For);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.In);
    this.SUBRULE(this.expr, { LABEL: "from" });
    this.CONSUME(T.DotDot);
    this.SUBRULE2(this.expr, { LABEL: "to" });
    this.SUBRULE(this.block);
  });

  breakStmt = this.RULE("breakStmt", () => {
    this.CONSUME(T.Break);
    this.CONSUME(T.Semi);
  });

  continueStmt = this.RULE("continueStmt", () => {
    this.CONSUME(T.Continue);
    this.CONSUME(T.Semi);
  });

  returnStmt = this.RULE("returnStmt", () => {
    this.CONSUME(T.Return);
    this.OPTION(() => this.SUBRULE(this.expr));
    this.CONSUME(T.Semi);
  });

  emitStmt = this.RULE("emitStmt", () => {
    this.CONSUME(T.Emit);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.argList);
    this.CONSUME(T.Semi);
  });

  exprStmt = this.RULE("exprStmt", () => {
    this.SUBRULE(this.expr, { LABEL: "target" });
    this.OPTION(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Assign) }, { ALT: () => this.CONSUME(T.CompoundAssign) }]);
      this.SUBRULE2(this.expr, { LABEL: "value" });
    });
    this.CONSUME(T.Semi);
  });

  argList = this.RULE("argList", () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expr) });
    this.CONSUME(T.RParen);
  });

  // -- expressions, loosest binding first (Rust's precedence) ---------------------------------------
  expr = this.RULE("expr", () => {
    this.SUBRULE(this.andExpr, { LABEL: "operand" });
    this.MANY(() => {
      this.CONSUME(T.OrOr, { LABEL: "operator" });
      this.SUBRULE2(this.andExpr, { LABEL: "operand" });
    });
  });

  andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.cmpExpr, { LABEL: "operand" });
    this.MANY(() => {
      this.CONSUME(T.AndAnd, { LABEL: "operator" });
      this.SUBRULE2(this.cmpExpr, { LABEL: "operand" });
    });
  });

  cmpExpr = this.RULE("cmpExpr", () => {
    this.SUBRULE(this.bitOrExpr, { LABEL: "operand" });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.EqEq, { LABEL: "operator" }) },
        { ALT: () => this.CONSUME(T.NotEq, { LABEL: "operator" }) },
        { ALT: () => this.CONSUME(T.LessEq, { LABEL: "operator" }) },
        { ALT: () => this.CONSUME(T.GreaterEq, { LABEL: "operator" }) },
        { ALT: () => this.CONSUME(T.Less, { LABEL: "operator" }) },
        { ALT: () => this.CONSUME(T.Greater, { LABEL: "operator" }) },
      ]);
      this.SUBRULE2(this.bitOrExpr, { LABEL: "operand" });
    });
  });

  bitOrExpr = this.RULE("bitOrExpr", () => {
    this.SUBRULE(this.bitXorExpr, { LABEL: "operand" });
    this.MANY(() => {
      this.CONSUME(T.Pipe, { LABEL: "operator" });
      this.SUBRULE2(this.bitXorExpr, { LABEL: "operand" });
    });
  });

  bitXorExpr = this.RULE("bitXorExpr", () => {
    this.SUBRULE(this.bitAndExpr, { LABEL: "operand" });
    this.MANY(() => {
      this.CONSUME(T.Caret, { LABEL: "operator" });
      this.SUBRULE2(this.bitAndExpr, { LABEL: "operand" });
    });
  });

  bitAndExpr = this.RULE("bitAndExpr", () => {
    this.SUBRULE(this.shiftExpr, { LABEL: "operand" });
    this.MANY(() => {
      this.CONSUME(T.Amp, { LABEL: "operator" });
      this.SUBRULE2(this.shiftExpr, { LABEL: "operand" });
    });
  });

  shiftExpr = this.RULE("shiftExpr", () => {
    this.SUBRULE(this.addExpr, { LABEL: "operand" });
    this.MANY({
      // `a > > b` is a right shift only when the two `>` are next to each other and followed by an operand
      GATE: () => this.LA(1).tokenType === T.ShiftLeft || (this.LA(1).tokenType === T.Greater && this.LA(2).tokenType === T.Greater),
      DEF: () => {
        this.OR([
          { ALT: () => this.CONSUME(T.ShiftLeft, { LABEL: "operator" }) },
          {
            ALT: () => {
              this.CONSUME(T.Greater, { LABEL: "operator" });
              this.CONSUME2(T.Greater, { LABEL: "shr2" });
            },
          },
        ]);
        this.SUBRULE2(this.addExpr, { LABEL: "operand" });
      },
    });
  });

  addExpr = this.RULE("addExpr", () => {
    this.SUBRULE(this.mulExpr, { LABEL: "operand" });
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus, { LABEL: "operator" }) }, { ALT: () => this.CONSUME(T.Minus, { LABEL: "operator" }) }]);
      this.SUBRULE2(this.mulExpr, { LABEL: "operand" });
    });
  });

  mulExpr = this.RULE("mulExpr", () => {
    this.SUBRULE(this.unaryExpr, { LABEL: "operand" });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star, { LABEL: "operator" }) },
        { ALT: () => this.CONSUME(T.Slash, { LABEL: "operator" }) },
        { ALT: () => this.CONSUME(T.Percent, { LABEL: "operator" }) },
      ]);
      this.SUBRULE2(this.unaryExpr, { LABEL: "operand" });
    });
  });

  unaryExpr = this.RULE("unaryExpr", () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(T.Minus, { LABEL: "operator" }) },
            { ALT: () => this.CONSUME(T.Bang, { LABEL: "operator" }) },
            { ALT: () => this.CONSUME(T.Tilde, { LABEL: "operator" }) },
          ]);
          this.SUBRULE(this.unaryExpr, { LABEL: "operand" });
        },
      },
      { ALT: () => this.SUBRULE(this.postfixExpr, { LABEL: "postfix" }) },
    ]);
  });

  postfixExpr = this.RULE("postfixExpr", () => {
    this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.fieldSuffix, { LABEL: "suffix" }) },
        { ALT: () => this.SUBRULE(this.indexSuffix, { LABEL: "suffix" }) },
        { ALT: () => this.SUBRULE(this.argList, { LABEL: "suffix" }) },
      ]);
    });
  });

  fieldSuffix = this.RULE("fieldSuffix", () => {
    this.CONSUME(T.Dot);
    this.CONSUME(T.Identifier);
  });

  indexSuffix = this.RULE("indexSuffix", () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.expr);
    this.CONSUME(T.RBracket);
  });

  primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.IntLiteral) },
      { ALT: () => this.CONSUME(T.FixedLiteral) },
      { ALT: () => this.CONSUME(T.HexLiteral) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.TypeName) },
      {
        // `Name { field: …` is a struct literal; `if x { y = 1; }` is not (a statement never starts `y :`)
        GATE: () => this.LA(2).tokenType === T.LBrace && this.LA(3).tokenType === T.Identifier && this.LA(4).tokenType === T.Colon,
        ALT: () => this.SUBRULE(this.structLiteral),
      },
      { ALT: () => this.CONSUME(T.Identifier) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expr);
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.arrayLiteral) },
    ]);
  });

  structLiteral = this.RULE("structLiteral", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.fieldInit) });
    this.OPTION(() => this.CONSUME2(T.Comma));
    this.CONSUME(T.RBrace);
  });

  fieldInit = this.RULE("fieldInit", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expr);
  });

  arrayLiteral = this.RULE("arrayLiteral", () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.expr, { LABEL: "first" });
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Semi);
          this.SUBRULE2(this.expr, { LABEL: "count" });
        },
      },
      {
        ALT: () => {
          this.MANY(() => {
            this.CONSUME(T.Comma);
            this.SUBRULE3(this.expr, { LABEL: "rest" });
          });
        },
      },
    ]);
    this.CONSUME(T.RBracket);
  });
}

/** One parser instance, reused: chevrotain's self-analysis is the expensive part. */
export const parser = new MoteParser();

export interface SyntaxErrorInfo {
  /** chevrotain's exception name: MismatchedTokenException, NoViableAltException, EarlyExitException, NotAllInputParsedException. */
  kind: string;
  message: string;
  token: IToken;
  previous?: IToken;
  ruleStack: string[];
}

export interface ParseResult {
  cst: CstNode;
  errors: SyntaxErrorInfo[];
}

export function parseTokens(tokens: IToken[]): ParseResult {
  parser.input = tokens;
  const cst = parser.file();
  const errors = parser.errors.map((e) => ({
    kind: e.name,
    message: e.message,
    token: e.token,
    ...((e as { previousToken?: IToken }).previousToken ? { previous: (e as { previousToken?: IToken }).previousToken } : {}),
    ruleStack: [...(e.context?.ruleStack ?? [])],
  }));
  return { cst, errors };
}

export { EOF };
