"""Public verification: DID documents, our JSON-LD context, status lists, the verify page and API."""
