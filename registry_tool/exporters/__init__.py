"""One module per output format; each registered in :mod:`registry_tool.formats`."""
