"""The one synthetic generator: a bilingual vocabulary (words.py), sentences and citation heads
drawn from it (text.py), PubMed efetch XML of a record (pubmed.py, real.py), the benchmark corpus
(corpus.py: `generate`, what scripts/make_synthetic.py writes) and the fake E-utilities server's
records (records.py: `make_records`)."""
