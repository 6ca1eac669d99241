"""The feed doctor (``feeds check``): lints any publisher's .ics and compares independent parsers.

It owns the lint of client rules (:mod:`lint`), adapters to six independent
iCalendar parsers, four in Python and two in Node.js via ``js/parse.mjs``
(:mod:`parsers`, with the occurrence :mod:`budget`), and the report that holds
them against each other (:mod:`report`), which also reads files and URLs within
limits on bytes and time (docs/security.md). It reads bytes, not our model, so it works on anyone's feed;
the tests use the same parsers to prove our own output. May import only
:mod:`feeds.errors`; nothing in the pipeline imports it but the CLI.
"""
