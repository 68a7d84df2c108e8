"""What tests and scripts share: paths, the fake E-utilities server, the synthetic corpus,
database content digests, fuzz mutations and checks, serving helpers.

Tests import it as `tests.support...` (pytest's `pythonpath = ["."]`); scripts run as modules
from the checkout root (`python -m scripts.bench ...`), so the same import works there."""
