"""dedupe: turn a messy scrape of news articles into a clean, deduplicated, canonical corpus."""

import logging

from dedupe.document import Cluster, Document, Edit, Match

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["Cluster", "Document", "Edit", "Match", "__version__"]
