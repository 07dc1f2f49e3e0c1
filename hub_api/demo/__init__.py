"""The demo data set, drawn from the hub's source articles."""
