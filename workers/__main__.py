"""`python -m workers ...`: the `leadline` command (`worker` straight to the worker)."""

import sys

if sys.argv[1:2] == ["worker"]:
    from workers.cli import standalone_worker

    standalone_worker(sys.argv[2:], prog_name="python -m workers worker")
else:
    from workers.cli import main

    main()
