"""The use cases: each a function over the composition root (services/app.py) that
returns a typed result. The command line, the jobs, the simulator and the tests call them."""
