"""Import of past work: a bundle of CSV files with a manifest, validated whole, then written through the rules."""
