"""Topic classification of CPython's documentation paragraphs: a small labelled text task."""

import collections
import re

# Four classes of `pydoc_data.topics` keys; topics that fit none of them are left out.
TOPIC_CLASSES = {
    "statements": "assert assignment async augassign break class compound continue del for "
    "function global if import nonlocal pass raise return try while with yield",
    "expressions": "atom-identifiers atom-literals attribute-references await binary bitwise "
    "booleans calls comparisons conversions dict exprlists floating id-classes identifiers "
    "imaginary in integers lambda lists numbers operator-summary power shifting slicings "
    "strings subscriptions unary",
    "data model": "attribute-access callable-types context-managers customization "
    "numeric-types objects sequence-types specialattrs specialnames types",
    "built-in types": "bltin-code-objects bltin-ellipsis-object bltin-null-object "
    "bltin-type-objects formatstrings string-methods truth typesfunctions typesmapping "
    "typesmethods typesmodules typesseq typesseq-mutable",
}


def load_doc_topics(min_words=8):
    """Paragraphs of the Python documentation, labelled by the class of their topic.

    Each `pydoc_data` topic is cut into paragraphs (at blank lines, whitespace collapsed);
    paragraphs of at least `min_words` words whose topic is in `TOPIC_CLASSES` are kept,
    except those that occur under two classes.

    Args:
        min_words: int, the shortest paragraph kept, in words. Defaults to `8`.

    Returns:
        `(texts, labels, class_names)`: sorted paragraphs, int32 labels `(N,)` indexing
        `class_names`.
    """
    from pydoc_data.topics import topics

    import numpy as np

    class_of_topic = {
        topic: c for c, names in enumerate(TOPIC_CLASSES.values()) for topic in names.split()
    }
    classes_of_paragraph = collections.defaultdict(set)
    for topic, text in topics.items():
        for paragraph in re.split(r"\n\s*\n", text):
            paragraph = " ".join(paragraph.split())
            if topic in class_of_topic and len(paragraph.split()) >= min_words:
                classes_of_paragraph[paragraph].add(class_of_topic[topic])
    texts = sorted(p for p, found in classes_of_paragraph.items() if len(found) == 1)
    labels = np.array([next(iter(classes_of_paragraph[t])) for t in texts], dtype="int32")
    return texts, labels, list(TOPIC_CLASSES)
