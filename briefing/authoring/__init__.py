"""The tools for writing a dossier, beside the pipeline: `init` (a new
dossier), `add_source` (an article in), `quote` (find the passage to quote),
`listing` (facts and sources as tables), `coverage` (what is left uncited)."""
