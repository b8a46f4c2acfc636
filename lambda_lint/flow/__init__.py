"""Value flow: where the event, the context and other tracked values go inside a
function, what is known about them where they are used, and how they got there.

One engine serves the index and the security rules, on one small intermediate
representation:

    ast --from_ast--> ir.Function --engine.analyse--> Analysis

- `ir`: the IR — statements that keep their structure, expressions that keep what
  decides where values go, each node pointing back to its syntax (the `ast` node, or
  only where it was: `from_ast.Span`). `lowering` holds what does not depend on the
  syntax tree; `from_ast` walks the tree.
- `refs`: `Ref`, a tracked value — a root ("event", "context", "param", "source")
  and an access path — with facts about places of that root (not None, key present,
  equal to a literal, written by the code, caught errors), labels (sanitiser kinds,
  "validated", "written") and its origin (the steps it took, for messages and SARIF
  code flows).
- `semantics` (+ `semantics.json`): what library calls do — decoders, pass-throughs,
  sanitisers, validators, sources — by qualified name, each entry with its source.
- `engine`: the flow-sensitive analysis of one function (branches, loops, try,
  narrowing by tests and early exits, kills on reassignment and writes); `Analysis`
  answers `refs(expr)`, `facts_at(expr)`, call arguments and returns by lookup.
  `reads` tells the engine which names a loop body depends on.
- `summary`: symbolic seeds for a function's parameters (the index records which
  parameter paths reach each call and the return value), and a call's arguments
  mapped onto the callee's parameters (`arguments_to_parameters`, `passed`), so the
  security flows follow values across functions and files.

The engine never resolves imports or calls itself: callers pass `qualify` (dotted name
as written -> qualified name) and `resolve_call` (a project function's result for
these arguments), so this package depends on nothing above it.
"""
