"""ctgov_json format."""
