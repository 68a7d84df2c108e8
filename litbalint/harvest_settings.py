"""Harvest settings the command line shows as option defaults: here, in a module that imports
nothing, so that `litbalint --help` does not load the harvester (requests and all)."""

DEFAULT_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
LINKS_REFRESH_DAYS = 30  # links older than this are fetched again
