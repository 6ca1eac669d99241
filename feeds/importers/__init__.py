"""Importers: other projects' deadline data turned into definition files.

This package owns reading a foreign format (``hf_ai_deadlines``: the conference YAML of
huggingface/ai-deadlines), deciding what each of its values becomes in a definition,
reporting, with file and line, what has no place there, writing the definition files
deterministically (``emit``), and keeping event ids stable when a folder is imported
again (``output``). It may import ``feeds.errors``, ``feeds.tz``, ``feeds.model``,
``feeds.definitions`` (reading YAML with lines, checking what it writes) and
``feeds.revisions`` (ids a calendar has used); it is a shell beside ``feeds.export`` and
imports none of the other shells.
"""
