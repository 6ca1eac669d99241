"""Definitions: YAML calendar files read into :mod:`feeds.model`, with every problem located.

This package owns reading definition files safely (:mod:`.files`), YAML parsing that
keeps line numbers (:mod:`.yamlsource`), parsing of the time values people write
(:mod:`.values`), validation that reports each problem at its line (:mod:`.checks`,
:mod:`.times`, :mod:`.repeats`, :mod:`.builder`), the public entry points
(:mod:`.loader`) and incremental re-checking of an edited file (:mod:`.incremental`).
It may import :mod:`feeds.errors`, :mod:`feeds.model`, :mod:`feeds.tz` and
:mod:`feeds.occurrences`; never render, site, serve or anything above them.
"""

from feeds.definitions.loader import (
    check_file,
    check_folder,
    check_text,
    definition_files,
    load_file,
    load_folder,
    load_text,
    read_bytes,
)

__all__ = [
    "check_file",
    "check_folder",
    "check_text",
    "definition_files",
    "load_file",
    "load_folder",
    "load_text",
    "read_bytes",
]
