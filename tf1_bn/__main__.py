"""`python -m tf1_bn` runs the `tf1-bn` command line."""

import sys

from tf1_bn.cli.main import main

sys.exit(main())
