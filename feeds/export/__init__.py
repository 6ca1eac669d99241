"""Writing the site as static files (:mod:`writer`) with configs for static hosts (:mod:`hosts`).

May import: :mod:`feeds.site` and below. Nothing imports it but the CLI.
"""
