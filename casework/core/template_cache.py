"""Compiled templates kept on disk and shared by the app's processes: a process that starts after
a deploy (each web server worker, the queue worker) loads them rather than compiling every
template again. Jinja checks each file against its template's source, so a changed template is
compiled afresh; a folder that cannot be written costs only the saving, never a page."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket

log = logging.getLogger(__name__)


class SharedTemplateCache(FileSystemBytecodeCache):
    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as error:
            # The template is compiled and used all the same; only the next process misses it.
            log.warning("Could not keep a compiled template in %s: %s", self.directory, error)


def init_template_cache(app: Flask) -> None:
    folder = app.config.get("TEMPLATE_CACHE_FOLDER")
    if not folder:
        return  # compiled in memory by each process, as Jinja does by default
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.warning("Templates are compiled by each process: %s cannot be made (%s)", folder, error)
        return
    app.jinja_env.bytecode_cache = SharedTemplateCache(str(folder))
