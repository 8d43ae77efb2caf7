"""Quarterly progress reviews: frozen, citable figures per force, borough and ward, as a page,
a PDF and an Atom feed, with residents' comments and follows."""
