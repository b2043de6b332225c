"""`python -m app.cli` runs the mxdoctor command line."""
import sys

from app.cli import main

sys.exit(main())
