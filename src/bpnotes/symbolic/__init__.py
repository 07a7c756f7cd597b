"""Sympy derivations that the chapters display and assert, one module per chapter.

Numeric modules never import this package: sympy is only used to derive and check.
"""
