"""The feed doctor (``feeds check``): lints any publisher's .ics and compares independent parsers.

It owns reading any .ics into components with their lines (:mod:`components`), the
lint of client rules (:mod:`lint`), six independent iCalendar parsers behind one API
(:mod:`parsers`: four in Python, :mod:`readers`, and two in Node.js via
``js/parse.mjs``, :mod:`node`; what they read, :mod:`parsed`; the occurrence
:mod:`budget`), and the report that holds
them against each other (:mod:`report`), which also reads files and URLs within
limits on bytes and time (docs/security.md), and how calendar services' fetchers get a
URL (:mod:`fetchers`: status, redirects, bot challenges, robots.txt as :mod:`robots` reads
it, headers). It reads bytes, not our model, so it works on anyone's feed; the tests use
the same parsers to prove our own output.
May import only
:mod:`feeds.errors`; nothing in the pipeline imports it but the CLI.
"""
