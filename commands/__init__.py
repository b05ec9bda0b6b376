"""The command groups of `transport`: each module parses its options, calls one use case
(services/) and renders the result (commands/views/). No SQL here, no error handling:
errors become exit codes at one boundary, in cli.py."""
