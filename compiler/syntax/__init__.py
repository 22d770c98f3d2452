"""The lossless syntax tree: scanner, parser, nodes, printer."""
