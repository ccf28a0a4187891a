"""induction: find a program that maps every training input to its output, then run it.

- ``induction.dsl``: typed pure grid primitives (numpy), each with parameters read off
  the train pairs where possible;
- ``induction.search``: anytime bottom-up program search with observational equivalence;
- ``induction.render``: programs as standalone Python source over the DSL;
- ``induction.dsl_proposer``: the ``dsl`` proposer (``DslProposer``, ``DslConfig``);
- ``induction.sandbox`` and ``induction.llm``: untrusted LLM-written programs.
"""
