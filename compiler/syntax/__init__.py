"""The lossless syntax tree: scanner, grammar, typed nodes, printer, and the emitter of
generated instructions."""
