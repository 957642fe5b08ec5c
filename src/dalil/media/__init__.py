"""Media files as evidence (a pure library): the type from the content, metadata
(EXIF, XMP, IPTC, container metadata, C2PA), consistency checks and perceptual hashes."""
