"""`python -m transport.synthetic --pupils N --out DIR`."""

from transport.synthetic import main

raise SystemExit(main())
