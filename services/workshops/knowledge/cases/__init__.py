"""The case library: local experiences studied by the Community Lab and the guidance drawn from them."""
