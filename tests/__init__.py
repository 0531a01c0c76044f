"""The tests' package. Imported before anything of obsgen: the run's caches are sealed by a key of its own
(core/seal_key.py), in a temporary XDG_CACHE_HOME the whole run (and the programs it starts) shares, never the
user's ~/.cache."""

import atexit
import os
import shutil
import tempfile

if "OBSGEN_TESTS_CACHE_HOME" not in os.environ:  # (an xdist worker inherits its controller's)
    os.environ["OBSGEN_TESTS_CACHE_HOME"] = tempfile.mkdtemp(prefix="obsgen-cache-")
    atexit.register(shutil.rmtree, os.environ["OBSGEN_TESTS_CACHE_HOME"], ignore_errors=True)
os.environ["XDG_CACHE_HOME"] = os.environ["OBSGEN_TESTS_CACHE_HOME"]
