"""Plotting helpers: one module per chapter, plus a shared style.

Plotting never computes gradients: every function here takes results computed by the
numeric modules and only draws them.
"""
