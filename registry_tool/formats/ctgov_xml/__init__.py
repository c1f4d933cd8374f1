"""ctgov_xml format."""
