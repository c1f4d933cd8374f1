"""One module per input format; each registered in :mod:`registry_tool.formats`."""
