import sys

from pactstream_cli.main import main

sys.exit(main())
