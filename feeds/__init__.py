"""Publish event definitions written in YAML as iCalendar feeds.

Data flows one way::

    events/*.yaml --loader--> model --ics--> bytes --site--> web / build
"""

__version__ = "0.1.0"
