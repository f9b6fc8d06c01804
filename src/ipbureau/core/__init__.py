"""The kernel every domain uses: errors, bounded field types, the access policy mechanism, the unit of work
per request and the workflow (state machine) helper. It imports no domain package (see docs/architecture.md)."""
