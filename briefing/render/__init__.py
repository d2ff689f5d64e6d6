"""Stage 5, render: one module per output format, each `render_X(document, path)`."""
