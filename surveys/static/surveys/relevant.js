/* Show/skip conditions: the subset of XLSForm's `relevant` expressions that surveys/relevant.py reads,
   by the same rules (docs/surveys.md). One table of cases, tests/surveys/relevant_cases.json, runs against
   both. No eval: a tokenizer, a recursive-descent parser, an evaluator. */
(function (root) {
  "use strict";
  var MAX_LENGTH = 2000;
  var TOKEN = /([ \t\n\r]+)|(\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\})|('[^']*'|"[^"]*")|(\d+(?:\.\d+)?|\.\d+)|(<=|>=|!=|=|<|>|-)|([A-Za-z_][A-Za-z0-9_\-]*)|([(),])/y;

  function RelevantError(message, position) {
    this.name = "RelevantError"; this.message = message; this.position = position;
  }
  RelevantError.prototype = Object.create(Error.prototype);

  function tokenize(text) {
    if (text.length > MAX_LENGTH) throw new RelevantError("too long", 0);
    var tokens = [], position = 0, m;
    while (position < text.length) {
      TOKEN.lastIndex = position;
      m = TOKEN.exec(text);
      if (!m) throw new RelevantError("unexpected character", position);
      if (m[2] !== undefined) tokens.push({kind: "ref", value: m[3], position: position});
      else if (m[4] !== undefined) tokens.push({kind: "str", value: m[4].slice(1, -1), position: position});
      else if (m[5] !== undefined) tokens.push({kind: "num", value: m[5], position: position});
      else if (m[6] !== undefined) tokens.push({kind: "op", value: m[6], position: position});
      else if (m[7] !== undefined) tokens.push({kind: "name", value: m[7], position: position});
      else if (m[8] !== undefined) tokens.push({kind: m[8], value: m[8], position: position});
      position = TOKEN.lastIndex;
    }
    return tokens;
  }

  function parse(text) {
    var tokens = tokenize(text), index = 0;
    function peek() { return index < tokens.length ? tokens[index] : null; }
    function at(kind, values) {
      var t = peek();
      return t !== null && t.kind === kind && (!values || values.indexOf(t.value) >= 0);
    }
    function take(kind) {
      var t = peek();
      if (t === null || t.kind !== kind) throw new RelevantError("expected " + kind, t ? t.position : text.length);
      index += 1; return t;
    }
    function disjunction() {
      var node = conjunction();
      while (at("name", ["or"])) { index += 1; node = ["or", node, conjunction()]; }
      return node;
    }
    function conjunction() {
      var node = equality();
      while (at("name", ["and"])) { index += 1; node = ["and", node, equality()]; }
      return node;
    }
    function equality() {
      var node = relational();
      while (at("op", ["=", "!="])) { var op = take("op").value; node = ["cmp", op, node, relational()]; }
      return node;
    }
    function relational() {
      var node = unary();
      while (at("op", ["<", "<=", ">", ">="])) { var op = take("op").value; node = ["cmp", op, node, unary()]; }
      return node;
    }
    function unary() {
      if (at("op", ["-"])) { index += 1; return ["neg", unary()]; }
      return primary();
    }
    function primary() {
      var t = peek(), node, first, second;
      if (t === null) throw new RelevantError("unexpected end", text.length);
      if (t.kind === "ref") { index += 1; return ["ref", t.value]; }
      if (t.kind === "str") { index += 1; return ["lit", t.value]; }
      if (t.kind === "num") { index += 1; return ["lit", {n: parseFloat(t.value)}]; }
      if (t.kind === "(") { index += 1; node = disjunction(); take(")"); return node; }
      if (t.kind === "name" && t.value === "not") {
        index += 1; take("("); node = disjunction(); take(")"); return ["not", node];
      }
      if (t.kind === "name" && t.value === "selected") {
        index += 1; take("("); first = disjunction(); take(","); second = disjunction(); take(")");
        return ["selected", first, second];
      }
      throw new RelevantError("unexpected token", t.position);
    }
    if (!tokens.length) throw new RelevantError("empty", 0);
    var tree = disjunction();
    if (peek() !== null) throw new RelevantError("unexpected token", peek().position);
    return tree;
  }

  /* Values are: a boolean, a number ({n: float}, boxed so that it never mixes with text), or a string. */
  var NUMBER = /^[ \t\n\r]*-?(\d+(\.\d*)?|\.\d+)[ \t\n\r]*$/;
  var DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

  function answer(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "boolean") return {n: value ? 1 : 0};
    if (typeof value === "number") return {n: value};
    if (Array.isArray(value)) return value.map(String).join(" ");
    return String(value);
  }
  function isNum(v) { return typeof v === "object" && v !== null; }
  function number(v) {
    if (typeof v === "boolean") return v ? 1 : 0;
    if (isNum(v)) return v.n;
    if (NUMBER.test(v)) return parseFloat(v);
    var d = DATE.exec(v);
    if (d) {
      var y = +d[1], mo = +d[2], day = +d[3], t = Date.UTC(y, mo - 1, day), back = new Date(t);
      if (y < 1 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== day) return NaN;
      return Math.round(t / 86400000);
    }
    return NaN;
  }
  function truth(v) {
    if (typeof v === "boolean") return v;
    if (isNum(v)) return !(v.n === 0 || isNaN(v.n));
    return v !== "";
  }
  function text(v) {
    if (typeof v === "boolean") return v ? "true" : "false";
    if (isNum(v)) return isNaN(v.n) ? "NaN" : String(v.n);
    return v;
  }
  function compare(op, left, right) {
    var equal, a, b;
    if (op === "=" || op === "!=") {
      if (typeof left === "boolean" || typeof right === "boolean") equal = truth(left) === truth(right);
      else if (isNum(left) || isNum(right)) { a = number(left); b = number(right); equal = !isNaN(a) && !isNaN(b) && a === b; }
      else equal = left === right;
      return op === "=" ? equal : !equal;
    }
    a = number(left); b = number(right);
    if (isNaN(a) || isNaN(b)) return false;
    if (op === "<") return a < b;
    if (op === "<=") return a <= b;
    if (op === ">") return a > b;
    return a >= b;
  }
  function value(tree, answers) {
    switch (tree[0]) {
      case "ref": return answer(Object.prototype.hasOwnProperty.call(answers, tree[1]) ? answers[tree[1]] : null);
      case "lit": return tree[1];
      case "neg": return {n: -number(value(tree[1], answers))};
      case "not": return !truth(value(tree[1], answers));
      case "and": return truth(value(tree[1], answers)) && truth(value(tree[2], answers));
      case "or": return truth(value(tree[1], answers)) || truth(value(tree[2], answers));
      case "selected":
        return text(value(tree[1], answers)).split(/[ \t\n\r]+/).filter(Boolean).indexOf(text(value(tree[2], answers))) >= 0;
      default: return compare(tree[1], value(tree[2], answers), value(tree[3], answers));
    }
  }
  function evaluate(expression, answers) {
    if (typeof expression === "string") {
      if (!expression.replace(/[ \t\n\r]+/g, "")) return true;
      expression = parse(expression);
    }
    return truth(value(expression, answers || {}));
  }

  root.DlxhRelevant = {parse: parse, evaluate: evaluate, RelevantError: RelevantError};
})(typeof window !== "undefined" ? window : globalThis);
