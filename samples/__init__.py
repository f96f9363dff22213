"""Bundled sample inputs (data only), installed as the package ``aligncheck.samples``.

This file makes the folder a regular package, so :mod:`importlib.resources` finds the sample
clip in an editable install too (see :mod:`aligncheck.bundled`). Regenerate the samples with
``python -m aligncheck.synth.samples --out samples``.
"""
