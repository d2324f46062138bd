"""Charts, one per file (`consensus.py`, `pledges.py`); `common.py` is shared."""
