"""Turning the model into bytes: iCalendar (:mod:`ics`), calendar links (:mod:`links`), pages,
and the change log in words and as Atom feeds (:mod:`changes`).

Reminder events before deadlines (``?remind=``) are :mod:`reminders`.

The HTML pages are :mod:`pages` (the renderer and what it keeps between renders,
:mod:`page_cache`), made of :mod:`views` (events and agenda rows as the templates show
them), :mod:`boxes` (subscribe boxes), :mod:`group_pages` (the tag and series pages),
:mod:`paths` (page URLs, relative links) and
:mod:`assets` (static files, QR codes). May import the model, :mod:`feeds.scope`,
:mod:`feeds.tz`, :mod:`feeds.occurrences`, the value types of :mod:`feeds.revisions` (and
its change log's :mod:`~feeds.revisions.history`), :mod:`xml.etree` and config; never
:mod:`feeds.site` or :mod:`feeds.serve`.
"""
