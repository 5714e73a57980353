"""Cross-pollination (impollinazione): links between items of different workshops."""
