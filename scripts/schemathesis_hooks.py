"""schemathesis hooks for scripts/schemathesis (loaded through SCHEMATHESIS_HOOKS).

Works around a CPython bug, not a MallVIP one: Python 3.11.0 to 3.11.7 raise
`SystemError: AST constructor recursion depth mismatch` from `ast.parse` when it is called deep in a call stack
(python/cpython#106905, fixed in 3.11.8). Hypothesis calls `ast.parse` only to print a lambda in a strategy's
description, so on those versions a deep draw can stop schemathesis with a "Runtime Error" that has nothing to do
with the API. A description is cosmetic: fall back to the one Hypothesis uses when it cannot read the source.
"""
import sys

if sys.version_info[:2] == (3, 11) and sys.version_info[2] < 8:
    from hypothesis.internal import lambda_sources

    _describe = lambda_sources._lambda_description

    def _lambda_description_or_unknown(f, *args, **kwargs):
        try:
            return _describe(f, *args, **kwargs)
        except SystemError:
            return "lambda: <unknown>"

    lambda_sources._lambda_description = _lambda_description_or_unknown
