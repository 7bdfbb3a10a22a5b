"""The reader's face: HTML pages, SVG pictures and embeds, read from the same services as the JSON."""
