"""Build-time code of ``scripts/build_lexicon.py``: thesaurus readers and the channel model.

It lives beside the script, outside ``src/``, so it is neither shipped in the wheel nor
reachable from the runtime package: nothing under ``unspin`` imports it. The script imports
it as a sibling package (Python puts the script's folder on ``sys.path``); pytest collects its
doctests (``testpaths`` in pyproject.toml).
"""
