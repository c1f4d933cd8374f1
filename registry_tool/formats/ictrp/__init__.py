"""WHO ICTRP exports (the XML export and the CSV export of the same columns): the reader
(:mod:`.reader`), the column layout (:mod:`.layout`) and the helpers that split and code each
column's free text (:mod:`.fields`, :mod:`.design`, :mod:`.items`)."""
