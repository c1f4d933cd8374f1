"""The review page (registry-tool review): one self-contained HTML file for curators."""
