"""Optical character recognition of scanned documents and images (a pure library).

:func:`dalil.ocr.engine.ocr_document` takes the bytes of a PDF or an image (JPEG, PNG,
TIFF, WebP, GIF) and returns the text page by page with Tesseract's word confidences.
Tesseract (with Debian's Arabic and English language data) and poppler's ``pdftoppm``
run as separate processes with time and memory limits; the document goes to them on
standard input and the results come back on standard output, so no page image or text
is ever written to a file.
"""
