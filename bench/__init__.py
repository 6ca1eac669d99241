"""The benchmark: ``make bench`` (or ``.venv/bin/python -m bench``); see docs/performance.md."""
