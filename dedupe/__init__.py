"""dedupe: turn a messy scrape of news articles into a clean, deduplicated, canonical corpus."""

import logging

from dedupe.canonical import DocKey
from dedupe.chrome import BoilerplateLearner, LearnedBoilerplate, strip_chrome
from dedupe.document import Cluster, Document, Edit, Match
from dedupe.encoding import decode_bytes, repair_text
from dedupe.errors import DedupeError
from dedupe.extract import html_to_text
from dedupe.neardup import NearDupOptions, NearDuplicateIndex, fingerprint, near_duplicates
from dedupe.pipeline import RunOptions, RunResult, run
from dedupe.readers import ReadOptions, iter_documents
from dedupe.repeats import SharedBlockIndex, drop_repeated_blocks
from dedupe.stages import DropRepeats, ExtractHtml, RepairEncoding, StripChrome

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "BoilerplateLearner", "Cluster", "DedupeError", "DocKey", "Document", "DropRepeats", "Edit", "ExtractHtml",
    "LearnedBoilerplate", "Match", "NearDupOptions", "NearDuplicateIndex", "ReadOptions", "RepairEncoding",
    "RunOptions", "RunResult", "SharedBlockIndex", "StripChrome", "__version__", "decode_bytes",
    "drop_repeated_blocks", "fingerprint", "html_to_text", "iter_documents", "near_duplicates", "repair_text",
    "run", "strip_chrome",
]
