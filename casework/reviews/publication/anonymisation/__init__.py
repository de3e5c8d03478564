"""Checking a report for confidential identifiers before it is published.

Two halves, both pure (no database, no Flask):

* :func:`extraction.extract_text` reads the words out of a PDF, DOCX or ODT file (``pdf``,
  ``word``, ``odt``), part by part, each part with a location a person can find again ("page 2",
  "paragraph 14", "table 3").
* :func:`search.find_identifiers` searches that text for every identifier recorded on the review
  (names, dates of birth, the address), as built by :func:`identifiers.identifiers_from`; the
  patterns that find each spelling of them are in ``patterns`` and ``folding``, and
  :func:`search.check_text` adds the possible identifiers nobody recorded (``possible``).

Extraction reads more than the visible body where a file keeps words elsewhere: headers, footers,
footnotes, comments, text boxes, tracked deletions and the document's properties (title, author,
subject, keywords), because all of those are published with the file.

The check can only see text. A PDF page that is a picture of words (a scan) has nothing to
search: :attr:`results.ExtractedText.extractable` is False when the whole document yields almost
no letters, and :attr:`results.ExtractedText.unchecked_pages` names the PDF pages that show images
but yield almost no text. Neither can be passed as clean; a person has to read them.

The types they exchange are in ``results``.
"""
